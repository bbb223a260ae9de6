"""PX (PC-Axis, AXIS-VERSION 2013) as PxWeb reads it: keywords, then DATA in stub order.

Signs: a secret value is the data symbol "." (DATASYMBOL1), further hiding statuses "..",
"..." (DATASYMBOL2..6), a true zero "-" (DATASYMBOLNIL). A status that keeps its value (an
origin sign) becomes a CELLNOTE of that cell.
"""

MAX_LINE = 200
NIL = '"-"'


def _text(value):
    # PX strings have no escape; a double quote would end the string.
    return str(value or "").replace('"', "'").replace("\r", " ").replace("\n", " ")


def _quoted(value):
    """A string split over lines of at most MAX_LINE characters ("..."\\n"...")."""
    text = _text(value)
    parts = [text[i : i + MAX_LINE] for i in range(0, len(text), MAX_LINE)] or [""]
    return "\n".join(f'"{p}"' for p in parts)


def _list(values):
    return ",".join(f'"{_text(v)}"' for v in values)


def data_symbols(dataset):
    """flag -> data symbol in the DATA section (".", "..", …), in a stable order."""
    hiding = sorted(f for f, s in dataset.symbols.items() if s.hides_value)
    if "secret" in hiding:
        hiding.remove("secret")
        hiding.insert(0, "secret")
    return {flag: "." * (i + 1) for i, flag in enumerate(hiding[:5])}


def to_px(dataset):
    dims = dataset.dimensions
    stub, heading = (dims[:-1], dims[-1:]) if len(dims) > 1 else (dims, [])
    stamp = dataset.updated.strftime("%Y%m%d %H:%M") if dataset.updated else ""
    lines = [
        'AXIS-VERSION="2013";',
        'CODEPAGE="utf-8";',
        'LANGUAGE="de";',
        f'CREATION-DATE="{stamp}";',
        f"DECIMALS={dataset.decimals};",
        f"SHOWDECIMALS={dataset.decimals};",
        f'MATRIX="{_text(dataset.slug)[:20]}";',
        'SUBJECT-CODE="BIF";',
        f"SUBJECT-AREA={_quoted(dataset.source or dataset.agency)};",
        f"CONTENTS={_quoted(dataset.measure_label or dataset.title)};",
        f"TITLE={_quoted(dataset.title)};",
        f"UNITS={_quoted(dataset.unit or dataset.measure_label or '-')};",
    ]
    if stub:
        lines.append(f"STUB={_list(d.id for d in stub)};")
    if heading:
        lines.append(f"HEADING={_list(d.id for d in heading)};")
    for dim in dims:
        lines.append(f'VALUES("{_text(dim.id)}")={_list(dim.label(c) for c in dim.codes)};')
    for dim in dims:
        lines.append(f'CODES("{_text(dim.id)}")={_list(dim.codes)};')
    lines.append(f'LAST-UPDATED="{stamp}";')
    if dataset.reference_period:
        lines.append(f"REFPERIOD={_quoted(dataset.reference_period)};")
    lines.append(f"SOURCE={_quoted(dataset.source)};")
    if dataset.contact:
        lines.append(f"CONTACT={_quoted(dataset.contact)};")
    table_notes = list(dataset.notes) + list(dataset.legend)
    if table_notes:
        lines.append(f"NOTE={_quoted(' '.join(table_notes))};")
    for dim in dims:
        if dim.note:
            lines.append(f'NOTE("{_text(dim.id)}")={_quoted(" ".join(dim.note))};')
        for code, texts in dim.value_notes.items():
            if code in dim.codes:
                name = f'"{_text(dim.id)}","{_text(dim.label(code))}"'
                lines.append(f"VALUENOTE({name})={_quoted(' '.join(texts))};")
    lines += _cell_notes(dataset)
    symbols = data_symbols(dataset)
    for flag, mark in symbols.items():
        lines.append(f"DATASYMBOL{len(mark)}={_quoted(dataset.symbols[flag].sign)};")
    missing = "." * (len(symbols) + 1)
    if len(missing) <= 6 and _has_gaps(dataset):
        lines.append(f'DATASYMBOL{len(missing)}="(kein Tabellenfeld)";')
    zero = dataset.symbols.get("zero")
    if zero is not None:
        lines.append(f"DATASYMBOLNIL={_quoted(zero.sign)};")
    lines.append("DATA=")
    lines += _data_rows(dataset, symbols, missing, len(heading[0].codes) if heading else 1)
    lines.append(";")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _has_gaps(dataset):
    return len(dataset.index()) < len(dataset.combinations())


def _cell_notes(dataset):
    lines, index = [], dataset.index()
    for key in dataset.combinations():
        texts = dataset.notes_for_cell(key)
        cell = index.get(key)
        symbol = dataset.symbol(cell)
        if symbol is not None and not symbol.hides_value and cell.get("flag") != "zero":
            texts = [f"{symbol.sign}: {symbol.text}", *texts]
        if texts:
            labels = [d.label(code) for d, code in zip(dataset.dimensions, key, strict=True)]
            lines.append(f"CELLNOTE({_list(labels)})={_quoted(' '.join(texts))};")
    return lines


def _data_rows(dataset, symbols, missing, width):
    index, shown = dataset.index(), []
    for key in dataset.combinations():
        cell = index.get(key)
        if cell is None:
            shown.append(f'"{missing}"')
            continue
        flag = cell.get("flag") or ""
        if flag in symbols:
            shown.append(f'"{symbols[flag]}"')
        elif flag == "zero":
            shown.append(NIL)
        else:
            value = dataset.shown_value(cell)
            shown.append(f'"{missing}"' if value is None else f"{value:.{dataset.decimals}f}")
    return [" ".join(shown[i : i + width]) for i in range(0, len(shown), width)]
