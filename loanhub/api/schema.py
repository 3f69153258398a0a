"""OpenAPI pieces shared by every view: the error body and its responses."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable error code, e.g. not_found.")
    message = serializers.CharField(help_text="Human-readable message (Chinese or English).")
    details = serializers.JSONField(allow_null=True, help_text="Field errors or extra facts.")


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


DESCRIPTIONS = {
    400: "Invalid request (details hold the field errors).",
    401: "Not authenticated, or the token is invalid, expired or revoked.",
    403: "Authenticated, but this role may not do this.",
    404: "Not found — or not yours (other tenants' objects do not exist for you).",
    409: "Conflict with the object's current state.",
    422: "Not eligible (details.reasons says why).",
    429: "Too many requests; see the Retry-After header.",
    503: "No active risk model.",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Error responses for ``extend_schema(responses={...})``."""
    return {code: OpenApiResponse(ErrorSerializer, description=DESCRIPTIONS[code]) for code in codes}


AUTH = (401, 403, 429)  # every authenticated endpoint can answer these


def page_of(serializer: type[serializers.Serializer], name: str) -> serializers.Serializer:
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer(many=True),
        },
    )


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "loanhub.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: BaseAutoSchema) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>` — get a key from POST /api/v1/auth/token/.",
        }


class AutoSchema(BaseAutoSchema):
    """Names nested serializers after their view: ``NeedListApi.InputSerializer`` →
    ``NeedListApiInput`` (every view has its own ``InputSerializer``)."""

    def _get_serializer_name(
        self, serializer: serializers.BaseSerializer, direction: str, bypass_extensions: bool = False
    ) -> str:
        name = super()._get_serializer_name(serializer, direction, bypass_extensions)
        qualname = type(serializer).__qualname__
        if "." in qualname and not getattr(getattr(serializer, "Meta", None), "component_name", None):
            return qualname.rpartition(".")[0].replace(".", "") + name
        return name


def only_api_v1(endpoints: list) -> list:
    """Preprocessing hook: the schema documents /api/v1/ only (not Wagtail's admin API)."""
    return [e for e in endpoints if e[0].startswith("/api/v1/")]
