"""A bank's own leads: ranked list, detail with the authorized credit profile (logged,
channel "api"), claim, decision and disbursement."""

from __future__ import annotations

from typing import Any, TypeVar

import django_filters
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from loanhub.consent.exceptions import NotAuthorized
from loanhub.consent.models import Channel
from loanhub.credit_data.selectors import credit_profile_for_viewer
from loanhub.matching.judgements import judgement_data, judgements_shown_log, leads_with_judgements, profile_purposes
from loanhub.matching.lifecycle import (
    MAX_DECLINE_REASONS,
    lead_approve,
    lead_claim,
    lead_decline,
    lead_disburse,
)
from loanhub.matching.models import DeclineReason, Lead, LeadStatus
from loanhub.matching.selectors import (
    LEAD_SORTS,
    lead_get_for_staff,
    lead_list_for_staff,
)
from loanhub.scoring.exceptions import NoActiveModel
from loanhub.scoring.services import score_for_scope

from ..lead_rows import CountedRows, lead_rows
from ..permissions import IsBankStaff, api_user
from ..schema import AUTH, errors
from ..serializers import (
    CreditProfileSerializer,
    EventSerializer,
    LeadBaseSerializer,
    ScoreSerializer,
)
from ..throttling import ExpensiveRateThrottle

_Row = TypeVar("_Row")


class LeadFilterSet(django_filters.FilterSet):
    """Validates the query; the workbench's selector does the filtering and ranking."""

    status = django_filters.ChoiceFilter(choices=[*LeadStatus.choices, ("overdue", "overdue")])
    product = django_filters.NumberFilter(min_value=1, max_value=2**31 - 1)
    grade = django_filters.ChoiceFilter(choices=[(g, g) for g in "ABCDE"])
    amount_min = django_filters.NumberFilter(min_value=0, max_value=10**12, help_text="Yuan.")
    amount_max = django_filters.NumberFilter(min_value=0, max_value=10**12, help_text="Yuan.")
    region = django_filters.CharFilter(
        max_length=6, validators=[RegexValidator(r"^[0-9]{1,6}\Z")], help_text="Region code prefix, e.g. 440100."
    )
    overdue = django_filters.BooleanFilter()
    mine = django_filters.BooleanFilter(help_text="Only leads I claimed.")
    q = django_filters.CharFilter(max_length=100, help_text="Enterprise name contains.")
    ordering = django_filters.ChoiceFilter(
        choices=[(k, k) for k in LEAD_SORTS], help_text="rank (default), newest, amount, deadline."
    )

    class Meta:
        model = Lead
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
        data = {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "")}
        filters = {
            **data,
            "sort": data.pop("ordering", "rank"),
            "mine": api_user(self.request).pk if data.get("mine") else "",
        }
        return lead_list_for_staff(user=api_user(self.request), filters=filters)


FILTER_NAMES = frozenset(LeadFilterSet.base_filters)


class EnterpriseRefSerializer(serializers.Serializer):
    uscc = serializers.CharField()
    name = serializers.CharField()
    region = serializers.CharField()
    industry = serializers.CharField()
    registration_date = serializers.DateField()


class NeedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    term_months = serializers.IntegerField()
    purpose = serializers.CharField()
    urgency = serializers.CharField()
    collateral_offered = serializers.ListField(child=serializers.CharField())


class BankEventSerializer(EventSerializer):
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True)

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "actor"]


class JudgementSerializer(serializers.Serializer):
    visible = serializers.BooleanField(help_text="Whether a live authorization lets this bank see the judgement.")
    reason = serializers.CharField(
        help_text="Why not: revoked, expired, purpose, none, refreshing (empty when visible)."
    )
    reason_text = serializers.CharField(help_text="The same in words (Chinese, or English with Accept-Language: en).")
    categories = serializers.ListField(
        child=serializers.CharField(), help_text="Categories the judgement was computed from."
    )


class LeadOutputSerializer(LeadBaseSerializer):
    """A lead as its bank sees it. The judgement fields (grade … expected_value) are the
    scoped score's, and null unless ``judgement.visible`` (DESIGN.md §4)."""

    enterprise = EnterpriseRefSerializer()
    # A subclass may declare a field of another type (DRF collects declared fields by name).
    need = NeedRefSerializer()  # type: ignore[assignment]
    claimed_by = serializers.CharField(source="claimed_by.username", default=None, allow_null=True)
    events = BankEventSerializer(many=True)
    grade = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField()
    pd = serializers.SerializerMethodField()
    likelihood = serializers.SerializerMethodField()
    bank_score = serializers.SerializerMethodField()
    expected_value = serializers.SerializerMethodField()
    judgement = serializers.SerializerMethodField()

    class Meta(LeadBaseSerializer.Meta):
        fields = [
            *LeadBaseSerializer.Meta.fields, "enterprise", "grade", "score", "pd", "likelihood", "bank_score",
            "expected_value", "judgement", "claimed_by", "claimed_at", "decided_at",
        ]  # fmt: skip

    @staticmethod
    def _shown(lead: Lead, name: str) -> Any:
        return getattr(lead, name) if lead.coverage.visible else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_grade(self, lead: Lead) -> str | None:
        return self._shown(lead, "grade")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_score(self, lead: Lead) -> int | None:
        return self._shown(lead, "score")

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_pd(self, lead: Lead) -> float | None:
        return self._shown(lead, "pd")

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_likelihood(self, lead: Lead) -> float | None:
        return self._shown(lead, "likelihood")

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_bank_score(self, lead: Lead) -> float | None:
        return self._shown(lead, "bank_score")

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_expected_value(self, lead: Lead) -> float | None:
        return self._shown(lead, "expected_value")

    @extend_schema_field(JudgementSerializer)
    def get_judgement(self, lead: Lead) -> dict:
        return judgement_data(lead.coverage, lead.judgement_categories)


class LeadDetailSerializer(LeadOutputSerializer):
    credit_profile = CreditProfileSerializer(
        allow_null=True,
        help_text="Null unless a live authorization's purpose allows the records now: underwriting (贷前审查) "
        "once the lead is claimed, monitoring (贷后管理) once disbursed.",
    )
    scoped_score = ScoreSerializer(allow_null=True, help_text="Scored only from what the authorization covers.")

    class Meta(LeadOutputSerializer.Meta):
        fields = [*LeadOutputSerializer.Meta.fields, "credit_profile", "scoped_score"]


class BankApi(GenericAPIView):
    permission_classes = [IsBankStaff]

    def lead(self, pk: int) -> Lead:
        lead = lead_get_for_staff(user=api_user(self.request), pk=pk)
        if lead is None:
            raise Http404  # another bank's lead does not exist for this caller
        return lead

    def answer(self, lead: Lead) -> Response:
        lead = self.lead(lead.pk)
        leads_with_judgements([lead], viewer=api_user(self.request), channel=Channel.API, detail="线索（接口）")
        return Response(LeadOutputSerializer(lead).data)


class LeadListApi(BankApi):
    filterset_class = LeadFilterSet

    def get_queryset(self) -> QuerySet[Lead]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return Lead.objects.none()
        return lead_list_for_staff(user=api_user(self.request))

    def filter_queryset(self, queryset: QuerySet[Any, _Row]) -> QuerySet[Any, _Row]:
        if FILTER_NAMES.isdisjoint(self.request.query_params):
            return queryset  # no filter asked for: already the bank's ranked list
        return super().filter_queryset(queryset)

    @extend_schema(
        operation_id="leads_list", tags=["bank"], responses={200: LeadOutputSerializer(many=True), **errors(400, *AUTH)}
    )
    def get(self, request: Request) -> Response:
        rows = CountedRows(self.filter_queryset(self.get_queryset()))
        # Django's Paginator pages anything with count() and slices; DRF's stubs ask for a QuerySet or a Sequence.
        page: list[dict[str, Any]] | None = self.paginate_queryset(rows)  # type: ignore[arg-type]
        return self.get_paginated_response(lead_rows(page or [], viewer=api_user(request)))


class LeadDetailApi(BankApi):
    throttle_classes = [ExpensiveRateThrottle]

    @extend_schema(
        operation_id="leads_retrieve", tags=["bank"], responses={200: LeadDetailSerializer, **errors(*AUTH, 404)}
    )
    def get(self, request: Request, pk: int) -> Response:
        lead = self.lead(pk)
        leads_with_judgements(
            [lead], viewer=api_user(request), channel=Channel.API, detail="线索详情（接口）", log=False
        )
        lead.credit_profile = lead.scoped_score = None
        try:
            # The one door: applies the live authorization (for a purpose that allows
            # the records at this stage of the lead) and writes the access log.
            lead.credit_profile = credit_profile_for_viewer(
                viewer=api_user(request), enterprise=lead.enterprise, channel=Channel.API,
                detail=f"线索详情（接口）：线索 #{lead.pk}",
                purposes=profile_purposes(lead.status),
            )  # fmt: skip
            lead.scoped_score = score_for_scope(lead.enterprise, lead.credit_profile.scope)
        except NotAuthorized:  # no records at this stage: the judgement alone is read
            judgements_shown_log([lead], viewer=api_user(request), channel=Channel.API, detail="线索详情（接口）")
        except NoActiveModel:
            lead.scoped_score = None
        return Response(LeadDetailSerializer(lead).data)


class LeadClaimApi(BankApi):
    @extend_schema(
        operation_id="leads_claim",
        tags=["bank"],
        request=None,
        responses={200: LeadOutputSerializer, **errors(*AUTH, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.answer(lead_claim(lead=self.lead(pk), officer=api_user(request)))


class LeadDecisionApi(BankApi):
    class InputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(choices=["approve", "decline"])
        amount = serializers.DecimalField(
            max_digits=14, decimal_places=2, min_value=0, max_value=10**11, required=False,
            help_text="Approved amount in yuan (元), not 万元: 1500000 for 150万元. Must lie within the product's "
            "amount_min..amount_max (else 400 with the range under details.amount).",
        )  # fmt: skip
        rate = serializers.DecimalField(
            max_digits=5, decimal_places=2, min_value=0, max_value=36, required=False,
            help_text="Annual rate in per cent (3.85 = 3.85%), within the product's rate_min..rate_max.",
        )  # fmt: skip
        term_months = serializers.IntegerField(
            min_value=1, max_value=360, required=False,
            help_text="Term in months, within the product's term_min_months..term_max_months.",
        )  # fmt: skip
        confirm_above_need = serializers.BooleanField(
            default=False,
            help_text="An amount above the SME's requested amount is refused (400, details.confirm_above_need) "
            "unless this is true.",
        )
        reasons = serializers.ListField(
            child=serializers.ChoiceField(choices=DeclineReason.choices), required=False, max_length=MAX_DECLINE_REASONS
        )
        note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
        refer = serializers.BooleanField(default=False, help_text="Decline and refer to other banks.")

        def validate(self, data: dict) -> dict:
            need = ("amount", "rate", "term_months") if data["decision"] == "approve" else ("reasons",)
            missing = {f: [serializers.Field.default_error_messages["required"]] for f in need if f not in data}
            if missing:
                raise serializers.ValidationError(missing)
            return data

    @extend_schema(
        operation_id="leads_decision",
        tags=["bank"],
        request=InputSerializer,
        responses={200: LeadOutputSerializer, **errors(400, *AUTH, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d, lead = data.validated_data, self.lead(pk)
        if d["decision"] == "approve":
            lead = lead_approve(
                lead=lead, officer=api_user(request), amount=d["amount"], rate=d["rate"], term_months=d["term_months"],
                confirm_above_need=d["confirm_above_need"],
            )  # fmt: skip
        else:
            lead = lead_decline(
                lead=lead, officer=api_user(request), reasons=d["reasons"], note=d["note"], refer=d["refer"]
            )
        return self.answer(lead)


class LeadDisbursementApi(BankApi):
    class InputSerializer(serializers.Serializer):
        amount = serializers.DecimalField(
            max_digits=14, decimal_places=2, min_value=0, max_value=10**11,
            help_text="Disbursed amount in yuan (元), not 万元; at most the approved amount.",
        )  # fmt: skip
        date = serializers.DateField(help_text="Day the money was paid out (YYYY-MM-DD).")

    @extend_schema(
        operation_id="leads_disbursement",
        tags=["bank"],
        request=InputSerializer,
        responses={200: LeadOutputSerializer, **errors(400, *AUTH, 404, 409)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lead = lead_disburse(
            lead=self.lead(pk),
            officer=api_user(request),
            amount=data.validated_data["amount"],
            disbursed_on=data.validated_data["date"],
        )
        return self.answer(lead)
