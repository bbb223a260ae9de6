"""Grant and pledge pages; included by bif/urls.py under "statistikstelle/" as "grants"."""

from django.urls import path

from . import grant_views

urlpatterns = [
    path("freigaben/", grant_views.grant_list, name="grant-list"),
    path("freigaben/neu/", grant_views.grant_create, name="grant-create"),
    path("freigaben/offen/", grant_views.grant_pending, name="grant-pending"),
    path("freigaben/<int:pk>/bestaetigen/", grant_views.grant_approve, name="grant-approve"),
    path("freigaben/<int:pk>/widerrufen/", grant_views.grant_revoke, name="grant-revoke"),
    path("mitglieder/", grant_views.member_list, name="member-list"),
    path("mitglieder/<int:user_id>/", grant_views.member_edit, name="member-edit"),
]
