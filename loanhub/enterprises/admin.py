from django.contrib import admin

from .models import Enterprise, EnterpriseMembership


class MembershipInline(admin.TabularInline):
    model = EnterpriseMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "region", "industry", "registration_date", "is_synthetic")
    list_filter = ("is_synthetic", "size_class", "industry")
    search_fields = ("name", "uscc", "legal_representative")
    inlines = [MembershipInline]
