"""A Gebietsstand goes in whole or not at all, through the command, the admin page or the
service; what is stored answers hierarchies, labels and maps of any level."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from bif.geography import selectors, services
from bif.geography.models import AreaUnit

from . import invented_city as city


@pytest.fixture
def seeburg(db):
    services.load_areas(city.package())


def test_the_invented_city_loads_with_its_levels_and_school_districts(seeburg):
    assert selectors.parents("baublock", "quartier")["2102"] == "Q21"
    # two levels up in one step
    assert selectors.hierarchy("baublock->ortsbezirk")["2202"] == "OB-2"
    assert selectors.labels("quartier")["Q12"] == "Quartier Q12"
    school = AreaUnit.objects.get(level__slug="schulbezirk", code="GS1")
    assert sorted(school.members.values_list("code", flat=True)) == ["1101", "1102", "1201", "1202"]
    # built from its blocks: the school district's outline is the union of theirs
    features = selectors.geojson("schulbezirk")["features"]
    assert [f["properties"]["code"] for f in features] == ["GS1", "GS2"]
    assert features[0]["geometry"]["type"] == "Polygon"


def test_a_broken_package_stores_nothing(db):
    broken = city.package(extra_rows="baublock;1101;doppelt;Q11;2020-01-01;;\n")
    with pytest.raises(services.AreaFilesRejected) as rejected:
        services.load_areas(broken)
    assert any("doppelt vor" in p for p in rejected.value.problems)
    assert not AreaUnit.objects.exists()


def test_loading_again_replaces_the_same_gebietsstand(seeburg):
    services.load_areas(city.package())
    assert AreaUnit.objects.filter(level__slug="baublock").count() == 8


def test_the_command_loads_a_folder_and_reports_findings(db, tmp_path):
    for name, data in city.package(units_=[u for u in city.units() if u[1] != "Q11"]).items():
        (tmp_path / name).write_bytes(data)
    err = io.StringIO()
    with pytest.raises(CommandError, match="Befund"):
        call_command("load_areas", str(tmp_path), stderr=err)
    assert "das übergeordnete Gebiet „Q11“ von „1101“ gibt es nicht" in err.getvalue()
    good = tmp_path / "good"
    good.mkdir()
    for name, data in city.package().items():
        (good / name).write_bytes(data)
    out = io.StringIO()
    call_command("load_areas", str(good), stdout=out)
    assert "4 Ebenen, 16 Gebiete" in out.getvalue()


def test_the_admin_page_loads_files_for_the_administration(client, administrator):
    client.force_login(administrator)
    uploads = [SimpleUploadedFile(n, d) for n, d in city.package().items()]
    response = client.post("/admin/geography/arealevel/laden/", {"files": uploads})
    assert response.status_code == 302
    assert AreaUnit.objects.filter(level__slug="quartier").count() == 4


def test_the_admin_page_shows_findings_and_stores_nothing(client, administrator):
    client.force_login(administrator)
    package = city.package(units_=[u for u in city.units() if u[1] != "1102"])
    uploads = [SimpleUploadedFile(n, d) for n, d in package.items()]
    response = client.post("/admin/geography/arealevel/laden/", {"files": uploads})
    assert response.status_code == 200
    assert "decken „Q11“ nicht ganz ab" in response.content.decode()
    assert not AreaUnit.objects.exists()


def test_the_demo_city_package_is_clean():
    folder = Path(__file__).resolve().parents[2] / "departments" / "demo" / "data" / "areas"
    parsed, problems = services.check(services.read_folder(folder))
    assert problems == []
    levels = {u.level for u in parsed.units}
    assert levels == {"stadtteil", "stadtbezirk"}
    assert sum(u.level == "stadtbezirk" for u in parsed.units) == 41


def test_the_level_list_links_to_the_load_page(client, administrator):
    client.force_login(administrator)
    page = client.get("/admin/geography/arealevel/").content.decode()
    assert "/admin/geography/arealevel/laden/" in page and "Gebietsstand laden" in page


def test_a_restricted_user_may_not_load_areas(client, staff):
    client.force_login(staff)
    response = client.post("/admin/geography/arealevel/laden/", {})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert not AreaUnit.objects.exists()


CODES = (
    "klassifikation;name;version;gueltig_ab;code;bezeichnung;reihenfolge;uebergeordnet;von;bis\n"
    "geschlecht-seeburg;Geschlecht;1;2015-01-01;1;männlich;1;;;\n"
    "geschlecht-seeburg;Geschlecht;1;2015-01-01;2;weiblich;2;;;\n"
)


def test_the_admin_page_loads_areas_register_and_classifications_together(client, administrator):
    from bif.geography import classifications
    from bif.geography.models import Address

    client.force_login(administrator)
    package = {
        **city.package(),
        "klassifikationen.csv": CODES.encode(),
        "adressen.csv": b"strasse;hausnummer;baublock\nSeeweg;1;1101\n",
    }
    uploads = [SimpleUploadedFile(n, d) for n, d in package.items()]
    response = client.post("/admin/geography/arealevel/laden/", {"files": uploads})
    assert response.status_code == 302
    assert classifications.labels("geschlecht-seeburg") == {"1": "männlich", "2": "weiblich"}
    assert Address.objects.get().codes == {"baublock": "1101"}


def test_a_broken_classification_keeps_the_areas_out_too(client, administrator):
    from bif.geography.models import Classification

    client.force_login(administrator)
    broken = CODES + "geschlecht-seeburg;Geschlecht;1;2015-01-01;1;doppelt;3;;;\n"
    package = {**city.package(), "klassifikationen.csv": broken.encode()}
    uploads = [SimpleUploadedFile(n, d) for n, d in package.items()]
    response = client.post("/admin/geography/arealevel/laden/", {"files": uploads})
    assert response.status_code == 200
    assert "Zeile 4: der Code „1“ steht in „geschlecht-seeburg“ 1 doppelt" in (
        response.content.decode()
    )
    assert not AreaUnit.objects.exists() and not Classification.objects.exists()


def test_checking_only_keeps_nothing(client, administrator):
    client.force_login(administrator)
    uploads = [SimpleUploadedFile(n, d) for n, d in city.package().items()]
    response = client.post(
        "/admin/geography/arealevel/laden/", {"files": uploads, "check_only": "on"}
    )
    assert response.status_code == 200 and "keine Befunde" in response.content.decode()
    assert not AreaUnit.objects.exists()
