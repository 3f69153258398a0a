"""WSGI entry point (gunicorn loanhub.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loanhub.settings.production")
application = get_wsgi_application()
