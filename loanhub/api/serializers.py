"""Output shapes shared by several resources (credit profile, score, lead timeline)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from loanhub.consent.selectors import Scope
from loanhub.matching.models import Lead, LeadEvent


class RecordSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    category = serializers.CharField()
    record_date = serializers.DateField()
    payload = serializers.JSONField()
    under_objection = serializers.BooleanField()


class CategorySectionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    sensitive = serializers.BooleanField()
    records = RecordSerializer(many=True)


class ScopeSerializer(serializers.Serializer):
    is_own = serializers.BooleanField()
    categories = serializers.SerializerMethodField()
    purposes = serializers.ListField(child=serializers.CharField())

    def get_categories(self, scope: Scope) -> list[str]:
        return sorted(scope.categories)


class CreditProfileSerializer(serializers.Serializer):
    on = serializers.DateField()
    scope = ScopeSerializer()
    record_count = serializers.IntegerField()
    dishonest_knockout = serializers.BooleanField(help_text="A live dishonest-debtor listing: policy knock-out.")
    sections = CategorySectionSerializer(many=True)


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField(required=False)
    feature = serializers.CharField(required=False)
    value = serializers.JSONField(required=False)
    contribution = serializers.FloatField(required=False)
    direction = serializers.CharField(required=False, help_text="raises | lowers (risk)")
    text_zh = serializers.CharField(required=False)
    text_en = serializers.CharField(required=False)


class ScoreSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    grade = serializers.CharField()
    pd = serializers.FloatField()
    knockout = serializers.BooleanField()
    as_of = serializers.DateField()
    scope = serializers.CharField(help_text="full, institution:<id> or platform")
    categories = serializers.ListField(child=serializers.CharField(), help_text="Categories used (empty: all).")
    model_version = serializers.CharField(source="model_version.version")
    reasons = ReasonSerializer(many=True)
    created_at = serializers.DateTimeField()


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadEvent
        fields = ["kind", "from_status", "to_status", "note", "at"]


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="__str__")


class ProductRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()


class InstitutionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    short_name = serializers.CharField()


class DeclineReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()


class LeadBaseSerializer(serializers.ModelSerializer):
    """What both sides see of a lead: its product, status, clocks, decision."""

    need = serializers.IntegerField(source="need_id")
    product = ProductRefSerializer()
    institution = InstitutionRefSerializer()
    decline_reasons = serializers.SerializerMethodField()
    events = EventSerializer(many=True)

    class Meta:
        model = Lead
        fields = [
            "id", "need", "product", "institution", "status", "source", "created_at", "claim_deadline",
            "decision_deadline", "is_overdue", "overdue_stage", "decline_reasons", "decline_note",
            "approved_amount", "approved_rate", "approved_term", "disbursed_amount", "disbursed_on", "events",
        ]  # fmt: skip

    @extend_schema_field(DeclineReasonSerializer(many=True))
    def get_decline_reasons(self, lead: Lead) -> list[dict[str, str]]:
        texts = lead.decline_reason_texts
        return [{"code": code, "text": text} for code, text in zip(lead.decline_reasons, texts, strict=False)]
