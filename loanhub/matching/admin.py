from django.contrib import admin

from .models import ProductApplication


@admin.register(ProductApplication)
class ProductApplicationAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "product", "applicant", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("enterprise__name", "enterprise__uscc", "product__title")
    raw_id_fields = ("enterprise", "product", "applicant")
