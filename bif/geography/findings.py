"""A finding about an area file: a rule, where (file, row, level, unit) and what was found.

Pure; the German sentence for people is in messages.py (gettext)."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    rule: str
    file: str = ""
    row: int | None = None
    column: str = ""
    level: str = ""
    unit: str = ""
    value: object = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)
