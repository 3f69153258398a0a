"""An SME's own data: enterprises, authorizations, access log, needs, applications,
objections. Every query starts from the caller's memberships."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from cms.choices import ProductType
from loanhub.consent.models import (
    AccessLog,
    Authorization,
    Channel,
    GranteeType,
    Purpose,
)
from loanhub.consent.services import authorization_grant, authorization_revoke
from loanhub.credit_data.catalog import CATEGORY_CODES
from loanhub.credit_data.models import CreditRecord
from loanhub.credit_data.selectors import credit_profile_for_viewer
from loanhub.disputes.models import Objection
from loanhub.disputes.services import objection_raise
from loanhub.enterprises.models import Enterprise
from loanhub.enterprises.selectors import enterprise_list_for_member
from loanhub.enterprises.services import enterprise_require_verified
from loanhub.enterprises.uscc import uscc_validator
from loanhub.institutions.models import FinancialInstitution
from loanhub.institutions.selectors import institution_list
from loanhub.matching import matcher
from loanhub.matching.models import FinancingNeed, Lead, NeedStatus, Urgency, Visibility
from loanhub.matching.needs import (
    COLLATERAL_KINDS,
    apply_direct,
    need_apply_product,
    need_post,
    need_update,
    need_withdraw,
)
from loanhub.matching.selectors import lead_list_for_member, need_list_for_member
from loanhub.scoring.selectors import data_coverage, improvement_tips, score_latest

from ..permissions import IsSme, api_user
from ..schema import AUTH, errors
from ..serializers import (
    CreditProfileSerializer,
    InstitutionRefSerializer,
    LeadBaseSerializer,
    ScoreSerializer,
)
from ..throttling import ExpensiveRateThrottle

_M = TypeVar("_M", bound=Model)

ENTERPRISE_PARAM = OpenApiParameter("enterprise", str, description="Only this enterprise (USCC).")


class EnterpriseQuerySerializer(serializers.Serializer):
    """``?enterprise=``: a well-formed USCC or a 400 (a NUL byte was a 500 on PostgreSQL)."""

    enterprise = serializers.CharField(required=False, allow_blank=True, validators=[uscc_validator])


class SmeApi(GenericAPIView):
    permission_classes = [IsSme]

    def enterprises(self) -> QuerySet[Enterprise]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return Enterprise.objects.none()
        return enterprise_list_for_member(user=api_user(self.request))

    def only_enterprise(self, qs: QuerySet[_M], field: str = "enterprise__uscc") -> QuerySet[_M]:
        query = EnterpriseQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        uscc = query.validated_data.get("enterprise")
        return qs.filter(**{field: uscc.strip().upper()}) if uscc else qs

    def page(self, qs: QuerySet[Any], serializer_class: type[serializers.BaseSerializer]) -> Response:
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(serializer_class(page, many=True).data)


@extend_schema_field(OpenApiTypes.STR)
class EnterpriseField(serializers.SlugRelatedField):
    """An enterprise (by USCC) among the caller's own; any other does not exist."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="uscc", **kwargs)

    def to_internal_value(self, data: object) -> Enterprise:
        if not isinstance(data, str) or "\x00" in data:  # PostgreSQL refuses NUL: was a 500
            self.fail("invalid")
        return super().to_internal_value(data)

    def get_queryset(self) -> QuerySet[Enterprise]:
        request = self.context.get("request")
        return enterprise_list_for_member(user=api_user(request)) if request else Enterprise.objects.none()


# ----------------------------------------------------------------- enterprises/me


class EnterpriseMeSerializer(serializers.ModelSerializer):
    credit_profile = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField()
    advice = serializers.SerializerMethodField()

    class Meta:
        model = Enterprise
        fields = [
            "uscc", "name", "legal_representative", "region", "region_name", "industry", "industry_name",
            "registration_date", "registered_capital", "size_class", "is_synthetic", "verification_status",
            "credit_profile", "score", "advice",
        ]  # fmt: skip

    @extend_schema_field(CreditProfileSerializer(allow_null=True))
    def get_credit_profile(self, enterprise: Enterprise) -> dict | None:
        if not enterprise.is_verified:  # 待认证: no records until verified
            return None
        # The enterprise's own view: the one door, which does not log own reads.
        profile = credit_profile_for_viewer(viewer=self.context["user"], enterprise=enterprise, channel=Channel.API)
        return CreditProfileSerializer(profile).data

    @extend_schema_field(ScoreSerializer(allow_null=True))
    def get_score(self, enterprise: Enterprise) -> dict | None:
        if not enterprise.is_verified or not data_coverage(enterprise=enterprise).rated:
            return None  # below the data minimum: not rated (数据不足，暂不评级)
        score = score_latest(enterprise=enterprise)
        return ScoreSerializer(score).data if score else None

    def get_advice(self, enterprise: Enterprise) -> list[str]:
        if not enterprise.is_verified or not data_coverage(enterprise=enterprise).rated:
            return []
        return improvement_tips(score=score_latest(enterprise=enterprise))


class EnterpriseMeApi(SmeApi):
    pagination_class = None

    def get_queryset(self) -> QuerySet[Enterprise]:
        return self.enterprises()

    @extend_schema(
        operation_id="enterprises_me", tags=["sme"], responses={200: EnterpriseMeSerializer(many=True), **errors(*AUTH)}
    )
    def get(self, request: Request) -> Response:
        data = EnterpriseMeSerializer(self.enterprises(), many=True, context={"user": api_user(request)}).data
        return Response(data)


# ------------------------------------------------------------------- consents


class ConsentOutputSerializer(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="enterprise.uscc")
    institution = InstitutionRefSerializer(allow_null=True)
    status = serializers.CharField(source="effective_status")

    class Meta:
        model = Authorization
        fields = [
            "id", "enterprise", "grantee_type", "institution", "purpose", "categories", "data_from",
            "valid_from", "expires_at", "status", "text_version", "text_hash", "created_at", "revoked_at",
        ]  # fmt: skip


class ConsentDetailSerializer(ConsentOutputSerializer):
    class Meta(ConsentOutputSerializer.Meta):
        fields = [*ConsentOutputSerializer.Meta.fields, "text"]


class ConsentListApi(SmeApi):
    class InputSerializer(serializers.Serializer):
        enterprise = EnterpriseField()
        password = serializers.CharField(max_length=128, trim_whitespace=False, help_text="The signer's password.")
        grantee_type = serializers.ChoiceField(choices=GranteeType.choices)
        institution = serializers.PrimaryKeyRelatedField(queryset=institution_list(), required=False, allow_null=True)
        purpose = serializers.ChoiceField(choices=Purpose.choices)
        categories = serializers.ListField(
            child=serializers.ChoiceField(choices=CATEGORY_CODES), min_length=1, max_length=len(CATEGORY_CODES)
        )
        data_from = serializers.DateField()
        expires_at = serializers.DateTimeField()
        sensitive_confirmed = serializers.BooleanField(default=False)

    def get_queryset(self) -> QuerySet[Authorization]:
        return (
            Authorization.objects.filter(enterprise__in=self.enterprises())
            .select_related("enterprise", "institution")
            .order_by("-created_at", "-pk")
        )

    @extend_schema(
        operation_id="consents_list",
        tags=["sme"],
        parameters=[ENTERPRISE_PARAM],
        responses={200: ConsentOutputSerializer(many=True), **errors(*AUTH)},
    )
    def get(self, request: Request) -> Response:
        return self.page(self.only_enterprise(self.get_queryset()), ConsentOutputSerializer)

    @extend_schema(
        operation_id="consents_create",
        tags=["sme"],
        request=InputSerializer,
        responses={201: ConsentDetailSerializer, **errors(400, *AUTH)},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        artefact = authorization_grant(user=api_user(request), **data.validated_data)
        return Response(ConsentDetailSerializer(artefact).data, status=status.HTTP_201_CREATED)


class ConsentRevokeApi(SmeApi):
    @extend_schema(
        operation_id="consents_revoke",
        tags=["sme"],
        request=None,
        responses={200: ConsentOutputSerializer, **errors(*AUTH, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        artefact = get_object_or_404(Authorization.objects.filter(enterprise__in=self.enterprises()), pk=pk)
        return Response(
            ConsentOutputSerializer(authorization_revoke(authorization=artefact, user=api_user(request))).data
        )


# ------------------------------------------------------------------ access log


class AccessLogSerializer(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="enterprise.uscc")
    viewer = serializers.SerializerMethodField()
    institution = InstitutionRefSerializer(allow_null=True)

    class Meta:
        model = AccessLog
        fields = ["id", "enterprise", "at", "viewer", "institution", "categories", "purpose", "channel", "detail"]

    def get_viewer(self, entry: AccessLog) -> str | None:
        return str(entry.user) if entry.user_id else None


class AccessLogListApi(SmeApi):
    def get_queryset(self) -> QuerySet[AccessLog]:
        return (
            AccessLog.objects.filter(enterprise__in=self.enterprises())
            .select_related("enterprise", "user", "institution")
            .order_by("-at", "-pk")
        )

    @extend_schema(
        operation_id="access_log_list",
        tags=["sme"],
        parameters=[ENTERPRISE_PARAM],
        responses={200: AccessLogSerializer(many=True), **errors(*AUTH)},
    )
    def get(self, request: Request) -> Response:
        return self.page(self.only_enterprise(self.get_queryset()), AccessLogSerializer)


# ----------------------------------------------------------------------- needs


class SmeLeadSerializer(LeadBaseSerializer):
    enterprise = serializers.CharField(source="enterprise.uscc")

    class Meta(LeadBaseSerializer.Meta):
        fields = ["enterprise", *LeadBaseSerializer.Meta.fields]


class NeedOutputSerializer(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="enterprise.uscc")
    banks: serializers.PrimaryKeyRelatedField[FinancialInstitution] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = FinancingNeed
        fields = [
            "id", "enterprise", "amount", "term_months", "purpose", "urgency", "collateral_offered",
            "product_types", "visibility", "banks", "source", "status", "created_at", "updated_at",
        ]  # fmt: skip


class NeedDetailSerializer(NeedOutputSerializer):
    leads = SmeLeadSerializer(many=True)

    class Meta(NeedOutputSerializer.Meta):
        fields = [*NeedOutputSerializer.Meta.fields, "leads"]


class NeedFieldsSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=1000, max_value=100_000_000,
        help_text="Amount in yuan (元), not 万元: 500000 for 50万元.",
    )  # fmt: skip
    term_months = serializers.IntegerField(min_value=1, max_value=360)
    purpose = serializers.CharField(max_length=300)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    collateral_offered = serializers.ListField(
        child=serializers.ChoiceField(choices=COLLATERAL_KINDS), default=list, max_length=4
    )
    product_types = serializers.ListField(
        child=serializers.ChoiceField(choices=ProductType.choices), default=list, max_length=10
    )
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.ALL)
    banks = serializers.PrimaryKeyRelatedField(queryset=institution_list(), many=True, required=False)


class NeedListApi(SmeApi):
    class InputSerializer(NeedFieldsSerializer):
        enterprise = EnterpriseField()
        products = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), required=False, max_length=20,
            help_text="Matched products to apply to at once. Posting applies to nothing by itself: without "
            "this, read /needs/{id}/matches/ and apply with /needs/{id}/apply/.",
        )  # fmt: skip

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=NeedStatus.choices, required=False, allow_blank=True)

    def get_queryset(self) -> QuerySet[FinancingNeed]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return FinancingNeed.objects.none()
        return need_list_for_member(user=api_user(self.request)).prefetch_related("banks")

    @extend_schema(
        operation_id="needs_list", tags=["sme"],
        parameters=[ENTERPRISE_PARAM, OpenApiParameter("status", str, enum=NeedStatus.values)],
        responses={200: NeedOutputSerializer(many=True), **errors(*AUTH)},
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        qs = self.only_enterprise(self.get_queryset())
        query = self.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        if query.validated_data.get("status"):
            qs = qs.filter(status=query.validated_data["status"])
        return self.page(qs, NeedOutputSerializer)

    @extend_schema(
        operation_id="needs_create",
        tags=["sme"],
        request=InputSerializer,
        responses={201: NeedDetailSerializer, **errors(400, *AUTH, 409, 422)},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        need = need_post(user=api_user(request), product_ids=fields.pop("products", None), **fields)
        return Response(NeedDetailSerializer(need_get(request, need.pk)).data, status=status.HTTP_201_CREATED)


def need_get(request: Request, pk: int) -> FinancingNeed:
    qs = need_list_for_member(user=api_user(request)).prefetch_related(
        "banks", "leads__events", "leads__product", "leads__institution"
    )
    return get_object_or_404(qs, pk=pk)


class NeedDetailApi(SmeApi):
    class InputSerializer(NeedFieldsSerializer):
        pass

    @extend_schema(
        operation_id="needs_retrieve", tags=["sme"], responses={200: NeedDetailSerializer, **errors(*AUTH, 404)}
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(NeedDetailSerializer(need_get(request, pk)).data)

    @extend_schema(
        operation_id="needs_update",
        tags=["sme"],
        request=InputSerializer,
        responses={200: NeedDetailSerializer, **errors(400, *AUTH, 404, 409)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        need = need_get(request, pk)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        need_update(user=api_user(request), need=need, **data.validated_data)
        return Response(NeedDetailSerializer(need_get(request, pk)).data)


class NeedWithdrawApi(SmeApi):
    @extend_schema(
        operation_id="needs_withdraw",
        tags=["sme"],
        request=None,
        responses={200: NeedDetailSerializer, **errors(400, *AUTH, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        need_withdraw(user=api_user(request), need=need_get(request, pk))
        return Response(NeedDetailSerializer(need_get(request, pk)).data)


class MatchSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    institution_id = serializers.IntegerField()
    institution_name = serializers.CharField()
    product_type = serializers.CharField()
    rate_min = serializers.FloatField()
    rate_max = serializers.FloatField()
    amount_max = serializers.FloatField(help_text="Yuan (元).")
    eligible = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why it matched, or why not.")
    likelihood = serializers.FloatField(help_text="Estimated approval likelihood, 0–1.")


class MatchesSerializer(serializers.Serializer):
    eligible = MatchSerializer(many=True)
    near_misses = MatchSerializer(many=True)


class NeedMatchesApi(SmeApi):
    throttle_classes = [ExpensiveRateThrottle]
    pagination_class = None

    @extend_schema(operation_id="needs_matches", tags=["sme"], responses={200: MatchesSerializer, **errors(*AUTH, 404)})
    def get(self, request: Request, pk: int) -> Response:
        result = matcher.match_need(need_get(request, pk))
        return Response(MatchesSerializer({"eligible": result.eligible, "near_misses": result.near_misses}).data)


class NeedApplyApi(SmeApi):
    throttle_classes = [ExpensiveRateThrottle]

    class InputSerializer(serializers.Serializer):
        product = serializers.IntegerField(min_value=1, max_value=2**31 - 1)

    @extend_schema(
        operation_id="needs_apply",
        tags=["sme"],
        request=InputSerializer,
        responses={201: SmeLeadSerializer, **errors(400, *AUTH, 404, 422)},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lead = need_apply_product(
            user=api_user(request), need=need_get(request, pk), product_id=data.validated_data["product"]
        )
        return Response(
            SmeLeadSerializer(lead_list_for_member(user=api_user(request)).get(pk=lead.pk)).data,
            status=status.HTTP_201_CREATED,
        )


# ----------------------------------------------------------------- applications


class ApplicationListApi(SmeApi):
    throttle_classes = [ExpensiveRateThrottle]

    class InputSerializer(serializers.Serializer):
        enterprise = EnterpriseField()
        product = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
        amount = serializers.DecimalField(
            max_digits=14, decimal_places=2, min_value=1000, max_value=100_000_000,
            help_text="Amount in yuan (元), not 万元: 500000 for 50万元.",
        )  # fmt: skip
        term_months = serializers.IntegerField(min_value=1, max_value=360)
        purpose = serializers.CharField(max_length=300)
        collateral_offered = serializers.ListField(
            child=serializers.ChoiceField(choices=COLLATERAL_KINDS), default=list, max_length=4
        )

    def get_queryset(self) -> QuerySet[Lead]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return Lead.objects.none()
        return lead_list_for_member(user=api_user(self.request))

    def get_throttles(self) -> list[BaseThrottle]:
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(
        operation_id="applications_list",
        tags=["sme"],
        parameters=[ENTERPRISE_PARAM],
        responses={200: SmeLeadSerializer(many=True), **errors(*AUTH)},
    )
    def get(self, request: Request) -> Response:
        return self.page(self.only_enterprise(self.get_queryset()), SmeLeadSerializer)

    @extend_schema(
        operation_id="applications_create",
        tags=["sme"],
        request=InputSerializer,
        responses={201: SmeLeadSerializer, **errors(400, *AUTH, 409, 422)},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        lead = apply_direct(user=api_user(request), product_id=values.pop("product"), **values)
        return Response(SmeLeadSerializer(self.get_queryset().get(pk=lead.pk)).data, status=status.HTTP_201_CREATED)


# --------------------------------------------------------------------- disputes


class RecordRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    category = serializers.CharField()
    record_date = serializers.DateField()


class ObjectionSerializer(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="enterprise.uscc")
    record = RecordRefSerializer()

    class Meta:
        model = Objection
        fields = ["id", "enterprise", "record", "reason", "status", "answer", "due_date", "created_at", "resolved_at"]


class DisputeListApi(SmeApi):
    class InputSerializer(serializers.Serializer):
        enterprise = EnterpriseField()
        record = serializers.IntegerField(
            min_value=1, max_value=2**63 - 1, help_text="Credit record id (from enterprises/me)."
        )
        reason = serializers.CharField(max_length=2000)

    def get_queryset(self) -> QuerySet[Objection]:
        return (
            Objection.objects.filter(enterprise__in=self.enterprises())
            .select_related("enterprise", "record")
            .order_by("-created_at", "-pk")
        )

    @extend_schema(
        operation_id="disputes_list",
        tags=["sme"],
        parameters=[ENTERPRISE_PARAM],
        responses={200: ObjectionSerializer(many=True), **errors(*AUTH)},
    )
    def get(self, request: Request) -> Response:
        return self.page(self.only_enterprise(self.get_queryset()), ObjectionSerializer)

    @extend_schema(
        operation_id="disputes_create",
        tags=["sme"],
        request=InputSerializer,
        responses={201: ObjectionSerializer, **errors(400, *AUTH, 404)},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        enterprise = data.validated_data["enterprise"]
        enterprise_require_verified(enterprise)  # 待认证: its records are not its to see yet
        record = get_object_or_404(CreditRecord, pk=data.validated_data["record"], uscc=enterprise.uscc)
        objection = objection_raise(
            user=api_user(request), enterprise=enterprise, record=record, reason=data.validated_data["reason"]
        )
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)
