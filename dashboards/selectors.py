"""Who sees which dashboards: one default-deny filter used by pages, API and downloads.

Published dashboards are for all staff unless restricted to groups (guardian object
permission `view_dashboard` on the direct foreign-key tables); drafts only for the
statistics office, which builds them.
"""

from django.db.models import Q
from django.http import Http404

from bif import roles
from bif.permissions import permitted_q

from .models import Dashboard, DashboardGroupObjectPermission, DashboardUserObjectPermission


def may_build(user):
    return roles.has_role(user, roles.STATISTICIAN)


def dashboards_for(user):
    if not user.is_authenticated:
        return Dashboard.objects.none()
    if may_build(user):
        return Dashboard.objects.all()
    restricted_to_them = permitted_q(
        user,
        "view_dashboard",
        user_model=DashboardUserObjectPermission,
        group_model=DashboardGroupObjectPermission,
    )
    return Dashboard.objects.filter(status=Dashboard.Status.PUBLISHED).filter(
        Q(visibility=Dashboard.Visibility.ALL) | restricted_to_them
    )


def dashboard_for(user, slug):
    """The dashboard `slug` if `user` may see it, else 404; the rule is dashboards_for's.

    A published dashboard for all staff is found by its slug alone, as dashboards_for admits
    it to everyone logged in: its object-permission subqueries cost about 1 ms of PostgreSQL
    planning on every page view, more than the rest of the lookup, so they are asked only
    for a restricted dashboard or a draft."""
    dashboard = Dashboard.objects.filter(slug=slug).first()
    if dashboard is None or not user.is_authenticated:
        raise Http404
    for_everyone = (
        dashboard.status == Dashboard.Status.PUBLISHED
        and dashboard.visibility == Dashboard.Visibility.ALL
    )
    if not for_everyone and not dashboards_for(user).filter(pk=dashboard.pk).exists():
        raise Http404
    return dashboard


def widgets_of(dashboard):
    return dashboard.widgets.select_related("table", "compare_table").order_by("position", "pk")


def widget_for(user, slug, pk):
    widget = widgets_of(dashboard_for(user, slug)).filter(pk=pk).first()
    if widget is None:
        raise Http404
    return widget


def visible_groups(dashboard):
    from django.contrib.auth.models import Group

    ids = DashboardGroupObjectPermission.objects.filter(
        content_object=dashboard, permission__codename="view_dashboard"
    ).values("group_id")
    return Group.objects.filter(id__in=ids).order_by("name")


def open_widget(slug, pk):
    """A widget anyone may see embedded without logging in: on a published dashboard, and
    every table it draws is open data (its current version marked open). Else None."""
    from dissemination.selectors import open_definitions

    dashboard = Dashboard.objects.filter(status=Dashboard.Status.PUBLISHED, slug=slug).first()
    widget = widgets_of(dashboard).filter(pk=pk).first() if dashboard else None
    if widget is None:
        return None
    tables = {t for t in (widget.table_id, widget.compare_table_id) if t}
    return widget if tables and tables <= set(open_definitions()) else None
