"""Mapping file columns to schema fields, and checking schema descriptors."""

from departments.importing.schema import (
    normalise_header,
    propose_mapping,
    validate_schema_descriptor,
)
from tests.factories import RESIDENT_FILES_SCHEMA as RESIDENT_SCHEMA


def test_normalise_header_ignores_case_whitespace_punctuation_and_umlaut_spelling():
    assert normalise_header(" Staatsangehörigkeit ") == normalise_header("STAATSANGEHOERIGKEIT")
    assert normalise_header("Geburts-Datum") == normalise_header("geburtsdatum")
    assert normalise_header("Straße") == normalise_header("strasse")
    assert normalise_header("Stadtteil Nr.") == "stadtteilnr"


def test_columns_match_by_name_title_and_tolerant_spelling():
    mapping = propose_mapping(
        ["PERSONEN-ID", "Geburts Datum", "geschlecht", "Stadtteil", "Staatsangehoerigkeit"],
        RESIDENT_SCHEMA,
    )
    assert mapping.columns == {
        "person_id": "PERSONEN-ID",
        "geburtsdatum": "Geburts Datum",
        "geschlecht": "geschlecht",
        "stadtteil": "Stadtteil",
        "staatsangehoerigkeit": "Staatsangehoerigkeit",
    }
    assert mapping.unmapped_fields == []
    assert set(mapping.missing_optional) == {"haushalt_personen", "miete", "deutsch"}


def test_alias_in_descriptor_maps_a_renamed_column():
    mapping = propose_mapping(["PersNr"], RESIDENT_SCHEMA)
    assert mapping.columns["person_id"] == "PersNr"


def test_saved_mapping_wins_and_round_trips():
    saved = {"Geb.-Datum": "geburtsdatum", "Kennung": "person_id"}
    mapping = propose_mapping(["Kennung", "Geb.-Datum", "Personen-ID"], RESIDENT_SCHEMA, saved)
    assert mapping.columns["person_id"] == "Kennung"
    assert mapping.columns["geburtsdatum"] == "Geb.-Datum"
    assert "Personen-ID" in mapping.extra_columns
    assert mapping.as_saved()["Kennung"] == "person_id"


def test_missing_required_fields_are_unmapped():
    mapping = propose_mapping(["Personen-ID"], RESIDENT_SCHEMA)
    assert mapping.unmapped_fields == ["geburtsdatum", "geschlecht", "stadtteil"]


def test_each_file_column_is_used_once():
    mapping = propose_mapping(["Geschlecht", "GESCHLECHT"], RESIDENT_SCHEMA)
    assert mapping.columns["geschlecht"] == "Geschlecht"
    assert mapping.extra_columns[0] == "GESCHLECHT"


def test_valid_descriptor_has_no_problems():
    assert validate_schema_descriptor(RESIDENT_SCHEMA) == []


def test_descriptor_problems_are_named():
    problems = validate_schema_descriptor(
        {
            "fields": [
                {"name": "a", "type": "text"},
                {"name": "a", "type": "integer", "constraints": {"minimum": "x"}},
                {"name": "b", "constraints": {"pattern": "(", "colour": 1}},
            ],
            "primaryKey": ["c"],
        }
    )
    joined = " ".join(problems)
    assert "unbekannter Typ „text“" in joined
    assert "mehrfach" in joined
    assert "„minimum“" in joined
    assert "„pattern“" in joined
    assert "„colour“" in joined
    assert "„c“" in joined
    assert validate_schema_descriptor({"fields": []})
