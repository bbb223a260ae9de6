"""JSON-stat 2.0 (json-stat.org/full): one dataset, values and statuses in row-major order.

Secret cells are null with their sign as status; dimension and category notes carry the
footnotes, cell notes go into the extension (JSON-stat has no cell-level note).
"""

import json


def to_jsonstat(dataset):
    ids = [d.id for d in dataset.dimensions]
    index = dataset.index()
    values, status = [], {}
    for position, key in enumerate(dataset.combinations()):
        cell = index.get(key)
        values.append(dataset.shown_value(cell))
        symbol = dataset.symbol(cell)
        if symbol is not None:
            status[str(position)] = symbol.sign
    document = {
        "version": "2.0",
        "class": "dataset",
        "href": dataset.url or None,
        "label": dataset.title,
        "source": dataset.source,
        "updated": dataset.updated.isoformat() if dataset.updated else None,
        "id": ids,
        "size": [len(d.codes) for d in dataset.dimensions],
        "dimension": {d.id: _dimension(d, dataset) for d in dataset.dimensions},
        "value": values,
        "status": status,
        "note": list(dataset.notes) + list(dataset.legend),
        "role": _roles(dataset),
        "extension": {
            "version": dataset.version,
            "description": dataset.description,
            "unit": dataset.unit,
            "reference_period": dataset.reference_period,
            "contact": dataset.contact,
            "legal_basis": dataset.legal_basis,
            "official_statistics": dataset.official,
            "licence": dataset.licence,
            "symbols": {s.sign: s.text for s in dataset.symbols.values()},
            "cell_notes": [{"cell": where, "text": text} for where, text in dataset.cell_notes],
        },
    }
    document = {k: v for k, v in document.items() if v not in (None, {}, [])}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _dimension(dim, dataset):
    category = {
        "index": {code: i for i, code in enumerate(dim.codes)},
        "label": {code: dim.label(code) for code in dim.codes},
    }
    notes = {code: list(texts) for code, texts in dim.value_notes.items() if code in dim.codes}
    if notes:
        category["note"] = notes
    out = {"label": dim.id, "category": category}
    if dim.note:
        out["note"] = list(dim.note)
    return out


def _roles(dataset):
    roles = {}
    for dim in dataset.dimensions:
        if dim.role:
            roles.setdefault(dim.role, []).append(dim.id)
    return roles
