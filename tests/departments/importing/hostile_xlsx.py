"""Hostile workbooks written on the fly (no large file in the repository): formulas, external
links, macros, a DTD, and a sheet that unpacks to hundreds of megabytes."""

import random
import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>'
)


def inline(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def number(ref, value):
    return f'<c r="{ref}"><v>{value}</v></c>'


def formula(ref, text, cached):
    return f'<c r="{ref}"><f>{text}</f><v>{cached}</v></c>'


def row(number_, cells):
    return f'<row r="{number_}">{"".join(cells)}</row>'


def write_workbook(path, rows, *, prolog="", extra=None, sheet="Daten"):
    """A minimal .xlsx whose one sheet holds `rows` (row XML strings, any iterable): written
    in a stream, so a sheet of a gigabyte never sits in memory."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
            f'xmlns:r="{OFFICE}"><sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(
                f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}">'
                "<sheetData>".encode()
            )
            batch = []
            for xml in rows:
                batch.append(xml)
                if len(batch) >= 10_000:
                    out.write("".join(batch).encode())
                    batch = []
            out.write(("".join(batch) + "</sheetData></worksheet>").encode())
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def header():
    return row(1, [inline("A1", "Personen-ID"), inline("B1", "Alter")])


def residents(n, start=2):
    for i in range(n):
        r = start + i
        yield row(r, [inline(f"A{r}", f"{i:06d}"), number(f"B{r}", 20 + i % 60)])


def expansion_rows(target_bytes, columns=10, seed=14):
    """Rows of numbers until the sheet XML reaches `target_bytes`, cells without references
    (Excel allows that). About one value in 170 random: the compression ratio stays near where
    the probe's workbook was (154), under the ratio limit of 200 that stops plain bombs."""
    rng = random.Random(seed)
    written = 0
    while written < target_bytes:
        values = [str(rng.randrange(1000)) if rng.random() < 0.006 else "1" for _ in range(columns)]
        xml = "<row>" + "".join(f"<c><v>{v}</v></c>" for v in values) + "</row>"
        written += len(xml)
        yield xml
