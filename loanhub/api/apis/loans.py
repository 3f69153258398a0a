"""Loans after disbursement: a bank's own loans (or an SME's own), one loan with its schedule,
and its performance reports (a bank posts them, idempotently per loan and day)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from loanhub.consent.models import Channel
from loanhub.enterprises.uscc import uscc_validator
from loanhub.loans.models import Loan, LoanStatus, PerformanceReport, ReportChannel
from loanhub.loans.selectors import (
    STATUS_GROUPS,
    loan_get,
    loan_list,
    loan_list_for_member,
    loan_reports,
    loan_schedule,
)
from loanhub.loans.services import MAX_NOTE, ReportResult, loan_read_log, performance_report

from ..permissions import IsBankStaff, IsSme, api_user
from ..schema import AUTH, errors
from ..serializers import InstitutionRefSerializer, ProductRefSerializer

YUAN = "In yuan (元), not 万元: 1500000 for 150万元."


class LoanQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[*LoanStatus.values, *STATUS_GROUPS], required=False,
        help_text="A status, or live (not closed) / closed (repaid, renewed, written off).",
    )  # fmt: skip
    product = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    overdue = serializers.BooleanField(required=False, help_text="Only loans past due.")
    maturing = serializers.IntegerField(
        min_value=0, max_value=366, required=False, help_text="Only live loans maturing within this many days."
    )
    q = serializers.CharField(max_length=100, required=False, help_text="Enterprise name contains, or USCC prefix.")
    enterprise = serializers.CharField(
        required=False, validators=[uscc_validator], help_text="SME callers: only this enterprise (USCC)."
    )


QUERY_PARAMS = [
    OpenApiParameter(
        "status", str, enum=[*LoanStatus.values, *STATUS_GROUPS], description="A status, or live / closed."
    ),
    OpenApiParameter("product", int, description="Only this product (id)."),
    OpenApiParameter("overdue", bool, description="Only loans past due."),
    OpenApiParameter("maturing", int, description="Only live loans maturing within this many days (0–366)."),
    OpenApiParameter("q", str, description="Enterprise name contains, or USCC prefix."),
    OpenApiParameter("enterprise", str, description="SME callers: only this enterprise (USCC)."),
]


class LoanEnterpriseSerializer(serializers.Serializer):
    uscc = serializers.CharField()
    name = serializers.CharField()


class LoanOutputSerializer(serializers.ModelSerializer):
    enterprise = LoanEnterpriseSerializer()
    institution = InstitutionRefSerializer()
    product = ProductRefSerializer()
    lead = serializers.IntegerField(source="lead_id", help_text="The lead the loan came from.")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=f"Disbursed amount. {YUAN}")
    outstanding = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=f"Latest balance. {YUAN}")
    annual_rate = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="Per cent: 3.85 = 3.85%.")
    status_display = serializers.CharField(source="get_status_display", help_text="The status in words.")

    class Meta:
        model = Loan
        fields = [
            "id", "lead", "enterprise", "institution", "product", "amount", "annual_rate", "term_months",
            "repayment_method", "disbursed_on", "maturity_date", "status", "status_display", "status_as_of",
            "outstanding", "days_past_due", "is_first_loan", "is_credit", "is_sandbox",
        ]  # fmt: skip


class InstalmentSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    due_on = serializers.DateField()
    principal = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=YUAN)
    interest = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=YUAN)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=YUAN)
    balance_after = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=YUAN)


class LoanDetailSerializer(LoanOutputSerializer):
    schedule = serializers.SerializerMethodField()

    class Meta(LoanOutputSerializer.Meta):
        fields = [*LoanOutputSerializer.Meta.fields, "schedule"]

    @extend_schema_field(InstalmentSerializer(many=True))
    def get_schedule(self, loan: Loan) -> Any:
        return InstalmentSerializer(loan_schedule(loan=loan), many=True).data


class LoanReportSerializer(serializers.ModelSerializer):
    outstanding = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=YUAN)
    status_display = serializers.CharField(source="get_status_display")
    reported_by = serializers.CharField(source="reported_by.username", default=None, allow_null=True)

    class Meta:
        model = PerformanceReport
        fields = [
            "id", "as_of", "status", "status_display", "outstanding", "days_past_due", "note", "channel",
            "reported_by", "corrections", "created_at", "updated_at",
        ]  # fmt: skip


class LoanSmeReportSerializer(serializers.ModelSerializer):
    """What the SME sees of a report: the day and the status."""

    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        model = PerformanceReport
        fields = ["as_of", "status", "status_display"]


class LoanApi(GenericAPIView):
    """Bank staff see their institution's loans; SME users their enterprises' loans."""

    permission_classes = [IsBankStaff | IsSme]

    def loans(self, filters: dict[str, Any] | None = None) -> QuerySet[Loan]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return Loan.objects.none()
        user = api_user(self.request)
        if user.is_bank_staff:
            return loan_list(institution=user.institution_membership.institution, filters=filters)
        return loan_list_for_member(user=user, filters=filters)

    def loan(self, pk: int) -> Loan:
        user = api_user(self.request)
        loan = loan_get(viewer=user, pk=pk) if user.is_bank_staff else self.loans().filter(pk=pk).first()
        if loan is None:
            raise Http404  # another bank's (or enterprise's) loan does not exist for this caller
        return loan

    def is_bank(self) -> bool:
        return api_user(self.request).is_bank_staff


class LoanListApi(LoanApi):
    def get_queryset(self) -> QuerySet[Loan]:
        return self.loans()

    @extend_schema(
        operation_id="loans_list", tags=["loans"], parameters=QUERY_PARAMS,
        description="Bank staff: the institution's own loans; SME users: their enterprises' loans. "
        "Newest disbursement first. Amounts in yuan (元).",
        responses={200: LoanOutputSerializer(many=True), **errors(400, *AUTH)},
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        query = LoanQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = dict(query.validated_data)
        uscc = filters.pop("enterprise", None)
        qs = self.loans(filters)
        if uscc:
            qs = qs.filter(enterprise__uscc=uscc.strip().upper())
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(LoanOutputSerializer(page, many=True).data)


class LoanDetailApi(LoanApi):
    @extend_schema(
        operation_id="loans_retrieve", tags=["loans"],
        description="One loan with its repayment schedule (computed from its terms). Amounts in yuan (元). "
        "A bank's read is written to the enterprise's access log (purpose monitoring, channel api).",
        responses={200: LoanDetailSerializer, **errors(*AUTH, 404)},
    )  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        loan = self.loan(pk)
        if self.is_bank():
            loan_read_log(
                loan=loan, viewer=api_user(request), channel=Channel.API, detail=f"贷款详情（接口）：贷款 #{loan.pk}"
            )
        return Response(LoanDetailSerializer(loan).data)


class LoanPerformanceApi(LoanApi):
    class InputSerializer(serializers.Serializer):
        as_of = serializers.DateField(help_text="The day the report describes (YYYY-MM-DD), not in the future.")
        status = serializers.ChoiceField(choices=LoanStatus.choices)
        outstanding = serializers.DecimalField(
            max_digits=14, decimal_places=2, help_text=f"Balance on that day, at most the loan amount. {YUAN}"
        )
        days_past_due = serializers.IntegerField(
            min_value=0, max_value=100_000,
            help_text="0 when current; 1–30, 31–90 or 91+ for the dpd statuses.",
        )  # fmt: skip
        note = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")

    def get_queryset(self) -> QuerySet[PerformanceReport]:
        return PerformanceReport.objects.none()  # each call pages its own loan's reports

    @extend_schema(
        operation_id="loans_performance_list", tags=["loans"],
        description="The loan's performance reports, latest day first. An SME user gets the day and the status only.",
        responses={200: LoanReportSerializer(many=True), **errors(*AUTH, 404)},
    )  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        loan = self.loan(pk)
        page = self.paginate_queryset(loan_reports(loan=loan))
        serializer = LoanReportSerializer if self.is_bank() else LoanSmeReportSerializer
        return self.get_paginated_response(serializer(page, many=True).data)

    @extend_schema(
        operation_id="loans_performance_report", tags=["loans"], request=InputSerializer,
        description="Report the loan's performance on one day (bank staff of the lender only). Idempotent per "
        "(loan, as_of): the same values again change nothing (200, result unchanged); other values correct "
        "that day's report (200, result corrected, audited); a new day is 201 (result created). "
        "Refusals are 400 with the reasons by field. Amounts in yuan (元).",
        responses={201: LoanReportSerializer, 200: LoanReportSerializer, **errors(400, *AUTH, 404)},
    )  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        if not self.is_bank():
            raise PermissionDenied(_("只有放款机构的人员可以报告贷款表现。"))
        loan = self.loan(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = performance_report(
            loan=loan, **data.validated_data, channel=ReportChannel.API, user=api_user(request)
        )
        body = {**LoanReportSerializer(outcome.report).data, "result": outcome.result.value}
        code = status.HTTP_201_CREATED if outcome.result == ReportResult.CREATED else status.HTTP_200_OK
        return Response(body, status=code)
