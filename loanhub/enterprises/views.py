"""Portal views for an SME's own enterprise."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .selectors import enterprise_get_for_member, enterprise_is_owner, enterprise_members


@login_required
def enterprise_detail(request: HttpRequest, uscc: str) -> HttpResponse:
    # 404, not 403: a non-member must not learn whether the code is registered.
    enterprise = enterprise_get_for_member(user=request.user, uscc=uscc)
    if enterprise is None:
        raise Http404
    context = {
        "enterprise": enterprise,
        "members": enterprise_members(enterprise=enterprise),
        "is_owner": enterprise_is_owner(user=request.user, enterprise=enterprise),
    }
    return render(request, "enterprises/detail.html", context)
