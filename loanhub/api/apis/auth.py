"""Tokens: issue with the password (and the second factor), list, revoke."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import ApiToken
from ..permissions import api_user
from ..schema import AUTH, errors
from ..throttling import AuthRateThrottle
from ..tokens import MAX_VALIDITY_DAYS, token_issue, token_list, token_revoke


class TokenOutputSerializer(serializers.ModelSerializer):
    institution = serializers.CharField(source="institution.short_name", default=None, allow_null=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "institution", "created_at", "last_used_at", "expires_at", "revoked_at"]


class TokenCreateApi(APIView):
    """POST /api/v1/auth/token/ — a new key for ``Authorization: Token <key>``."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle]

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False)
        otp = serializers.CharField(
            max_length=20, required=False, allow_blank=True,
            help_text="TOTP code (or a backup code): required for bank staff and administrators.",
        )  # fmt: skip
        name = serializers.CharField(max_length=100, required=False, allow_blank=True)
        expires_in_days = serializers.IntegerField(
            min_value=1, max_value=MAX_VALIDITY_DAYS, required=False, allow_null=True
        )

    class OutputSerializer(TokenOutputSerializer):
        token = serializers.CharField(help_text="The key. Shown once; only its hash is stored.")

        class Meta(TokenOutputSerializer.Meta):
            fields = ["token", *TokenOutputSerializer.Meta.fields]

    @extend_schema(
        operation_id="auth_token_create", tags=["auth"], auth=[], request=InputSerializer,
        responses={201: OutputSerializer, **errors(400, 401, 403, 429)},
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = token_issue(request=request._request, **data.validated_data)
        token.token = key
        return Response(self.OutputSerializer(token).data, status=status.HTTP_201_CREATED)


class TokenListApi(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = None

    @extend_schema(
        operation_id="auth_tokens_list",
        tags=["auth"],
        responses={200: TokenOutputSerializer(many=True), **errors(*AUTH)},
    )
    def get(self, request: Request) -> Response:
        return Response(TokenOutputSerializer(token_list(user=api_user(request)), many=True).data)


class TokenRevokeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_tokens_revoke", tags=["auth"],
        responses={204: OpenApiResponse(description="Revoked."), **errors(*AUTH, 404)},
    )  # fmt: skip
    def delete(self, request: Request, pk: int) -> Response:
        token = get_object_or_404(token_list(user=api_user(request)), pk=pk)
        token_revoke(user=api_user(request), token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
