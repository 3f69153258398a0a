"""Demo seed step for the security features: known TOTP devices for the demo staff
and synthetic (encrypted) legal-representative details for the demo SMEs.

DEMO ONLY: the TOTP secrets are fixed per username so that an authenticator app set
up once keeps working after a re-seed; ``manage.py demo_logins`` prints them and
``manage.py demo_logins --codes`` prints the current codes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from loanhub.accounts.models import User
from loanhub.accounts.two_factor import demo_device_ensure, two_factor_required
from loanhub.enterprises.models import Enterprise

if TYPE_CHECKING:
    from .services import SeedContext

# Synthetic values in the valid formats; they belong to nobody.
DEMO_LEGAL_REP = {
    "demo_sme": ("440106198205170038", "13800138001"),
    "demo_sme2": ("440604197911230027", "13900139002"),
}


def seed_security(ctx: SeedContext) -> None:
    for user in User.objects.filter(username__startswith="demo_"):
        if two_factor_required(user):
            demo_device_ensure(user)
    for username, (id_number, phone) in DEMO_LEGAL_REP.items():
        enterprise = Enterprise.objects.filter(
            memberships__user__username=username, legal_rep_id_number=""
        ).first()
        if enterprise is not None:
            enterprise.legal_rep_id_number, enterprise.legal_rep_phone = id_number, phone
            enterprise.save(update_fields=["legal_rep_id_number", "legal_rep_phone"])
    ctx.progress("演示账号的双因素认证已就绪")
