"""Portal views for an SME's own enterprise."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .access import member_enterprise_or_404
from .selectors import enterprise_is_owner, enterprise_members


@login_required
def enterprise_detail(request: HttpRequest, uscc: str) -> HttpResponse:
    enterprise = member_enterprise_or_404(request, uscc)
    context = {
        "enterprise": enterprise,
        "members": enterprise_members(enterprise=enterprise),
        "is_owner": enterprise_is_owner(user=request.user, enterprise=enterprise),
    }
    return render(request, "enterprises/detail.html", context)
