"""The district profile is its own printable report: a print button, the date it was made,
each indicator's definition and the legend of signs as a section of its own."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_district_profile_is_a_printable_report(sgb2_rate, staff, client):
    client.force_login(staff)
    html = client.get(reverse("indicators:profile", args=["02"])).content.decode()
    assert "data-print" in html and "dashboards/dashboard.js" in html
    assert "Bericht der Statistikstelle" in html and "erstellt am" in html
    assert 'class="indicator-definition"' in html and "Definition: SGB-II-Dichte" in html
    signs = html[html.index('class="report-signs"') :]
    assert '<h2 id="profile-signs-title">Zeichenerklärung</h2>' in signs
    assert "geheim zu halten" in signs
    # The legend's own heading line is not repeated as an item under the section's title.
    assert "<li>Zeichenerklärung:</li>" not in signs
