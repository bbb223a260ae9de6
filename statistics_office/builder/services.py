"""The one way in for the table builder's pages, API and benchmark: ask a query (checks,
budget, job row, sealed worker), save it, propose it for publication, decide a proposal.

The portal side never sees a count before protection: it only reads the job row the
sealed worker filled with perturbed cells.
"""

import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bif import audit, jobs, roles

from . import rules
from .auditing import record_audit
from .models import BuilderQuery, Catalogue, Proposal, SavedQuery

Status = BuilderQuery.Status


def may_build(user):
    """Staff build tables; the office has its own tools (and sees the queries)."""
    return roles.has_role(user, roles.STAFF)


def _require_builder(user):
    if not may_build(user):
        raise PermissionDenied(_("Der Tabellenbaukasten steht Mitarbeitenden offen."))


def _require_office(user):
    if not roles.has_role(user, roles.STATISTICIAN):
        raise PermissionDenied(_("Das sieht nur die Statistikstelle."))


def _today_start():
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def counted_today(user, source=None):
    """Today's queries that count against the budget (a budget refusal itself does not)."""
    queries = BuilderQuery.objects.filter(user=user, created_at__gte=_today_start()).exclude(
        refusal=BuilderQuery.Refusal.BUDGET
    )
    return queries.filter(source=source) if source is not None else queries


def remaining_budget(user, source):
    person = settings.TABLE_BUILDER_DAILY_QUERIES - counted_today(user).count()
    per_source = (
        settings.TABLE_BUILDER_DAILY_QUERIES_PER_SOURCE - counted_today(user, source).count()
    )
    return max(0, min(person, per_source))


def _budget_refusal(user, source):
    if counted_today(user).count() >= settings.TABLE_BUILDER_DAILY_QUERIES:
        return _(
            "Ihr Tageskontingent von %(n)d Abfragen im Tabellenbaukasten ist erschöpft. "
            "Ab morgen können Sie wieder Tabellen erstellen; gespeicherte Abfragen bleiben "
            "erhalten."
        ) % {"n": settings.TABLE_BUILDER_DAILY_QUERIES}
    if counted_today(user, source).count() >= settings.TABLE_BUILDER_DAILY_QUERIES_PER_SOURCE:
        return _(
            "Ihr Tageskontingent von %(n)d Abfragen für „%(source)s“ ist erschöpft. Ab morgen "
            "können Sie wieder Tabellen aus dieser Datenquelle erstellen."
        ) % {"n": settings.TABLE_BUILDER_DAILY_QUERIES_PER_SOURCE, "source": source.name}
    return ""


def _related_refusal(user, source, spec):
    """Averaging needs many queries of one table whose filters share categories but not
    all: after TABLE_BUILDER_RELATED_QUERIES of them in a day, the next is refused."""
    earlier = counted_today(user, source).exclude(refusal=BuilderQuery.Refusal.RELATED)
    related = sum(rules.related(spec, other) for other in earlier.values_list("spec", flat=True))
    if related >= settings.TABLE_BUILDER_RELATED_QUERIES:
        return _(
            "Sie haben heute schon %(n)d Abfragen derselben Tabelle mit sich überschneidenden "
            "Filtern gestellt. Weitere solche Abfragen sind erst morgen möglich, weil sich "
            "aus ihnen die Überlagerung herausrechnen ließe."
        ) % {"n": related}
    return ""


def catalogues_for(user):
    if not may_build(user):
        return Catalogue.objects.none()
    return Catalogue.objects.filter(enabled=True).select_related("source").order_by("source__name")


def editable_sources(user):
    """Sources whose catalogue ``user`` may keep: the office's, on sources it defines
    tables for."""
    from departments.models import DataSource
    from statistics_office import access

    if not roles.has_role(user, roles.STATISTICIAN):
        return DataSource.objects.none()
    return access.sources_for(user, access.DEFINE_TABLES).order_by("name")


def keep_catalogue(user, source, *, items, excluded_combinations, **limits):
    """Create or change the catalogue of ``source``: checked, saved, audited. Answers
    given before the change are not reused after it (``_answered_before`` in run.py)."""
    from statistics_office.tables.form_codes import schema_fields

    if not editable_sources(user).filter(pk=source.pk).exists():
        raise PermissionDenied(_("Den Katalog dieser Datenquelle pflegt die Statistikstelle."))
    problems = rules.check_catalogue(items, excluded_combinations, schema_fields([source]))
    problems += _classification_problems(items)
    if problems:
        raise ValueError(" ".join(str(p) for p in problems))
    catalogue, created = Catalogue.objects.update_or_create(
        source=source,
        defaults={"items": items, "excluded_combinations": excluded_combinations, **limits},
    )
    audit.record(
        action=audit.Action.CATALOGUE_CHANGED,
        user=user,
        obj=catalogue,
        source=source,
        details={
            "created": created,
            "items": [item["key"] for item in items],
            "excluded": excluded_combinations,
            **{name: getattr(catalogue, name) for name in Catalogue.LIMITS},
        },
    )
    return catalogue


def _classification_problems(items):
    """Each item's classification as the tables read it (age bands, code labels)."""
    from statistics_office.tables import codes

    problems = []
    for item in items:
        try:
            codes.code_labels(item["dimension"])
        except codes.DefinitionError as exc:
            problems.append(f"{item['label']}: {exc}")
    return problems


def ask(user, source, spec):
    """Check and queue a query; returns its job row (refused rows end at once, audited)."""
    _require_builder(user)
    catalogue = catalogues_for(user).filter(source=source).first()
    if catalogue is None:
        raise PermissionDenied(_("Diese Datenquelle bietet der Tabellenbaukasten nicht an."))
    spec = _clean_spec(spec)
    refusal, message = "", _budget_refusal(user, source)
    if message:
        refusal = BuilderQuery.Refusal.BUDGET
    else:
        try:
            rules.resolve(
                spec,
                items=catalogue.items,
                max_dimensions=catalogue.max_dimensions,
                excluded_combinations=catalogue.excluded_combinations,
            )
        except rules.Refused as exc:
            refusal, message = exc.code, str(exc)
        else:
            message = _related_refusal(user, source, spec)
            refusal = BuilderQuery.Refusal.RELATED if message else ""
    if refusal:
        query = BuilderQuery.objects.create(
            user=user,
            source=source,
            spec=spec,
            status=Status.REFUSED,
            refusal=refusal,
            message=message,
            progress=100,
        )
        record_audit(query, status=Status.REFUSED, refusal=refusal)
        return query
    query = BuilderQuery.objects.create(user=user, source=source, spec=spec)
    transaction.on_commit(lambda: _send(query.pk))
    return query


def _clean_spec(spec):
    """Only the keys a query has, in a stable form (for comparing queries)."""
    spec = spec if isinstance(spec, dict) else {}
    filters = []
    for flt in spec.get("filters") or []:
        if isinstance(flt, dict):
            values = sorted({str(v) for v in flt.get("values") or []})
            filters.append({"item": str(flt.get("item") or ""), "values": values})
    return {
        "rows": [str(k) for k in spec.get("rows") or [] if k],
        "columns": [str(k) for k in spec.get("columns") or [] if k],
        "filters": sorted(filters, key=lambda f: f["item"]),
    }


def _send(query_id):
    def not_queued(error):
        jobs.finish(
            BuilderQuery,
            query_id,
            Status.FAILED,
            progress=100,
            message=_(
                "Der Verarbeitungsdienst ist gerade nicht erreichbar. Bitte versuchen Sie es "
                "in einigen Minuten erneut."
            ),
        )

    jobs.enqueue("statistics_office.builder.run_query", query_id, on_unavailable=not_queued)


def wait(query, *, timeout=None, interval=0.02):
    """The job row once the worker has ended it (or as it is when the time is up)."""
    timeout = settings.TABLE_BUILDER_WAIT_SECONDS if timeout is None else timeout
    deadline = time.monotonic() + timeout
    while query.status in (Status.QUEUED, Status.RUNNING) and time.monotonic() < deadline:
        time.sleep(interval)
        query.refresh_from_db()
        interval = min(interval * 1.5, 0.2)
    return query


def save_query(user, source, spec, title):
    _require_builder(user)
    if not catalogues_for(user).filter(source=source).exists():
        raise PermissionDenied(_("Diese Datenquelle bietet der Tabellenbaukasten nicht an."))
    title = (title or "").strip()
    if not title:
        raise ValueError(_("Bitte einen Titel für die Abfrage angeben."))
    return SavedQuery.objects.create(
        user=user, source=source, spec=_clean_spec(spec), title=title[:200]
    )


def propose(user, query, *, title, reason=""):
    """Put an answered query's definition into the office's review queue."""
    _require_builder(user)
    if query.user_id != user.pk or query.status != Status.DONE:
        raise PermissionDenied(_("Vorschlagen lässt sich nur eine eigene, fertige Abfrage."))
    title = (title or "").strip()
    if not title:
        raise ValueError(_("Bitte einen Titel für den Vorschlag angeben."))
    return Proposal.objects.create(
        proposed_by=user, source=query.source, spec=query.spec, title=title[:200], reason=reason
    )


def decide(user, proposal, *, accept):
    """The office takes a proposal over as a table definition (cell key method, the
    catalogue's perturbation table) to compute, review and publish, or declines it."""
    _require_office(user)
    if proposal.status != Proposal.Status.OPEN:
        raise ValueError(_("Über diesen Vorschlag ist schon entschieden."))
    definition = None
    if accept:
        from statistics_office.tables import services as tables

        catalogue = Catalogue.objects.get(source=proposal.source)
        resolved = rules.resolve(
            proposal.spec,
            items=catalogue.items,
            max_dimensions=catalogue.max_dimensions,
            excluded_combinations=catalogue.excluded_combinations,
        )
        definition = tables.save_definition(
            user=user,
            sources=[proposal.source],
            title=proposal.title,
            slug=f"baukasten-{proposal.pk}",
            description=proposal.reason,
            dimensions=resolved.dimensions,
            filters=resolved.filters,
            method="cellkey",
            parameters={"ptable": catalogue.ptable} if catalogue.ptable else {},
        )
    proposal.status = Proposal.Status.ACCEPTED if accept else Proposal.Status.DECLINED
    proposal.decided_by, proposal.decided_at = user, timezone.now()
    proposal.definition = definition
    proposal.save()
    return proposal
