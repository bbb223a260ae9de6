"""Every format, written from one protected table, read back by an independent reader:
every cell's value and status must survive."""

import csv
import io
import json

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from pyaxis import pyaxis
from pyjstat import pyjstat

from dissemination.formats import jsonstat, px, sdmx, selection, tabular

from . import sample


def expected():
    """{(Jahr, Stadtteil, Geschlecht): (value or None, sign)} as the office published it."""
    out = {}
    for c in sample.cells():
        key = (c["Jahr"], c["Stadtteil"], c["Geschlecht"])
        sign = {"secret": ".", "zero": "–", "p": "p"}.get(c["flag"], "")
        out[key] = (c["value"], sign)
    return out


LABEL_TO_CODE = {v: k for k, v in {**sample.STADTTEILE, **sample.SEXES}.items()}


def test_jsonstat_reads_back_with_pyjstat_and_keeps_every_status():
    raw = jsonstat.to_jsonstat(sample.dataset())
    frame = pyjstat.Dataset.read(raw.decode()).write("dataframe", naming="id")
    assert len(frame) == len(expected())
    document = json.loads(raw)
    assert document["version"] == "2.0" and document["class"] == "dataset"
    for position, row in frame.iterrows():
        key = (row["Jahr"], row["Stadtteil"], row["Geschlecht"])
        value, sign = expected()[key]
        got = None if pd.isna(row["value"]) else float(row["value"])
        assert got == value, key
        assert document["status"].get(str(position), "") == sign, key
    stadtteil = document["dimension"]["Stadtteil"]
    assert stadtteil["note"] == ["Gebietsstand 2024"]
    assert stadtteil["category"]["note"] == {"02": ["ab 2022 neue Abgrenzung"]}
    assert document["role"] == {"time": ["Jahr"], "geo": ["Stadtteil"]}
    assert document["extension"]["cell_notes"][0]["text"] == "Nachmeldungen eingerechnet"


def test_sdmx_csv_has_one_row_per_observation_with_confidentiality():
    text = sdmx.to_sdmx_csv(sample.dataset()).decode()
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert list(frame.columns[:5]) == [
        "STRUCTURE",
        "STRUCTURE_ID",
        "JAHR",
        "STADTTEIL",
        "GESCHLECHT",
    ]
    assert set(frame["STRUCTURE"]) == {"dataflow"}
    assert set(frame["STRUCTURE_ID"]) == {"BIF:EINWOHNER-ZEITREIHE(3.0)"}
    assert len(frame) == len(expected())
    for _, row in frame.iterrows():
        value, sign = expected()[(row["JAHR"], row["STADTTEIL"], row["GESCHLECHT"])]
        assert (float(row["OBS_VALUE"]) if row["OBS_VALUE"] else None) == value
        assert row["OBS_STATUS"] == sign
        assert row["CONF_STATUS"] == ("C" if sign == "." else "F")
    noted = frame[(frame["JAHR"] == "2024") & (frame["STADTTEIL"] == "01")]
    assert set(noted["OBS_COMMENT"]) == {"Nachmeldungen eingerechnet"}


def test_px_reads_back_with_pyaxis_with_data_symbols_and_notes(tmp_path):
    path = tmp_path / "table.px"
    path.write_bytes(px.to_px(sample.dataset()))
    parsed = pyaxis.parse(str(path), encoding="utf-8")
    meta, data = parsed["METADATA"], parsed["DATA"]
    assert meta["AXIS-VERSION"] == ["2013"]
    assert meta["DATASYMBOL1"] == ["."]
    assert meta["DATASYMBOLNIL"] == ["–"]
    assert meta["REFPERIOD"] == ["31.12.2022 bis 31.12.2024"]
    assert meta["CONTACT"] == ["statistik@musterstadt.de"]
    assert meta["SOURCE"] == ["Stadt Musterstadt, Statistikstelle"]
    assert meta["LAST-UPDATED"] == ["20260301 09:30"]
    assert "Gebietsstand 2024" in meta["NOTE(Stadtteil)"][0]
    assert any("Nachmeldungen" in v[0] for k, v in meta.items() if k.startswith("CELLNOTE"))
    assert any("vorläufige Zahl" in v[0] for k, v in meta.items() if k.startswith("CELLNOTE"))
    assert len(data) == len(expected())
    for _, row in data.iterrows():
        key = (row["Jahr"], LABEL_TO_CODE[row["Stadtteil"]], LABEL_TO_CODE[row["Geschlecht"]])
        value, sign = expected()[key]
        shown = str(row["DATA"]).strip('"')
        if sign == ".":
            assert shown in (".", "", "nan"), key  # pyaxis reads "." as its null value
        elif sign == "–":
            assert shown == "-", key
        else:
            assert float(shown) == value, key


def test_px_reader_of_our_own_sees_the_symbols_in_the_data_section():
    text = px.to_px(sample.dataset()).decode()
    data = text.split("DATA=\n", 1)[1].rstrip().rstrip(";").split()
    keys = list(expected())
    assert len(data) == len(keys)
    for token, key in zip(data, keys, strict=True):
        value, sign = expected()[key]
        want = {".": '"."', "–": '"-"'}.get(sign) or f"{value:.1f}"
        assert token == want, key


def test_parquet_has_value_and_value_symbol():
    table = pq.read_table(io.BytesIO(tabular.to_parquet(sample.dataset())))
    frame = table.to_pandas()
    assert {"value", "value_symbol"} <= set(frame.columns)
    assert len(frame) == len(expected())
    for _, row in frame.iterrows():
        value, sign = expected()[(row["Jahr"], row["Stadtteil"], row["Geschlecht"])]
        assert (None if pd.isna(row["value"]) else row["value"]) == value
        assert row["value_symbol"] == sign
    assert table.schema.metadata[b"licence"] == b"dl-de/by-2-0"


def test_german_csv_uses_semicolon_decimal_comma_signs_and_legend():
    raw = tabular.to_german_csv(sample.dataset())
    text = raw.decode("utf-8-sig")
    body, footer = text.split("\r\n\r\n", 1)
    frame = pd.read_csv(io.StringIO(body), sep=";", dtype=str, keep_default_na=False)
    assert len(frame) == len(expected())
    for _, row in frame.iterrows():
        key = (row["Jahr"], LABEL_TO_CODE[row["Stadtteil"]], LABEL_TO_CODE[row["Geschlecht"]])
        value, sign = expected()[key]
        assert row["Zeichen"] == sign
        if sign in (".", "–"):
            assert row["Wert"] == sign
        else:
            assert float(row["Wert"].replace(".", "").replace(",", ".")) == value
    assert "1.007,5" in body  # German grouping and decimal comma
    assert ". = geheim" in footer and "Quelle: Stadt Musterstadt" in footer
    assert list(csv.reader(io.StringIO(body), delimiter=";"))[0][-2:] == ["Wert", "Zeichen"]


def test_xlsx_has_numbers_signs_and_a_metadata_sheet():
    book = openpyxl.load_workbook(io.BytesIO(tabular.to_xlsx(sample.dataset())))
    rows = list(book["Daten"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(expected())
    for year, area, sex, value, sign, _notes in rows:
        want_value, want_sign = expected()[(year, LABEL_TO_CODE[area], LABEL_TO_CODE[sex])]
        assert value == want_value and (sign or "") == want_sign
    meta = dict(r for r in book["Metadaten"].iter_rows(values_only=True) if r[0] != "Fußnote")
    assert meta["Lizenz"] == "dl-de/by-2-0" and meta["Einheit"] == "Personen"


@pytest.mark.parametrize(
    ("expression", "kept"),
    [
        ("from(2023)", ["2023", "2024"]),
        ("to(2022)", ["2022"]),
        ("top(2)", ["2023", "2024"]),
        ("2022,2024", ["2022", "2024"]),
        ("*", ["2022", "2023", "2024"]),
    ],
)
def test_time_selection(expression, kept):
    chosen = selection.select_time(sample.dataset(), expression)
    assert chosen.dimensions[0].codes == kept
    assert {c["Jahr"] for c in chosen.cells} == set(kept)


def test_top_includes_a_period_published_later():
    later = sample.dataset()
    later.dimensions[0].codes.append("2025")
    assert selection.select_codes(later.dimensions[0].codes, "top(3)") == ["2023", "2024", "2025"]


def test_bad_time_selection_is_refused():
    with pytest.raises(selection.SelectionError):
        selection.select_codes(["2022"], "top(x)")
