"""BIF: the project package (settings, URLs, Celery app, database router)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
