"""A bank's post-loan alerts (贷后预警): list, one alert, acknowledge.

An alert's summary and record are shown only while a live monitoring authorization to the
bank covers them (``loans.alert_selectors.coverage_for_alerts``); every shown detail is
written to the access log (channel "api"), like lead reads.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from loanhub.consent.models import Channel
from loanhub.loans.alert_forms import AlertFilterForm
from loanhub.loans.alert_selectors import (
    AlertCoverage,
    alert_get_for_staff,
    alert_list_for_staff,
    coverage_for_alerts,
)
from loanhub.loans.alerts import AlertAlreadyHandled, AlertError, alert_acknowledge, alert_reads_log
from loanhub.loans.models import AlertAction, LoanAlert

from ..exceptions import ApiError
from ..permissions import IsBankStaff, api_user
from ..schema import AUTH, errors


class AlertOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    severity = serializers.CharField()
    status = serializers.CharField()
    raised_at = serializers.DateTimeField()
    ack_deadline = serializers.DateTimeField()
    is_overdue = serializers.BooleanField()
    loan_id = serializers.IntegerField()
    enterprise = serializers.SerializerMethodField()
    details_visible = serializers.SerializerMethodField()
    hidden_reason = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    record = serializers.SerializerMethodField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    action = serializers.CharField()
    ack_note = serializers.CharField()

    @staticmethod
    def _coverage(alert: LoanAlert) -> AlertCoverage:
        return getattr(alert, "coverage", AlertCoverage(False, "none"))

    def get_enterprise(self, alert: LoanAlert) -> dict:
        return {"uscc": alert.enterprise.uscc, "name": alert.enterprise.name}

    def get_details_visible(self, alert: LoanAlert) -> bool:
        return self._coverage(alert).visible

    def get_hidden_reason(self, alert: LoanAlert) -> str | None:
        return None if self._coverage(alert).visible else self._coverage(alert).reason

    def get_summary(self, alert: LoanAlert) -> str | None:
        return alert.summary_text if self._coverage(alert).visible else None

    def get_record(self, alert: LoanAlert) -> dict | None:
        record = alert.record
        if record is None or not self._coverage(alert).visible:
            return None
        return {"id": record.pk, "category": record.category, "record_date": record.record_date.isoformat(),
                "fields": dict(record.display_fields)}  # fmt: skip


def _shown(alerts: list[LoanAlert], request: Request, detail: str) -> list[LoanAlert]:
    coverage = coverage_for_alerts(alerts)
    for alert in alerts:
        alert.coverage = coverage[alert.pk]  # type: ignore[attr-defined]  # read by the serializer
    alert_reads_log(viewer=api_user(request), alerts=alerts, coverage=coverage, channel=Channel.API, detail=detail)
    return alerts


class AlertApi(GenericAPIView):
    permission_classes = [IsBankStaff]
    serializer_class = AlertOutputSerializer

    def alert(self, pk: int) -> LoanAlert:
        alert = alert_get_for_staff(user=api_user(self.request), pk=pk)
        if alert is None:
            raise Http404  # another bank's alert does not exist for this caller
        return alert


FILTERS = ["severity", "kind", "status", "overdue", "q"]


class AlertListApi(AlertApi):
    def get_queryset(self) -> QuerySet[LoanAlert]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return LoanAlert.objects.none()
        form = AlertFilterForm(self.request.query_params)
        if not form.is_valid():
            raise ApiError(400, "invalid_filter", str(form.errors.as_text()), {"fields": list(form.errors)})
        return alert_list_for_staff(user=api_user(self.request), filters=form.filters())

    @extend_schema(
        operation_id="alerts_list", tags=["bank"],
        parameters=[OpenApiParameter(name, str, required=False) for name in FILTERS],
        responses={200: AlertOutputSerializer(many=True), **errors(400, *AUTH)},
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        page: Any = self.paginate_queryset(self.get_queryset())
        alerts = _shown(list(page or []), request, "预警列表（接口）")
        return self.get_paginated_response(AlertOutputSerializer(alerts, many=True).data)


class AlertDetailApi(AlertApi):
    @extend_schema(
        operation_id="alerts_retrieve", tags=["bank"], responses={200: AlertOutputSerializer, **errors(*AUTH, 404)}
    )
    def get(self, request: Request, pk: int) -> Response:
        [alert] = _shown([self.alert(pk)], request, "预警详情（接口）")
        return Response(AlertOutputSerializer(alert).data)


class AlertAcknowledgeApi(AlertApi):
    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=1000)
        action = serializers.ChoiceField(choices=AlertAction.choices)

    @extend_schema(
        operation_id="alerts_acknowledge", tags=["bank"], request=InputSerializer,
        responses={200: AlertOutputSerializer, **errors(400, *AUTH, 404, 409)},
    )  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        alert = self.alert(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            alert_acknowledge(alert=alert, user=api_user(request), **data.validated_data)
        except AlertAlreadyHandled as exc:
            raise ApiError(409, "alert_already_handled", str(exc)) from exc
        except AlertError as exc:
            raise ApiError(400, "alert_error", str(exc)) from exc
        except PermissionDenied as exc:
            raise ApiError(403, "permission_denied", str(exc)) from exc
        [alert] = _shown([self.alert(pk)], request, "预警确认（接口）")
        return Response(AlertOutputSerializer(alert).data)
