"""A bank manager's webhook endpoints and their delivery log, scoped to the institution."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from loanhub.institutions.models import FinancialInstitution
from loanhub.institutions.selectors import institution_for_user

from ..models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from ..permissions import IsBankManager, api_user
from ..schema import AUTH, errors
from ..webhooks import (
    delivery_list,
    webhook_create,
    webhook_delete,
    webhook_list,
    webhook_update,
)


class EndpointOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "description", "is_active", "created_at"]


class EndpointCreatedSerializer(EndpointOutputSerializer):
    secret = serializers.CharField(help_text="Signing secret: shown when set, never again.")

    class Meta(EndpointOutputSerializer.Meta):
        fields = [*EndpointOutputSerializer.Meta.fields, "secret"]


class EndpointInputSerializer(serializers.Serializer):
    url = serializers.URLField(
        max_length=500, help_text="https://… (http only for 127.0.0.1/localhost in development)."
    )
    secret = serializers.CharField(
        min_length=16, max_length=200, required=False, help_text="Leave out to get a generated one."
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices),
        required=False,
        min_length=1,
        max_length=len(WebhookEvent.choices),
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "at", "status_code", "error", "duration_ms"]


class DeliverySerializer(serializers.ModelSerializer):
    attempt_log = AttemptSerializer(many=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "event_id", "event", "lead", "status", "attempts", "next_attempt_at", "last_status_code",
            "last_error", "created_at", "delivered_at", "payload", "attempt_log",
        ]  # fmt: skip


class WebhookApi(GenericAPIView):
    permission_classes = [IsBankManager]
    InputSerializer = EndpointInputSerializer  # what OPTIONS describes (api/metadata.py)

    def institution(self) -> FinancialInstitution:
        institution = institution_for_user(user=api_user(self.request))
        if institution is None:  # IsBankManager lets only members of a bank through
            raise PermissionDenied
        return institution

    def endpoint(self, pk: int) -> WebhookEndpoint:
        return get_object_or_404(webhook_list(institution=self.institution()), pk=pk)


class WebhookListApi(WebhookApi):
    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return WebhookEndpoint.objects.none()
        return webhook_list(institution=self.institution())

    @extend_schema(
        operation_id="webhooks_list",
        tags=["webhooks"],
        responses={200: EndpointOutputSerializer(many=True), **errors(*AUTH)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(EndpointOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="webhooks_create",
        tags=["webhooks"],
        request=EndpointInputSerializer,
        responses={201: EndpointCreatedSerializer, **errors(400, *AUTH)},
    )
    def post(self, request: Request) -> Response:
        data = EndpointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = webhook_create(institution=self.institution(), user=api_user(request), **data.validated_data)
        return Response(EndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookDetailApi(WebhookApi):
    @extend_schema(
        operation_id="webhooks_retrieve",
        tags=["webhooks"],
        responses={200: EndpointOutputSerializer, **errors(*AUTH, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(EndpointOutputSerializer(self.endpoint(pk)).data)

    @extend_schema(
        operation_id="webhooks_update",
        tags=["webhooks"],
        request=EndpointInputSerializer,
        responses={200: EndpointOutputSerializer, **errors(400, *AUTH, 404)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        endpoint = self.endpoint(pk)
        data = EndpointInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        endpoint = webhook_update(endpoint=endpoint, **data.validated_data)
        out = EndpointCreatedSerializer if "secret" in data.validated_data else EndpointOutputSerializer
        return Response(out(endpoint).data)

    @extend_schema(
        operation_id="webhooks_delete",
        tags=["webhooks"],
        responses={204: OpenApiResponse(description="Deleted."), **errors(*AUTH, 404)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        webhook_delete(endpoint=self.endpoint(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveryListApi(WebhookApi):
    def get_queryset(self) -> QuerySet[WebhookDelivery]:
        return WebhookDelivery.objects.none()

    @extend_schema(
        operation_id="webhooks_deliveries",
        tags=["webhooks"],
        responses={200: DeliverySerializer(many=True), **errors(*AUTH, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        page = self.paginate_queryset(delivery_list(endpoint=self.endpoint(pk)))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)
