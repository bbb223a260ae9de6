"""Indicators computed from published tables: base values, city, rank, change, visibility."""

import pytest
from django.urls import reverse

from indicators import selectors, services
from indicators.models import Indicator
from tests import factories

from .conftest import NEW

pytestmark = pytest.mark.django_db


def area(result, code):
    return next(a for a in result["areas"] if a["code"] == code)


def test_rate_per_stadtteil_with_base_values_and_city_reference(sgb2_rate):
    result = selectors.evaluate(sgb2_rate)
    assert result["stichtag"] == NEW.isoformat()
    altstadt = area(result, "01")
    assert altstadt["text"] == "70,0"  # 210 / 3,000 × 1,000
    assert (altstadt["numerator"], altstadt["denominator"]) == ("210", "3.000")
    assert result["city"]["text"] == "60,0"  # from the published totals, not a mean
    assert altstadt["to_city"] == 10.0


def test_a_suppressed_numerator_keeps_the_district_secret(sgb2_rate):
    nordstadt = area(selectors.evaluate(sgb2_rate), "03")
    assert nordstadt["cell"]["flag"] == "secret" and nordstadt["text"] == "."
    assert nordstadt["numerator"] == "." and nordstadt["rank"] is None
    assert nordstadt["to_city"] is None


def test_rank_and_change_since_the_previous_stichtag(sgb2_rate):
    result = selectors.evaluate(sgb2_rate)
    assert result["previous"] == "2024-12-31"
    neustadt = area(result, "02")
    assert neustadt["rank"] == 1 and result["ranked"] == 2
    assert neustadt["change"] == 22.0  # 97.0 now, 75.0 a year before
    assert neustadt["change_text"] == "+22,0"


def test_an_earlier_stichtag_reads_the_tables_of_that_date(sgb2_rate):
    result = selectors.evaluate(sgb2_rate, "2024-12-31")
    assert area(result, "03")["text"] == "13,3"  # published in 2024, secret in 2025
    assert {t["version"] for t in result["tables"]} == {1}


def test_every_change_raises_the_version(sgb2_rate, statistician):
    changed = services.save_indicator(user=statistician, indicator=sgb2_rate, unit="je 1.000 EW")
    assert changed.version == 2
    same = services.save_indicator(user=statistician, indicator=changed, unit="je 1.000 EW")
    assert same.version == 2


def test_a_ratio_needs_its_denominator(tables, statistician):
    with pytest.raises(services.IndicatorError, match="Nenner"):
        services.save_indicator(
            user=statistician,
            name="Ohne Nenner",
            definition="…",
            unit="%",
            kind="share",
            numerator=tables[0],
            numerator_label="Fälle",
        )


def test_only_the_statistics_office_keeps_the_catalogue(tables, staff):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.save_indicator(user=staff, name="X", kind="value", numerator=tables[0])


def test_staff_see_published_indicators_only(sgb2_rate, statistician, staff, client):
    draft = services.save_indicator(
        user=statistician,
        name="Entwurf",
        definition="noch in Arbeit",
        unit="Fälle",
        kind="value",
        numerator=sgb2_rate.numerator,
        numerator_label="Fälle",
    )
    client.force_login(staff)
    assert client.get(sgb2_rate.get_absolute_url()).status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("indicators:create")).status_code == 404
    slugs = [row["slug"] for row in client.get("/api/v1/indicators/").json()["results"]]
    assert slugs == ["sgb2-dichte"]


def test_an_indicator_on_a_withdrawn_table_disappears_for_staff(sgb2_rate, staff):
    from django.utils import timezone

    from statistics_office.tables.models import PublishedTable

    PublishedTable.objects.filter(definition=sgb2_rate.denominator).update(
        withdrawn_at=timezone.now()
    )
    assert not selectors.indicators_for(staff).exists()


def test_detail_page_shows_definition_values_rank_and_linked_views(sgb2_rate, staff, client):
    client.force_login(staff)
    html = client.get(sgb2_rate.get_absolute_url()).content.decode()
    assert "Leistungsfälle SGB II / Einwohner 15–64 × 1.000" in html
    assert "§ 51b SGB II" in html
    assert 'data-select-area="01"' in html and "data-linked-chart" in html
    assert "Stadt insgesamt: 60,0" in html  # the reference line's label


def test_api_detail_gives_values_with_signs(sgb2_rate, staff, client):
    client.force_login(staff)
    data = client.get("/api/v1/indicators/sgb2-dichte/").json()
    assert data["formula"].endswith("× 1.000")
    nordstadt = next(a for a in data["values"]["areas"] if a["code"] == "03")
    assert nordstadt["cell"] == {"value": None, "flag": "secret"}
    assert data["values"]["city"]["text"] == "60,0"
    assert client.get("/api/v1/indicators/sgb2-dichte/?stichtag=1999-12-31").status_code == 404
    assert client.get("/api/v1/indicators/sgb2-dichte/?stichtag=gestern").status_code == 400


def test_district_profile_shows_every_indicator_against_the_city(sgb2_rate, staff, client):
    services.save_indicator(
        user=factories.statistician(username="zweite"),
        name="Leistungsfälle SGB II",
        slug="sgb2-faelle",
        definition="Laufende Fälle.",
        unit="Fälle",
        kind="value",
        numerator=sgb2_rate.numerator,
        numerator_label="Leistungsfälle SGB II",
        decimals=0,
        status="published",
    )
    client.force_login(staff)
    response = client.get(reverse("indicators:profile", args=["02"]))
    html = response.content.decode()
    assert "Stadtteil-Profil Neustadt" in html
    assert "SGB-II-Dichte" in html and "Leistungsfälle SGB II: 388; Einwohner 15–64: 4.000" in html
    assert "97,0" in html and "60,0" in html and "1/2" in html
    assert client.get(reverse("indicators:profile", args=["99"])).status_code == 404
    api = client.get("/api/v1/indicator-profiles/02/").json()
    assert {row["indicator"] for row in api["indicators"]} == {"sgb2-dichte", "sgb2-faelle"}


def test_the_office_creates_an_indicator_in_the_form(tables, statistician, client):
    cases, residents = tables
    client.force_login(statistician)
    response = client.post(
        reverse("indicators:create"),
        {
            "name": "Anteil 65+",
            "definition": "Einwohner ab 65 je 100 Einwohner.",
            "unit": "%",
            "kind": "share",
            "numerator": residents.pk,
            "numerator_label": "Einwohner ab 65",
            "numerator_filter": "Altersgruppe = 65+",
            "denominator": residents.pk,
            "denominator_label": "Einwohner",
            "denominator_filter": "",
            "area_dimension": "Stadtteil",
            "decimals": 1,
            "status": "published",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    indicator = Indicator.objects.get(slug="anteil-65")
    assert indicator.numerator_filter == {"Altersgruppe": "65+"}
    assert area(selectors.evaluate(indicator), "01")["text"] == "17,9"  # 750 / 4,200


def test_a_selection_without_equals_sign_names_the_line(tables, statistician, client):
    client.force_login(statistician)
    response = client.post(
        reverse("indicators:create"),
        {"name": "X", "kind": "value", "numerator": tables[0].pk, "numerator_filter": "65+"},
    )
    assert "Zeile 1" in response.content.decode()


def test_the_catalogue_loads_from_data_and_skips_rows_without_tables(tables, statistician):
    rows = [
        {
            "slug": "sgb2",
            "name": "Leistungsfälle",
            "definition": "Fälle.",
            "unit": "Fälle",
            "kind": "value",
            "numerator": "sgb2-stadtteil",
            "numerator_label": "Fälle",
            "status": "published",
        },
        {
            "slug": "ohne-tabelle",
            "name": "Ohne Tabelle",
            "definition": "…",
            "unit": "%",
            "kind": "share",
            "numerator": "gibt-es-nicht",
            "numerator_label": "x",
        },
    ]
    saved, skipped = services.load_catalogue(rows, user=statistician)
    assert [i.slug for i in saved] == ["sgb2"] and skipped == ["ohne-tabelle"]
    again, _skipped = services.load_catalogue(rows, user=statistician)
    assert again[0].pk == saved[0].pk and again[0].version == 1


def test_the_demo_catalogue_names_only_demo_tables():
    import json
    from pathlib import Path

    from bif.seeding import DEMO_TABLES

    path = Path(__file__).resolve().parents[2] / "departments/demo/data/indikatoren.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    slugs = {t[0] for t in DEMO_TABLES}
    assert rows and all(r["numerator"] in slugs for r in rows)
    assert all(r.get("denominator", "") in slugs | {""} for r in rows)
    assert all(r["definition"] and r["unit"] and r["legal_basis"] for r in rows)
