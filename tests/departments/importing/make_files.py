"""Write the import test files into files/ (run once; the bytes are committed).

    .venv/bin/python tests/departments/importing/make_files.py

Good files must import without errors; bad files each trigger one rule (see test_import_files.py).
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent / "files"

HEADER = [
    "Personen-ID",
    "Geburtsdatum",
    "Geschlecht",
    "Stadtteil",
    "Staatsangehörigkeit",
    "Personen im Haushalt",
    "Miete",
    "Deutsch",
]
ROWS = [
    ["000123", "01.02.1980", "w", "01", "deutsch", "2", "1.234,5", "ja"],
    ["000124", "15.11.1975", "m", "02", "österreichisch", "1", "450,00", "nein"],
    ["010125", "29.02.2000", "d", "13", "türkisch", "4", "0,5", "nein"],
    ["000126", "31.12.2023", "w", "07", "deutsch", "3", "12", "x"],
    ["000127", "05.06.1950", "m", "09", "französisch", "1", "2.000,75", "ja"],
]


def csv_text(header=HEADER, rows=ROWS, sep=";", newline="\n") -> str:
    lines = [sep.join(header)] + [sep.join(row) for row in rows]
    return newline.join(lines) + newline


def patched(row: int, column: int, value: str) -> list[list[str]]:
    rows = [list(r) for r in ROWS]
    rows[row][column] = value
    return rows


def write(name: str, data: bytes | str, encoding: str = "utf-8") -> None:
    if isinstance(data, str):
        data = data.encode(encoding)
    (HERE / name).write_bytes(data)


def xlsx(name: str, sheets: dict[str, list[list]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    if name:
        write(name, data)
    return data


def ole(with_encryption: bool) -> bytes:
    """A minimal OLE2/CFB container: header plus one directory sector with stream names."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HH", 0x3E, 3)
    header = header.ljust(512, b"\x00")
    names = (
        ["Root Entry", "EncryptionInfo", "EncryptedPackage"]
        if with_encryption
        else ["Root Entry", "Workbook", "\x05SummaryInformation"]
    )
    directory = b"".join(n.encode("utf-16-le").ljust(128, b"\x00") for n in names)
    return header + directory.ljust(512, b"\x00") + b"\x00" * 1024


def good_files() -> None:
    write("good_semicolon_utf8.csv", csv_text())
    write("good_utf8_bom.csv", "\ufeff" + csv_text(newline="\r\n"))
    write("good_cp1252_umlauts.csv", csv_text(newline="\r\n"), encoding="cp1252")
    comma_rows = [
        [
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5].replace(".", ""),
            r[6].replace(".", "").replace(",", "."),
            r[7],
        ]
        for r in ROWS
    ]
    comma_rows[4][6] = '"2,000.75"'
    comma_rows[1][4] = '"österreichisch, seit 2001"'
    write("good_comma.csv", csv_text(rows=comma_rows, sep=","))
    write("good_tab.tsv", csv_text(sep="\t"))
    write("good_pipe.csv", csv_text(sep="|"))
    write("good_utf16.csv", "\ufeff" + csv_text(sep="\t", newline="\r\n"), encoding="utf-16-le")
    write("good_decimal_comma.csv", csv_text())
    iso_rows = [
        [r[0], dt.datetime.strptime(r[1], "%d.%m.%Y").date().isoformat(), *r[2:]] for r in ROWS
    ]
    write("good_iso_dates.csv", csv_text(rows=iso_rows))
    write(
        "good_title_footer.csv",
        "Export Einwohnermeldewesen Stand 31.12.2023;;;;;;;\n"
        "Erstellt von Fachverfahren XY\n\n"
        + csv_text()
        + "\nQuelle: Bürgeramt, eigene Berechnung\n* vorläufig\n",
    )
    renamed = [
        "PersNr",
        "Geb.-Datum",
        "Geschlecht",
        "Stadtteil-Nr.",
        "Nationalität",
        "HH-Größe",
        "Kaltmiete EUR",
        "Deutsch",
    ]
    write("good_renamed_columns.csv", csv_text(header=renamed))
    typed_rows = []
    for r in ROWS:
        typed_rows.append(
            [
                r[0],
                dt.datetime.strptime(r[1], "%d.%m.%Y"),
                r[2],
                r[3],
                r[4],
                int(r[5].replace(".", "")),
                float(r[6].replace(".", "").replace(",", ".")),
                r[7],
            ]
        )
    xlsx(
        "good_multi_sheet.xlsx",
        {
            "Leer": [],
            "Einwohner": [
                ["Einwohner Stand 31.12.2023"],
                [],
                HEADER,
                *typed_rows,
                [],
                ["Quelle: Bürgeramt"],
            ],
            "Andere": [["a", "b"], [1, 2]],
        },
    )


def bad_files() -> None:
    write("empty.csv", b"")
    write("only_blank_lines.csv", "\n\n  \r\n\n")
    write("bom_only.csv", b"\xef\xbb\xbf")
    write("header_only.csv", csv_text(rows=[]))
    write("header_only_with_note.csv", csv_text(rows=[]) + "Quelle: Bürgeramt\n")
    write("one_mb_single_line.csv", ";".join(f"spalte{i}" for i in range(110_000)))
    write("one_mb_no_delimiter.csv", "x" * (1024 * 1024))
    write("binary_renamed.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20)
    write("elf_renamed.csv", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64 + b"text;more\n" * 3)
    write("invalid_encoding.csv", csv_text().encode("utf-8").replace(b"\xc3\xb6", b"\x81\x8d"))
    write("single_column.csv", "Personen-ID Geburtsdatum Geschlecht\n000123 01.02.1980 w\n")
    write("ragged_too_many.csv", csv_text(rows=patched(2, 7, "nein;extra;mehr")))
    write(
        "ragged_too_few.csv", csv_text(rows=[*ROWS[:3], ["000128", "01.01.1990", "m"], *ROWS[3:]])
    )
    write("unclosed_quote.csv", csv_text(rows=patched(1, 4, '"österreichisch')))
    write("duplicate_columns.csv", csv_text(header=[*HEADER[:7], "Miete"]))
    write("unnamed_column_with_data.csv", csv_text(header=[*HEADER[:7], ""]))
    write(
        "missing_required_column.csv",
        csv_text(header=HEADER[:1] + HEADER[2:], rows=[r[:1] + r[2:] for r in ROWS]),
    )
    write("impossible_date.csv", csv_text(rows=patched(2, 1, "31.02.2023")))
    write("placeholder_date.csv", csv_text(rows=patched(0, 1, "01.01.0001")))
    write("date_wrong_format.csv", csv_text(rows=patched(3, 1, "12/31/2023")))
    write("integer_text.csv", csv_text(rows=patched(1, 5, "zwei")))
    write("integer_fraction.csv", csv_text(rows=patched(1, 5, "3,5")))
    write("huge_integer.csv", csv_text(rows=patched(4, 5, "99999999999999999999999")))
    write("number_text.csv", csv_text(rows=patched(2, 6, "k.A.")))
    write("number_dot_in_comma_file.csv", csv_text(rows=patched(2, 6, "12.5")))
    write("stadtteil_not_in_list.csv", csv_text(rows=patched(3, 3, "14")))
    write("stadtteil_without_zero.csv", csv_text(rows=patched(0, 3, "1")))
    write("sex_not_in_list.csv", csv_text(rows=patched(1, 2, "x")))
    write("required_missing.csv", csv_text(rows=patched(2, 1, "")))
    write("duplicate_id.csv", csv_text(rows=patched(3, 0, "000123")))
    write("pattern_violation.csv", csv_text(rows=patched(1, 0, "12a456")))
    write("below_minimum.csv", csv_text(rows=patched(0, 6, "-5,00")))
    write("above_maximum.csv", csv_text(rows=patched(0, 5, "150")))
    write("born_before_minimum.csv", csv_text(rows=patched(0, 1, "01.01.1850")))
    write(
        "formula_hyperlink.csv",
        csv_text(rows=patched(2, 4, '"=HYPERLINK(""http://evil.example"";""klick"")"')),
    )
    write("formula_at.csv", csv_text(rows=patched(1, 4, "@SUMME(A1:A9)")))
    write("boolean_text.csv", csv_text(rows=patched(0, 7, "vielleicht")))
    write("too_large.csv", csv_text())  # read with a tiny max_bytes in the test
    write("legacy.xls", ole(with_encryption=False))
    write("encrypted.xlsx", ole(with_encryption=True))
    write("text_named.xlsx", csv_text())
    write("corrupt_zip.xlsx", b"PK\x03\x04" + b"\x14\x00" * 20 + b"garbage" * 50)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    write("word_renamed.xlsx", buffer.getvalue())
    bomb = io.BytesIO(xlsx("", {"Daten": [HEADER, ROWS[0]]}))
    with zipfile.ZipFile(bomb, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/image1.bin", b"\x00" * (64 * 1024 * 1024))
    write("zip_bomb.xlsx", bomb.getvalue())
    xlsx("xlsx_header_only.xlsx", {"Daten": [HEADER]})
    xlsx("xlsx_impossible_date.xlsx", {"Daten": [HEADER, *patched(2, 1, "31.02.2023")]})
    xlsx("xlsx_missing_sheet.xlsx", {"Daten": [HEADER, *ROWS]})


if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    good_files()
    bad_files()
    print(f"wrote {len(list(HERE.iterdir()))} files to {HERE}")
