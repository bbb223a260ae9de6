"""WSGI entry point (gunicorn bif.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bif.settings")
application = get_wsgi_application()
