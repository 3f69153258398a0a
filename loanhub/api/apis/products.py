"""Public product catalogue: the marketplace's filters (cms.selectors.product_search)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from cms.choices import ProductType
from cms.models import FinancingProductPage
from cms.selectors import (
    SORTS,
    ProductFilters,
    attach_institutions,
    product_live_queryset,
    product_search,
)

from ..schema import errors


class ProductFilterSet(django_filters.FilterSet):
    """Validates the query and hands it to the marketplace's own search."""

    type = django_filters.ChoiceFilter(choices=ProductType.choices, help_text="Product type.")
    amount = django_filters.NumberFilter(min_value=0, max_value=10**12, help_text="Amount needed (yuan).")
    term = django_filters.NumberFilter(min_value=1, max_value=600, help_text="Term needed (months).")
    bank = django_filters.CharFilter(max_length=60, help_text="Institution slug.")
    region = django_filters.CharFilter(max_length=6, min_length=6, help_text="6-digit region code.")
    zone = django_filters.CharFilter(max_length=100, help_text="Special-zone tag.")
    rate = django_filters.NumberFilter(min_value=0, max_value=100, help_text="Highest acceptable minimum rate (%).")
    q = django_filters.CharFilter(max_length=100, help_text="Search words.")
    ordering = django_filters.ChoiceFilter(choices=[(k, k) for k in SORTS], help_text="Sort order.")

    class Meta:
        model = FinancingProductPage
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[FinancingProductPage]) -> list[FinancingProductPage]:
        data = self.form.cleaned_data
        amount, term, rate = data.get("amount"), data.get("term"), data.get("rate")
        region = data.get("region") or ""
        return product_search(
            filters=ProductFilters(
                q=data.get("q") or "", product_type=data.get("type") or "", amount=amount,
                term=int(term) if term is not None else None, bank=data.get("bank") or "",
                region=region if region.isdigit() else "", zone=data.get("zone") or "", rate=rate,
                sort=data.get("ordering") or "newest",
            )
        )  # fmt: skip


class ProductInstitutionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    slug = serializers.CharField()


class ProductOutputSerializer(serializers.ModelSerializer):
    institution = ProductInstitutionSerializer(allow_null=True)
    url = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()

    class Meta:
        model = FinancingProductPage
        fields = [
            "id", "title", "summary", "product_type", "institution", "amount_min", "amount_max",
            "term_min_months", "term_max_months", "rate_min", "rate_max", "repayment_methods",
            "collateral", "eligible_regions", "eligible_industries", "min_years_in_business",
            "min_grade", "max_pd", "required_categories", "is_open", "tags", "url", "first_published_at",
        ]  # fmt: skip
        # The API keeps the stored units; pages and the editor show 万元 and per cent.
        extra_kwargs = {
            "amount_min": {"help_text": "Yuan (元), not 万元: 100000 for 10万元."},
            "amount_max": {"help_text": "Yuan (元), not 万元."},
            "rate_min": {"help_text": "Annual rate in per cent (3.45 = 3.45%)."},
            "rate_max": {"help_text": "Annual rate in per cent."},
            "max_pd": {"help_text": "Probability of default as a fraction (0.05 = 5%); null: no limit."},
            "eligible_regions": {"help_text": "6-digit division codes (GB/T 2260); empty: any region."},
        }

    def get_url(self, product: FinancingProductPage) -> str:
        return product.get_url(request=self.context.get("request"))

    def get_tags(self, product: FinancingProductPage) -> list[str]:
        return [tag.name for tag in product.tags.all()]


class ProductListApi(GenericAPIView):
    permission_classes = [AllowAny]
    filterset_class = ProductFilterSet
    serializer_class = ProductOutputSerializer

    def get_queryset(self) -> QuerySet[FinancingProductPage]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database
            return FinancingProductPage.objects.none()
        return product_live_queryset()

    @extend_schema(
        operation_id="products_list",
        tags=["products"],
        auth=[],
        responses={200: ProductOutputSerializer(many=True), **errors(400, 429)},
    )
    def get(self, request: Request) -> Response:
        products = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(products)
        serializer = ProductOutputSerializer(page, many=True, context={"request": request._request})
        return self.get_paginated_response(serializer.data)


class ProductDetailApi(GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = ProductOutputSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[FinancingProductPage]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database
            return FinancingProductPage.objects.none()
        return product_live_queryset()

    @extend_schema(
        operation_id="products_retrieve",
        tags=["products"],
        auth=[],
        responses={200: ProductOutputSerializer, **errors(404, 429)},
    )
    def get(self, request: Request, pk: int) -> Response:
        products = attach_institutions(product_live_queryset().filter(pk=pk))
        if not products:
            raise Http404
        return Response(ProductOutputSerializer(products[0], context={"request": request._request}).data)
