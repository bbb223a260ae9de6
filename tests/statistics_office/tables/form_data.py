"""POST data of the table definition form (statistics_office/tables/forms.py) for tests."""

from statistics_office.tables.forms import DIMENSIONS, FILTERS


def form_data(*, dimensions, filters=(), measure="count", method="suppression", **extra):
    """dimensions: [{"field", "kind", "level", "bands", "own_bands", ...}], filters:
    [{"field", "op", "values" (text)}]; everything else at the form's defaults."""
    data = {"measure": measure, "method": method, "min_frequency": "3", **extra}
    for i in range(DIMENSIONS):
        dim = dimensions[i] if i < len(dimensions) else {}
        data[f"dim{i}_kind"] = dim.get("kind", "code")
        for key, value in dim.items():
            if key != "kind":
                data[f"dim{i}_{key}"] = value
    for j in range(FILTERS):
        flt = filters[j] if j < len(filters) else {}
        data[f"flt{j}_op"] = flt.get("op", "in")
        for key, value in flt.items():
            if key != "op":
                data[f"flt{j}_{key}"] = value
    return data
