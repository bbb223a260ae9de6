"""The three demo dashboards over the real demo seed: every figure (KPIs and tables too)
shows the definition of its indicator on the page and on its report, and its CSV and Excel
downloads carry it."""

import io
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from dashboards.demo import DEMO_DASHBOARDS, create_demo_dashboards

pytestmark = [
    pytest.mark.django_db(databases=["default", "sealed"], transaction=True),
    pytest.mark.usefixtures("clean_sealed_tables"),
]

SECTION = re.compile(r'<section class="widget .*?</section>', re.S)


def widget_sections(html):
    """{widget title: its HTML} for every widget section of a page."""
    sections = {}
    for section in SECTION.findall(html):
        title = re.search(r"<h2 [^>]*>(.*?)</h2>", section, re.S).group(1).strip()
        sections[title] = section
    return sections


def test_every_figure_of_the_demo_dashboards_carries_its_definition(settings, tmp_path, client):
    settings.VAR_DIR = tmp_path
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    call_command("seed_demo", "--residents", "3000", "--years", "2024,2025", stdout=io.StringIO())
    owner = get_user_model().objects.get(username="statistik")
    boards = create_demo_dashboards(owner)
    assert {b.slug for b in boards} == {entry[0] for entry in DEMO_DASHBOARDS}
    client.force_login(get_user_model().objects.get(username="mitarbeiter"))
    for board in boards:
        widgets = list(board.widgets.all())
        assert widgets, board.slug
        for path in (board.get_absolute_url(), f"/dashboards/{board.slug}/bericht/"):
            sections = widget_sections(client.get(path).content.decode())
            assert set(sections) == {w.title for w in widgets}, path
            for title, html in sections.items():
                assert 'class="indicator-definition"' in html, (path, title)
                assert "Definition: " in html and "Berechnung" in html, (path, title)
        for widget in widgets:
            args = [board.slug, widget.pk]
            text = client.get(
                reverse("dashboards:widget-export", args=[*args, "csv"])
            ).content.decode("utf-8-sig")
            assert "Indikator: " in text and "Berechnung: " in text, (board.slug, widget.title)
            workbook = client.get(reverse("dashboards:widget-export", args=[*args, "xlsx"]))
            sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
            cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
            assert any(c.startswith("Indikator: ") for c in cells), (board.slug, widget.title)
