"""disclosure_joint_1m: the 3-D table (13 Stadtteile × 20 age bands × 3 sexes, all margins)
over 1,000,000 residents, protected jointly with 8 tables already published from the same
version (other classifications, own age bands, a filter that leaves out sex "d", the
Statistischer Bezirk below the Stadtteil). The 8 are published once and reused."""

import time

import django

from .disclosure_3d_1m import DIMENSIONS, ensure_residents

STADTTEIL = {"field": "Stadtteil", "kind": "code"}
SEX = {"field": "Geschlecht", "kind": "code"}
HIERARCHY = "stadtbezirk->stadtteil"


def _age(bands):
    return {"field": "Geburtsdatum", "kind": "age_band", "bands": bands}


PUBLISHED = [
    ("st-sex", [STADTTEIL, SEX], []),
    ("st-planning", [STADTTEIL, _age("planning")], []),
    ("st", [STADTTEIL], []),
    ("st-mw", [STADTTEIL], [{"field": "Geschlecht", "op": "in", "values": ["m", "w"]}]),
    ("st-broad", [STADTTEIL, _age([[0, 17], [18, 64], [65, None]])], []),
    ("st-two", [STADTTEIL, _age([[0, 17], [18, None]])], []),
    ("sex-5y", [SEX, _age("5y")], []),
    (
        "bezirk",
        [{"field": "Statistischer Bezirk", "kind": "hierarchy", "hierarchy": HIERARCHY}],
        [],
    ),
]


def _definition(slug, dimensions, filters, user, source):
    from statistics_office.tables.models import TableDefinition

    definition, _ = TableDefinition.objects.update_or_create(
        slug=f"bench-joint-{slug}",
        defaults={
            "title": f"Benchmark joint {slug}",
            "dimensions": dimensions,
            "filters": filters,
            "measure": "count",
            "method": "suppression",
            "created_by": user,
        },
    )
    definition.sources.set([source])
    return definition


def ensure_published(source, version, user):
    """The 8 tables published from this version (computed jointly, one after the other)."""
    from statistics_office.tables import services
    from statistics_office.tables.models import PublishedTable, TableComputation

    count = 0
    for slug, dimensions, filters in PUBLISHED:
        definition = _definition(slug, dimensions, filters, user, source)
        done = [
            p
            for p in PublishedTable.objects.filter(definition=definition)
            if version.import_run_id in (p.import_run_ids or [])
        ]
        if not done:
            computation = services.request_computation(definition, user, automatic=True)
            computation.refresh_from_db()
            if computation.status != TableComputation.Status.COMPUTED:
                raise SystemExit(f"{slug}: {computation.status} {computation.message}")
            services.publish(computation, user, automatic=True)
        count += 1
    return count


def main():
    django.setup()
    from bif import roles, seeding
    from departments.models import DataSource
    from statistics_office.tables import services
    from tests import factories

    from .common import peak_rss_mb, report

    seeding.load_areas_and_classifications()
    seeding.create_catalog()
    source = DataSource.objects.get(slug="einwohner")
    version = ensure_residents(source)
    model = factories.UserFactory._meta.model
    user = model.objects.filter(username="bench-joint").first() or factories.UserFactory(
        username="bench-joint", role=roles.STATISTICIAN
    )
    published = ensure_published(source, version, user)
    definition = _definition("3d", DIMENSIONS, [], user, source)
    started = time.perf_counter()
    _cells, _layout, stats, info = services.compute_protected(definition)
    seconds = time.perf_counter() - started
    part = stats["versions"][0]
    if not info["audit_passed"]:
        raise SystemExit("the joint protection failed")
    report(
        "disclosure_joint_1m",
        rows=version.row_count,
        seconds=round(seconds, 2),
        published_tables=part["joint"]["published_tables"],
        atoms=part["joint"]["atoms"],
        targets=part["joint"]["targets"],
        added=part["joint"]["added"],
        suppressed=part["suppressed"],
        joint_s=round(info["timings"].get("joint_s", 0.0), 2),
        aggregate_s=round(info["timings"]["aggregate_s"], 2),
        protect_s=round(info["timings"]["protect_s"], 2),
        audit_s=round(info["timings"]["audit_s"], 2),
        peak_rss_mb=peak_rss_mb(),
    )
    assert published == len(PUBLISHED)


if __name__ == "__main__":
    main()
