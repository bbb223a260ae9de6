"""Reads for pages, API, exports: who may see which definitions, computations, publications.

Definitions and computations are the office's working material: statisticians only, and only
for sources on which they may define tables. Published tables are for every logged-in person.
"""

from django.http import Http404

from bif import roles
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
    definitions = TableDefinition.objects.prefetch_related("sources")
    allowed, cache = [], {}
    for definition in definitions:
        sources = list(definition.sources.all())
        ok = bool(sources)
        for source in sources:
            if source.pk not in cache:
                cache[source.pk] = any(access.may(user, p, source) for p in permissions)
            ok = ok and cache[source.pk]
        if ok:
            allowed.append(definition.pk)
    return TableDefinition.objects.filter(pk__in=allowed).prefetch_related("sources")


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
