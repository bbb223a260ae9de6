"""Consistency inside a file and values across sources: totals against their parts, declared
partitions, and the two real Flensburg files that disagree on Sandberg."""

from pathlib import Path

import numpy as np
import pandas as pd

from departments.importing import consistency, cross_source, grid, messages, validation
from departments.importing import schema as table_schema
from departments.importing.describe import describe

HERE = Path(__file__).parent
CHECKS = HERE / "checks"
CORPUS = HERE / "corpus"


def typed(path, schema=None):
    """A file read as its proposed (or given) schema says: typed values and row numbers."""
    schema = schema or describe(path).schema
    read = grid.read_for_schema(path, filename=path.name, layout=schema.get("layout") or {})
    mapping = table_schema.propose_mapping(list(read.frame.columns), schema)
    result = validation.validate(read, schema, mapping)
    assert not [f for f in result.findings if f.is_error]
    return result.typed, result.row_numbers, schema


def test_genesis_national_total_above_its_states_is_a_finding_with_the_rows():
    frame, rows, schema = typed(CHECKS / "genesis_12411-01-01-4_deutschland_ueber_laendern.csv")
    findings = consistency.check(frame, schema, row_numbers=rows)
    assert [(f.rule, f.column) for f in findings] == [
        ("total_not_sum", "bevoelkerungsstand_insgesamt")
    ]
    (total,) = findings
    deutschland, sh, bayern = (int(rows[i]) for i in (0, 1, 3))
    assert total.rows == (deutschland, sh, bayern)
    assert total.params["total"] == 16422663
    assert total.params["sum"] == 2953270 + 13369393
    assert total.params["difference"] == 100000
    text = messages.describe(total)
    assert "Deutschland" in text and "100.000" in text and f"Zeilen {deutschland}" in text


def test_bezirk_above_its_stadtteile_and_a_partition_that_does_not_add_up():
    path = CHECKS / "bezirke_stadtteile_auslaender.csv"
    schema = describe(path).schema
    schema["consistency"] = {
        "hierarchy": {"keyField": "code", "parentField": "bezirk"},
        "measures": ["einwohner", "auslaender", "eu", "nicht_eu"],
        "partitions": [{"total": "auslaender", "parts": ["eu", "nicht_eu"]}],
    }
    frame, rows, schema = typed(path, schema)
    findings = consistency.check(frame, schema, row_numbers=rows)
    by_rule = {(f.rule, f.column): f for f in findings}
    assert set(by_rule) == {("total_not_sum", "einwohner"), ("partition_mismatch", "auslaender")}
    bezirk = by_rule[("total_not_sum", "einwohner")]
    assert bezirk.rows == (2, 3, 4, 5)  # Bezirk Nord, then Altstadt, Neustadt, Nordstadt
    assert bezirk.params["total_label"] == "Bezirk Nord"
    assert bezirk.params["difference"] == 21000 - (3512 + 4800 + 12507)
    partition = by_rule[("partition_mismatch", "auslaender")]
    assert partition.rows == (6, 8) and partition.values == ("Bezirk Süd", "Sandberg")
    assert partition.params["parts"] == "eu + nicht_eu"
    assert "ergeben eu + nicht_eu nicht die Gesamtzahl" in messages.describe(partition)


def test_the_real_ffcsv_total_equals_its_laender_and_raises_nothing():
    frame, rows, schema = typed(CORPUS / "destatis_11111-0001_ffcsv_excerpt.csv")
    assert consistency.hierarchy(frame, schema) is not None  # "Insgesamt" found as the total
    assert consistency.check(frame, schema, row_numbers=rows) == []


def test_rounding_in_units_of_1000_is_tolerated_but_not_more():
    frame = pd.DataFrame({"gebiet": ["Insgesamt", "A", "B", "C"], "wert": [10.0, 3.0, 3.0, 3.0]})
    parents = consistency.parents_from_total_labels(frame["gebiet"])
    assert consistency.totals_findings(frame, ["wert"], parents, rounding_unit=1) == []
    frame.loc[0, "wert"] = 12.5
    (finding,) = consistency.totals_findings(frame, ["wert"], parents, rounding_unit=1)
    assert finding.rule == "total_not_sum" and finding.params["tolerance"] == 2


def test_a_part_above_its_total_names_the_part():
    frame = pd.DataFrame({"gebiet": ["Insgesamt", "A", "B"], "wert": [5.0, 7.0, 1.0]})
    parents = consistency.parents_from_total_labels(frame["gebiet"])
    found = consistency.totals_findings(frame, ["wert"], parents, labels=list(frame["gebiet"]))
    rules = {f.rule: f for f in found}
    assert rules["part_above_total"].values == ("A",)
    assert rules["part_above_total"].rows == (1, 2)


def test_a_secret_part_makes_the_sum_not_computable_so_nothing_is_claimed():
    frame = pd.DataFrame({"gebiet": ["Insgesamt", "A", "B"], "wert": [100.0, np.nan, 1.0]})
    parents = consistency.parents_from_total_labels(frame["gebiet"])
    assert consistency.totals_findings(frame, ["wert"], parents) == []


def test_levels_give_each_row_its_nearest_higher_row_as_parent():
    assert consistency.parents_from_levels([1, 2, 3, 3, 2, 3]).tolist() == [-1, 0, 1, 1, 0, 4]


def test_sandberg_2021_differs_between_the_two_shared_flensburg_files():
    """Residents per Stadtteil 2021 in the yearly table (`gesamt` = 2021) against the age
    table: equal within 1 % everywhere except Sandberg (6.702 against 7.602)."""
    years, _, _ = typed(CHECKS / "einwohner_stadtteile_2011_2021.csv")
    ages, _, _ = typed(CHECKS / "einwohner_stadtteile_2021_altersgruppen.csv")
    left = years.drop_duplicates("stadtteil").set_index("stadtteil")["gesamt"]
    right = ages.set_index("stadtteil")["gesamt"]
    (finding,) = cross_source.values_differ(
        left,
        right,
        tolerance_pct=1,
        left_label="Einwohner 2021 (Zeitreihe)",
        right_label="Einwohner 2021 (Altersgruppen)",
    )
    assert finding.rule == "cross_source_differs" and finding.column == "stadtteil"
    assert finding.values == ("Sandberg",) and finding.count == 1
    assert (finding.params["left"], finding.params["right"]) == (6702, 7602)
    text = messages.describe(finding)
    assert "Sandberg: 6.702 gegenüber 7.602" in text


def test_the_shared_age_table_does_not_add_up_to_its_total_in_sandberg():
    """The age groups of a Stadtteil partition its residents; in the shared file Sandberg's
    groups add up to 6.702, its total says 7.602 (and Neustadt's to 4.750, not 4.850)."""
    path = CHECKS / "einwohner_stadtteile_2021_altersgruppen.csv"
    schema = describe(path).schema
    groups = ["unter_18", "18_bis_unter_30", "30_bis_unter_45", "45_bis_unter_65"]
    groups += ["65_bis_unter_80", "80_und_aelter"]
    schema["consistency"] = {"partitions": [{"total": "gesamt", "parts": groups}]}
    frame, rows, schema = typed(path, schema)
    (finding,) = consistency.check(frame, schema, row_numbers=rows)
    assert finding.rule == "partition_mismatch"
    assert finding.values == ("Neustadt", "Sandberg") and finding.rows == (3, 9)
    assert (finding.params["total"], finding.params["sum"]) == (4850, 4750)


def test_values_within_tolerance_raise_nothing_and_zero_against_zero_is_equal():
    left = pd.Series({"A": 100.0, "B": 0.0})
    right = pd.Series({"A": 104.0, "B": 0.0})
    assert (
        cross_source.values_differ(left, right, tolerance_pct=5, left_label="a", right_label="b")
        == []
    )
    (finding,) = cross_source.values_differ(
        left, right, tolerance_pct=3, left_label="a", right_label="b"
    )
    assert finding.values == ("A",) and finding.params["difference_pct"] == -3.8
