from django.contrib import admin

from .models import Branch, FinancialInstitution, InstitutionMembership


class BranchInline(admin.TabularInline):
    model = Branch
    extra = 0


class StaffInline(admin.TabularInline):
    model = InstitutionMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(FinancialInstitution)
class FinancialInstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "type", "licence_number", "region", "is_active")
    list_filter = ("type", "is_active")
    search_fields = ("name", "short_name", "licence_number")
    prepopulated_fields = {"slug": ("short_name",)}
    inlines = [BranchInline, StaffInline]
