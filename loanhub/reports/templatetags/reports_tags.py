"""The credit-report panel of the bank's lead page (matching/admin/lead_detail.html)."""

from __future__ import annotations

from django import template

from loanhub.matching.models import Lead

from ..selectors import live_authorizations_for_report, report_requests_for_lead

register = template.Library()


@register.inclusion_tag("reports/admin/_lead_panel.html", takes_context=True)
def lead_report_panel(context: template.Context, lead: Lead) -> dict:
    user = context["request"].user
    requests = list(report_requests_for_lead(lead=lead, user=user)[:10])
    return {
        "lead": lead,
        "report_requests": requests,
        "has_pending": any(r.status == "pending" for r in requests),
        "authorized": bool(live_authorizations_for_report(enterprise=lead.enterprise, institution=lead.institution)),
        "csrf_token": context.get("csrf_token"),
    }
