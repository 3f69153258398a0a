"""Top-level URLs. Wagtail serves every path not claimed above it."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    # Passwords change on the portal, whose re-check counts toward the lockout.
    path(
        "django-admin/password_change/",
        RedirectView.as_view(pattern_name="accounts:password_change"),
    ),
    path("django-admin/", admin.site.urls),
    path("cms-admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("loanhub.api.urls")),
    path("accounts/", include("loanhub.accounts.urls")),
    path("enterprises/", include("loanhub.enterprises.urls")),
    path("enterprises/", include("loanhub.consent.urls")),
    path("enterprises/", include("loanhub.disputes.urls")),
    path("enterprises/", include("loanhub.reports.urls")),
    path("enterprises/", include("loanhub.loans.urls")),
    path("verify/", include("loanhub.reports.public_urls")),
    path("", include("loanhub.credit_data.urls")),
    path("", include("loanhub.matching.urls")),
]

if settings.DEBUG:
    # Public media only (Wagtail images and documents). Private uploads (dispute
    # evidence, business licences) are stored outside MEDIA_ROOT and served only by
    # views that check who asks, in development as in production.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
