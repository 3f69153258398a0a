"""/api/: the OpenAPI schema, its docs (self-hosted assets) and version 1."""

from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path, register_converter
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from loanhub.reports import apis as reports

from .apis import alerts, auth, leads, loans, products, sme, stats, webhooks

app_name = "api"


class IdConverter:
    """An object id: at most 18 digits, so it always fits a 64-bit column (a longer
    one gets the JSON 404 below, not a database overflow)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
register_converter(reports.ReportNumberConverter, "report_number")

v1 = [
    path("auth/token/", auth.TokenCreateApi.as_view(), name="token"),
    path("auth/tokens/", auth.TokenListApi.as_view(), name="tokens"),
    path("auth/tokens/<id:pk>/", auth.TokenRevokeApi.as_view(), name="token_revoke"),
    path("products/", products.ProductListApi.as_view(), name="products"),
    path("products/<id:pk>/", products.ProductDetailApi.as_view(), name="product"),
    path("enterprises/me/", sme.EnterpriseMeApi.as_view(), name="enterprises_me"),
    path("consents/", sme.ConsentListApi.as_view(), name="consents"),
    path("consents/<id:pk>/revoke/", sme.ConsentRevokeApi.as_view(), name="consent_revoke"),
    path("access-log/", sme.AccessLogListApi.as_view(), name="access_log"),
    path("needs/", sme.NeedListApi.as_view(), name="needs"),
    path("needs/<id:pk>/", sme.NeedDetailApi.as_view(), name="need"),
    path("needs/<id:pk>/withdraw/", sme.NeedWithdrawApi.as_view(), name="need_withdraw"),
    path("needs/<id:pk>/matches/", sme.NeedMatchesApi.as_view(), name="need_matches"),
    path("needs/<id:pk>/apply/", sme.NeedApplyApi.as_view(), name="need_apply"),
    path("applications/", sme.ApplicationListApi.as_view(), name="applications"),
    path("disputes/", sme.DisputeListApi.as_view(), name="disputes"),
    path("leads/", leads.LeadListApi.as_view(), name="leads"),
    path("leads/<id:pk>/", leads.LeadDetailApi.as_view(), name="lead"),
    path("leads/<id:pk>/claim/", leads.LeadClaimApi.as_view(), name="lead_claim"),
    path("leads/<id:pk>/decision/", leads.LeadDecisionApi.as_view(), name="lead_decision"),
    path("leads/<id:pk>/disbursement/", leads.LeadDisbursementApi.as_view(), name="lead_disbursement"),
    path("loans/", loans.LoanListApi.as_view(), name="loans"),
    path("loans/<id:pk>/", loans.LoanDetailApi.as_view(), name="loan"),
    path("loans/<id:pk>/performance/", loans.LoanPerformanceApi.as_view(), name="loan_performance"),
    path("alerts/", alerts.AlertListApi.as_view(), name="alerts"),
    path("alerts/<id:pk>/", alerts.AlertDetailApi.as_view(), name="alert"),
    path("alerts/<id:pk>/acknowledge/", alerts.AlertAcknowledgeApi.as_view(), name="alert_acknowledge"),
    path("webhooks/", webhooks.WebhookListApi.as_view(), name="webhooks"),
    path("webhooks/<id:pk>/", webhooks.WebhookDetailApi.as_view(), name="webhook"),
    path("webhooks/<id:pk>/deliveries/", webhooks.WebhookDeliveryListApi.as_view(), name="webhook_deliveries"),
    path("stats/", stats.StatsApi.as_view(), name="stats"),
    path("reports/", reports.ReportListApi.as_view(), name="reports"),
    path("reports/verify/<report_number:number>/", reports.ReportVerifyApi.as_view(), name="report_verify"),
    path("reports/<report_number:number>/", reports.ReportDetailApi.as_view(), name="report"),
    path("reports/<report_number:number>/pdf/", reports.ReportPdfApi.as_view(), name="report_pdf"),
    path("reports/<report_number:number>/revoke/", reports.ReportRevokeApi.as_view(), name="report_revoke"),
]


@csrf_exempt  # it changes nothing; a POST to a wrong path gets a 404, not the CSRF page
def not_found(request: HttpRequest) -> JsonResponse:
    """Any other path under /api/: a JSON 404, not the portal's HTML page."""
    return JsonResponse({"error": {"code": "not_found", "message": _("未找到。"), "details": None}}, status=404)


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]), name="schema"),
    # GET only: its HTML renderer has no template for OPTIONS' metadata (that was a 500).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", http_method_names=["get", "head"]),
        name="docs",
    ),
    *[path("v1/" + str(p.pattern), p.callback, name=p.name) for p in v1],
    re_path(r"^", not_found),
]
