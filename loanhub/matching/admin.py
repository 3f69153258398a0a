from django.contrib import admin

from .models import FinancingNeed, Lead, LeadEvent


class LeadEventInline(admin.TabularInline):
    model = LeadEvent
    extra = 0
    readonly_fields = ("kind", "from_status", "to_status", "actor", "note", "at")
    can_delete = False


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ("pk", "enterprise", "product", "institution", "status", "is_overdue", "created_at")
    list_filter = ("status", "is_overdue", "institution")
    search_fields = ("enterprise__name", "enterprise__uscc", "product__title")
    raw_id_fields = ("need", "enterprise", "product", "claimed_by", "decided_by", "referred_from")
    inlines = [LeadEventInline]
    # The bank's judgement of the SME is its credit data (DESIGN.md §4): not shown
    # here, where a read could not be logged against a live authorization.
    exclude = (
        "grade", "score", "pd", "likelihood", "bank_score", "expected_value",
        "judgement_basis", "judgement_categories", "judgement_until",
    )  # fmt: skip


@admin.register(FinancingNeed)
class FinancingNeedAdmin(admin.ModelAdmin):
    list_display = ("pk", "enterprise", "amount", "term_months", "status", "source", "created_at")
    list_filter = ("status", "source", "visibility")
    search_fields = ("enterprise__name", "enterprise__uscc")
    raw_id_fields = ("enterprise", "created_by")
