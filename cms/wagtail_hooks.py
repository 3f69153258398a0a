"""Back-office additions of the portal: the product editor's stylesheet."""

from __future__ import annotations

from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString
from wagtail import hooks


@hooks.register("insert_global_admin_css")  # (Wagtail 8 has no editor-only CSS hook)
def product_editor_css() -> SafeString:
    return format_html('<link rel="stylesheet" href="{}">', static("cms/product-editor.css"))
