"""REST API v1 of credit reports: an SME's own (create, list, fetch, PDF, revoke) and
the public verification (anyone, rate-limited per IP address)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from loanhub.accounts.requests import AuthenticatedRequest
from loanhub.api.apis.sme import ENTERPRISE_PARAM, EnterpriseField, SmeApi
from loanhub.api.exceptions import ApiError
from loanhub.api.permissions import api_user
from loanhub.api.schema import AUTH, ErrorSerializer, errors

from .exceptions import ReportFontMissing
from .models import CreditReport, ReportPurpose, ReportStatus
from .selectors import (
    report_digest_matches,
    report_get_for_member,
    report_get_public,
    report_list_for_member,
    verify_url,
)
from .services import report_issue, report_revoke
from .throttling import ReportVerifyThrottle
from .views import pdf_response

ISSUER = "LoanHub 信易贷平台"


class ReportNumberConverter:
    """A report number's characters (LHR-2026-…); anything else is the API's JSON 404."""

    regex = "[A-Za-z0-9-]{1,40}"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value


class ReportOutputSerializer(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="enterprise_uscc")
    status = serializers.ChoiceField(choices=ReportStatus.choices)
    revoked_at = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()

    class Meta:
        model = CreditReport
        fields = [
            "number",
            "enterprise",
            "enterprise_name",
            "purpose",
            "period_start",
            "period_end",
            "include_score",
            "record_count",
            "size",
            "sha256",
            "issued_at",
            "status",
            "revoked_at",
            "verify_url",
        ]

    def get_revoked_at(self, report: CreditReport) -> str | None:
        revocation = report.revocation_or_none
        return serializers.DateTimeField().to_representation(revocation.revoked_at) if revocation else None

    def get_verify_url(self, report: CreditReport) -> str:
        return verify_url(number=report.number)


def _member_report(request: AuthenticatedRequest, number: str) -> CreditReport:
    report = report_get_for_member(user=request.user, number=number)
    if report is None:
        raise Http404
    return report


class ReportListApi(SmeApi):
    class InputSerializer(serializers.Serializer):
        enterprise = EnterpriseField()
        purpose = serializers.ChoiceField(choices=ReportPurpose.choices)
        period_start = serializers.DateField(required=False, help_text="Default: 3 years before period_end.")
        period_end = serializers.DateField(required=False, help_text="Default: today.")
        include_score = serializers.BooleanField(default=False, help_text="Print the score and grade.")

    def get_queryset(self) -> QuerySet[CreditReport]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return CreditReport.objects.none()
        return report_list_for_member(user=api_user(self.request)).order_by("-issued_at", "-pk")

    @extend_schema(
        operation_id="reports_list",
        tags=["sme"],
        parameters=[ENTERPRISE_PARAM],
        responses={200: ReportOutputSerializer(many=True), **errors(400, *AUTH)},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        return self.page(self.only_enterprise(self.get_queryset()), ReportOutputSerializer)

    @extend_schema(
        operation_id="reports_create",
        tags=["sme"],
        request=InputSerializer,
        responses={
            201: ReportOutputSerializer,
            **errors(400, *AUTH),
            503: OpenApiResponse(ErrorSerializer, description="No CJK font installed on the server."),
        },
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        data = self.InputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            report = report_issue(user=request.user, **data.validated_data)
        except ReportFontMissing as exc:
            raise ApiError(503, "report_font_missing", exc.messages[0]) from None
        return Response(ReportOutputSerializer(report).data, status=status.HTTP_201_CREATED)


class ReportDetailApi(SmeApi):
    @extend_schema(
        operation_id="reports_retrieve", tags=["sme"], responses={200: ReportOutputSerializer, **errors(*AUTH, 404)}
    )
    def get(self, request: AuthenticatedRequest, number: str) -> Response:
        return Response(ReportOutputSerializer(_member_report(request, number)).data)


class ReportPdfApi(SmeApi):
    @extend_schema(
        operation_id="reports_pdf",
        tags=["sme"],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **errors(*AUTH, 404)},
    )
    def get(self, request: AuthenticatedRequest, number: str) -> HttpResponse:
        report = report_get_for_member(user=request.user, number=number, with_pdf=True)
        if report is None:
            raise Http404
        return pdf_response(report)


class ReportRevokeApi(SmeApi):
    @extend_schema(
        operation_id="reports_revoke",
        tags=["sme"],
        request=None,
        responses={200: ReportOutputSerializer, **errors(400, *AUTH, 404)},
    )
    def post(self, request: AuthenticatedRequest, number: str) -> Response:
        report = _member_report(request, number)
        report_revoke(report=report, user=request.user)
        return Response(ReportOutputSerializer(report).data)


class ReportVerifyApi(APIView):
    """Anyone may check a report: its public facts, and whether a copy's SHA-256
    (``?sha256=``) matches the issued file."""

    permission_classes = [AllowAny]
    throttle_classes = [ReportVerifyThrottle]

    class QuerySerializer(serializers.Serializer):
        sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}\Z", required=False, help_text="SHA-256 (hex) of a copy.")

    class OutputSerializer(serializers.Serializer):
        number = serializers.CharField()
        issuer = serializers.CharField()
        enterprise_name = serializers.CharField()
        enterprise_uscc = serializers.CharField()
        purpose = serializers.ChoiceField(choices=ReportPurpose.choices)
        period_start = serializers.DateField()
        period_end = serializers.DateField()
        issued_at = serializers.DateTimeField()
        status = serializers.ChoiceField(choices=ReportStatus.choices)
        revoked_at = serializers.DateTimeField(allow_null=True)
        sha256 = serializers.CharField()
        digest_matches = serializers.BooleanField(
            allow_null=True, help_text="Whether ?sha256= is the issued file's digest (null when not asked)."
        )

    @extend_schema(
        operation_id="reports_verify",
        tags=["public"],
        auth=[],
        parameters=[OpenApiParameter("sha256", str, description="SHA-256 (hex) of a copy to check.")],
        responses={200: OutputSerializer, **errors(400, 404, 429)},
    )
    def get(self, request: Request, number: str) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        report = report_get_public(number=number)
        if report is None:
            raise ApiError(404, "not_found", _("平台没有该编号的信用报告。"))
        digest = query.validated_data.get("sha256")
        revocation = report.revocation_or_none
        data = {
            "number": report.number,
            "issuer": ISSUER,
            "enterprise_name": report.enterprise_name,
            "enterprise_uscc": report.enterprise_uscc,
            "purpose": report.purpose,
            "period_start": report.period_start,
            "period_end": report.period_end,
            "issued_at": report.issued_at,
            "status": report.status,
            "revoked_at": revocation.revoked_at if revocation else None,
            "sha256": report.sha256,
            "digest_matches": report_digest_matches(report=report, sha256=digest) if digest else None,
        }
        return Response(self.OutputSerializer(data).data)
