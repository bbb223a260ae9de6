"""Time selection that rolls forward: `from(2021)`, `to(2023)`, `top(3)`, `2021,2022`, `*`.

Applied to the codes of the time dimension of whatever version is current, so a shared link
with `from(2021)` or `top(3)` includes periods published after the link was made.
"""

import re
from dataclasses import replace

_CALL = re.compile(r"^(from|to|top)\((.+)\)$")


class SelectionError(ValueError):
    pass


def select_codes(codes, expression):
    """The codes (in their order) that `expression` selects; codes sort as periods."""
    expression = (expression or "").strip()
    if expression in ("", "*"):
        return list(codes)
    match = _CALL.match(expression)
    ordered = sorted(codes)
    if match is None:
        wanted = {part.strip() for part in expression.split(",")}
        return [c for c in codes if c in wanted]
    kind, argument = match.group(1), match.group(2).strip()
    if kind == "top":
        if not argument.isdigit() or int(argument) < 1:
            raise SelectionError(argument)
        keep = set(ordered[-int(argument) :])
    elif kind == "from":
        keep = {c for c in ordered if c >= argument}
    else:
        keep = {c for c in ordered if c <= argument}
    return [c for c in codes if c in keep]


def select_time(dataset, expression):
    """A copy of the dataset restricted to the selected periods of its time dimension."""
    time = next((d for d in dataset.dimensions if d.role == "time"), None)
    if time is None or not expression:
        return dataset
    kept = select_codes(time.codes, expression)
    dims = [replace(d, codes=kept) if d is time else d for d in dataset.dimensions]
    keep = set(kept)
    cells = [c for c in dataset.cells if c.get(time.id) in keep]
    return replace(dataset, dimensions=dims, cells=cells)
