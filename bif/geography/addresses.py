"""Addresses to the city's address register (pure, no Django): normalised street names and
house numbers with suffixes, single addresses and house-number ranges, vectorised.

A register row is one address (Straße 12a) or a range (Straße 1–19: the numbers of the
same parity as both ends, as block sides are kept; with ends of different parity, all).
A record finds its row by street key or normalised name, house number and suffix; a record
"12b" that the register knows only as "12" goes to the row of 12. -1 where nothing matches.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# "Str.", "Strasse", "Straße" (also joined: "Hauptstr.") are one word for the register.
_STREET_WORD = re.compile(r"(stra(ss|ß)e|str\.?)(?=$|[\s\-])")


def street_key(name):
    """The street name as the register compares it: lower case, umlauts and ß spelt out,
    "Str."/"Straße"/"Strasse" the same, accents, spaces, hyphens and dots removed."""
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return ""
    text = str(name).strip().lower()
    text = _STREET_WORD.sub("strasse", text)
    text = text.translate(_UMLAUTS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if c.isalnum() and not unicodedata.combining(c))
    return text


def street_keys(values):
    # a file names few streets many times: normalise each distinct spelling once
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    keys = np.array([street_key(u) for u in uniques], dtype=object)
    return keys[codes] if len(codes) else np.array([], dtype=object)


def house_numbers(values, suffixes=None):
    """(number as int64, -1 where unreadable; suffix in lower case, "" where none) of house
    numbers as written: "12", "12a", "12 A", "12-a", "12/1", "12-14" (the first number)."""
    # few distinct house numbers: read each once, then spread to the records
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    text = pd.Series(uniques, dtype=object).fillna("").astype(str).str.strip().str.lower()
    range_ = text.str.extract(r"^(\d+)\s*[-–]\s*\d+$")[0]
    parts = text.str.extract(r"^(\d+)\s*[-/ ]?\s*([a-z]{1,2}|\d{1,2})?$")
    number = pd.to_numeric(parts[0].fillna(range_), errors="coerce").fillna(-1)
    numbers = number.astype(np.int64).to_numpy()[codes]
    suffix = pd.Series(parts[1].where(range_.isna(), "").fillna("").to_numpy(dtype=object)[codes])
    if suffixes is not None:
        extra = pd.Series(suffixes, dtype=object).fillna("").astype(str).str.strip().str.lower()
        suffix = suffix.where(suffix != "", extra.to_numpy())
    return numbers, suffix.to_numpy(dtype=object)


class Register:
    """The register's rows: street (key or normalised name), first and last number, suffix."""

    def __init__(self, streets, numbers, suffixes=None, last_numbers=None):
        n = len(streets)
        self.streets = street_keys(streets)
        first, suffix = house_numbers(numbers, suffixes)
        self.first = first
        self.suffix = suffix
        if last_numbers is None:
            last = np.full(n, -1, dtype=np.int64)
        else:
            last, _ = house_numbers(last_numbers)
        self.is_range = (last >= 0) & (last != first)
        self.last = np.where(self.is_range, last, first)
        frame = pd.DataFrame(
            {"street": self.streets, "number": first, "suffix": suffix, "row": np.arange(n)}
        )
        single = frame[~self.is_range]
        # a register listing an address twice: the first row counts
        self._single = single.drop_duplicates(["street", "number", "suffix"])
        self._ranges = frame[self.is_range].assign(last=self.last[self.is_range])

    def duplicates(self):
        """Row indexes (0-based) of addresses or ranges the register lists more than once."""
        rows = pd.DataFrame(
            {"street": self.streets, "number": self.first, "last": self.last, "s": self.suffix}
        )
        return rows.index[rows.duplicated(["street", "number", "last", "s"])].to_numpy()

    def match(self, streets, numbers, suffixes=None):
        """Register row per record (-1 where none): exact address, else the same number
        without suffix, else a range of the street that holds the number."""
        keys = street_keys(streets)
        number, suffix = house_numbers(numbers, suffixes)
        records = pd.DataFrame({"street": keys, "number": number, "suffix": suffix})
        result = np.full(len(records), -1, dtype=np.int64)
        for with_suffix in (True, False):
            todo = np.flatnonzero((result < 0) & (number >= 0))
            if not len(todo):
                break
            wanted = records.iloc[todo]
            if not with_suffix:
                wanted = wanted.assign(suffix="")
            found = wanted.reset_index(drop=True).merge(
                self._single, on=["street", "number", "suffix"], how="left"
            )["row"]
            result[todo] = found.fillna(-1).astype(np.int64).to_numpy()
        todo = np.flatnonzero((result < 0) & (number >= 0))
        if len(todo) and len(self._ranges):
            wanted = records.iloc[todo][["street", "number"]].assign(at=todo)
            pairs = wanted.merge(
                self._ranges[["street", "number", "last", "row"]].rename(
                    columns={"number": "first"}
                ),
                on="street",
            )
            inside = (pairs["number"] >= pairs["first"]) & (pairs["number"] <= pairs["last"])
            same_parity = (pairs["first"] % 2) == (pairs["last"] % 2)
            inside &= ~same_parity | ((pairs["number"] % 2) == (pairs["first"] % 2))
            hits = pairs[inside].drop_duplicates("at")
            result[hits["at"].to_numpy()] = hits["row"].to_numpy()
        return result
