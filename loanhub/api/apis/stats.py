"""Platform statistics for administrators (loanhub.stats.selectors)."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from loanhub.stats.selectors import DIMENSIONS, breakdown, headline, lead_frame

from ..exceptions import ApiError
from ..permissions import IsPlatformAdmin
from ..schema import AUTH, errors


class HeadlineSerializer(serializers.Serializer):
    enterprises = serializers.IntegerField()
    authorized = serializers.IntegerField()
    needs = serializers.IntegerField()
    leads = serializers.IntegerField()
    claimed = serializers.IntegerField()
    claimed_in_time = serializers.IntegerField()
    approved = serializers.IntegerField()
    decided = serializers.IntegerField()
    disbursed = serializers.IntegerField()
    disbursed_amount = serializers.FloatField(
        help_text="Yuan (元). Leaves out amounts outside their product's range (counted in flagged)."
    )
    first_loans = serializers.IntegerField()
    credit_amount = serializers.FloatField(help_text="Yuan (元), plausible amounts only.")
    overdue = serializers.IntegerField()
    flagged = serializers.IntegerField(
        help_text="Leads whose approved or disbursed amount is outside the product's amount range, or whose "
        "disbursement exceeds the approval; their amounts are not in any sum."
    )
    in_time_rate = serializers.FloatField(allow_null=True)
    approval_rate = serializers.FloatField(allow_null=True)
    credit_share = serializers.FloatField(allow_null=True)


class BreakdownRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    # A declared field: DRF's metaclass takes it off the class, so it does not replace Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    leads = serializers.IntegerField()
    claimed_in_time = serializers.IntegerField()
    approved = serializers.IntegerField()
    decided = serializers.IntegerField()
    disbursed = serializers.IntegerField()
    amount = serializers.FloatField(help_text="Disbursed, in yuan (元); plausible amounts only.")
    first = serializers.IntegerField()
    credit = serializers.IntegerField()
    flagged = serializers.IntegerField(help_text="Leads with an implausible amount, left out of amount.")
    approval_rate = serializers.FloatField(allow_null=True)


class StatsSerializer(serializers.Serializer):
    headline = HeadlineSerializer()
    dimension = serializers.CharField()
    breakdown = BreakdownRowSerializer(many=True)


class StatsApi(APIView):
    permission_classes = [IsPlatformAdmin]

    @extend_schema(
        operation_id="stats", tags=["stats"],
        parameters=[
            OpenApiParameter("dimension", str, enum=list(DIMENSIONS), description="Breakdown by (default bank).")
        ],
        responses={200: StatsSerializer, **errors(400, *AUTH)},
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        dimension = request.query_params.get("dimension", "bank")
        if dimension not in DIMENSIONS:
            raise ApiError(400, "invalid", f"dimension: {', '.join(DIMENSIONS)}", {"dimension": list(DIMENSIONS)})
        frame = lead_frame()
        top = headline(frame)
        summary = {
            **asdict(top),
            "in_time_rate": top.in_time_rate,
            "approval_rate": top.approval_rate,
            "credit_share": top.credit_share,
        }
        table = breakdown(dimension, frame)
        rows = table.astype(object).where(table.notna(), None).to_dict("records")
        return Response(StatsSerializer({"headline": summary, "dimension": dimension, "breakdown": rows}).data)
