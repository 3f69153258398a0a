"""View helpers: fetch an enterprise only for its own members (404 otherwise)."""

from __future__ import annotations

from django.http import Http404

from loanhub.accounts.requests import AuthenticatedHttpRequest

from .exceptions import EnterprisePageNotVerified
from .models import Enterprise
from .selectors import enterprise_get_for_member


def member_enterprise_or_404(
    request: AuthenticatedHttpRequest, uscc: str, *, allow_unverified: bool = False
) -> Enterprise:
    """The member's enterprise. Its private pages (records, needs, authorizations,
    objections …) stay closed (403 with the reason) until it is verified; only the
    pages that lead to verification pass ``allow_unverified=True``."""
    # 404, not 403: a non-member must not learn whether the code is registered.
    enterprise = enterprise_get_for_member(user=request.user, uscc=uscc)
    if enterprise is None:
        raise Http404
    if not (allow_unverified or enterprise.is_verified):
        raise EnterprisePageNotVerified()
    return enterprise
