"""The audit page; included by bif/urls.py with the namespace "audit"."""

from django.urls import path

from .audit_views import audit_log, audit_log_csv

urlpatterns = [
    path("audit/", audit_log, name="audit-log"),
    path("audit.csv", audit_log_csv, name="audit-log-csv"),
]
