"""Reads for pages, API, exports: who may see which definitions, computations, publications.

Definitions and computations are the office's working material: statisticians only, and only
for sources on which they may define tables. Published tables are for every logged-in person.
"""

from django.http import Http404

from bif import roles
from departments.models import DataSource
from statistics_office import access

from .models import PublishedTable, TableComputation, TableDefinition


def is_statistician(user):
    return roles.has_role(user, roles.STATISTICIAN)


def definitions_for(user, permissions=(access.DEFINE_TABLES,)):
    """Definitions on whose every source the user holds one of `permissions` (default deny).

    Editing and computing need DEFINE_TABLES; the second statistician who reviews and
    publishes (four eyes) needs to see definitions and computations with PUBLISH_TABLES only.
    """
    if not is_statistician(user):
        return TableDefinition.objects.none()
    # Subqueries only (no check per definition or source): a definition is out as soon as
    # one of its sources is not among the permitted ones.
    permitted = permitted_sources(user, permissions)
    others = DataSource.objects.exclude(pk__in=permitted.values("pk"))
    return (
        TableDefinition.objects.filter(
            pk__in=TableDefinition.objects.filter(sources__isnull=False).values("pk")
        )
        .exclude(sources__in=others)
        .prefetch_related("sources")
    )


def permitted_sources(user, permissions):
    """Sources on which `user` holds one of `permissions` now (one query when evaluated)."""
    from django.db.models import Q

    permitted = Q(pk__in=[])
    for permission in permissions:
        permitted |= Q(pk__in=access.sources_for(user, permission).values("pk"))
    return DataSource.objects.filter(permitted)


# Who may look at the office's working material: authors and reviewers.
READ_PERMISSIONS = (access.DEFINE_TABLES, access.PUBLISH_TABLES)


def definition_for(user, pk, permissions=(access.DEFINE_TABLES,)):
    definition = definitions_for(user, permissions).filter(pk=pk).first()
    if definition is None:
        raise Http404
    return definition


def computations_for(user):
    return TableComputation.objects.filter(
        definition__in=definitions_for(user, READ_PERMISSIONS)
    ).select_related("definition", "computed_by", "reviewed_by")


def computation_for(user, pk):
    computation = computations_for(user).filter(pk=pk).first()
    if computation is None:
        raise Http404
    return computation


def published_tables_for(user):
    """Current publications (withdrawn ones drop out) for any logged-in person."""
    if not user.is_authenticated:
        return PublishedTable.objects.none()
    return PublishedTable.objects.filter(withdrawn_at__isnull=True).select_related(
        "definition", "published_by"
    )


def latest_published_for(user):
    """The newest version of each table."""
    tables = published_tables_for(user).order_by("definition_id", "-version")
    seen, latest = set(), []
    for table in tables.defer("cells"):
        if table.definition_id not in seen:
            seen.add(table.definition_id)
            latest.append(table.pk)
    return published_tables_for(user).filter(pk__in=latest).defer("cells").order_by("title")


def published_table_for(user, pk):
    table = published_tables_for(user).filter(pk=pk).first()
    if table is None:
        raise Http404
    return table
