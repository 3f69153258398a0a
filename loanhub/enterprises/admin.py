from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from loanhub.security.masking import mask_id_number, mask_phone

from .models import Enterprise, EnterpriseMembership


class MembershipInline(admin.TabularInline):
    model = EnterpriseMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = (
        "name", "uscc", "legal_representative", "masked_id_number", "masked_phone",
        "region", "industry", "registration_date", "is_synthetic", "verification_status",
    )  # fmt: skip
    list_filter = ("verification_status", "is_synthetic", "size_class", "industry")
    search_fields = ("name", "uscc", "legal_representative")
    # The legal representative's ID number and phone are personal information:
    # the back office sees them masked; only the enterprise's members see them in full.
    exclude = ("legal_rep_id_number", "legal_rep_phone")
    # Verification changes only through the audited services (element check, licence
    # review in /cms-admin/verification/), never by editing the row here.
    readonly_fields = (
        "masked_id_number", "masked_phone", "verification_status", "verification_method", "verified_at",
    )  # fmt: skip
    inlines = [MembershipInline]

    @admin.display(description=_("法定代表人身份证号"))
    def masked_id_number(self, obj: Enterprise) -> str:
        return mask_id_number(obj.legal_rep_id_number) or "—"

    @admin.display(description=_("法定代表人手机号"))
    def masked_phone(self, obj: Enterprise) -> str:
        return mask_phone(obj.legal_rep_phone) or "—"
