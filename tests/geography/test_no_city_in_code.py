"""No production code names the demo city or keys behaviour on a field called "Stadtteil"
or "Geschlecht": areas and classifications are data."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ["bif", "departments", "statistics_office", "indicators", "dashboards", "rollout"]
# The demo city itself: its generator, its seed and its demo dashboards and rollout.
DEMO = {
    "departments/demo",
    "bif/seeding.py",
    "bif/management/commands/seed_demo.py",
    "dashboards/demo.py",
    "rollout/demo.py",
}


def production_modules():
    for package in PRODUCTION:
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or any(relative.startswith(d) for d in DEMO):
                continue
            yield relative, path.read_text(encoding="utf-8")


def test_no_production_module_names_the_demo_city():
    assert [name for name, text in production_modules() if "flensburg" in text.lower()] == []


def test_tables_and_maps_take_areas_and_codes_from_data_not_from_field_names():
    keyed = []
    for name, text in production_modules():
        if name.startswith(("statistics_office/tables/", "dashboards/", "bif/geography/")):
            # the old keys: a lower-cased field name compared with these, a fixed hierarchy,
            # the demo city's feature ids (help texts may still show "Stadtteil" as example)
            for word in ('"stadtteil"', '"geschlecht"', "stadtbezirk->stadtteil", '"STGT'):
                if word in text and not name.endswith("models.py"):
                    keyed.append((name, word))
    assert keyed == []
