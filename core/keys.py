"""Keys and dates of the model: how awards, vendors and fiscal years are named, declared once.

`ingest/` builds records with these and `graph/` reads them back; neither restates them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any


class BadValue(ValueError):
    """A cell that is present but unreadable (the row is rejected with this message)."""


def fiscal_year(iso_date: str | None) -> int | None:
    """US federal fiscal year: October to September, named by the year it ends in."""
    if not iso_date:
        return None
    year, month = int(iso_date[:4]), int(iso_date[5:7])
    return year + 1 if month >= 10 else year


_NON_WORD = re.compile(r"(?:[^\w&]|_)+")
_SUFFIXES = frozenset(
    {
        "INC",
        "INCORPORATED",
        "LLC",
        "L L C",
        "LLP",
        "LP",
        "LTD",
        "LIMITED",
        "CORP",
        "CORPORATION",
        "CO",
        "COMPANY",
        "PLC",
        "THE",
        "PC",
        "PLLC",
        "NA",
    }
)


def _fold(name: str) -> str:
    """Accents dropped (MÜLLER matches MULLER), other letters kept: MÜLLER and MÖLLER stay two names."""
    if name.isascii():
        return name
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


@lru_cache(maxsize=131072)
def name_key(name: str | None) -> str | None:
    """Normalized legal name for matching: upper case, no punctuation, no 'THE'/'INC'/'LLC'... words.

    >>> name_key("The GEO Group, Inc.") == name_key("GEO GROUP INC THE")
    True
    """
    if not name:
        return None
    words: list[str] = []
    initials = False
    for word in _NON_WORD.sub(" ", _fold(name).upper().replace("'", "")).split():
        single = len(word) == 1 and word.isalpha()
        if single and initials:
            words[-1] += word  # a run of initials is one word: L.L.C. -> LLC, B.I. -> BI, U.S. -> US
        else:
            words.append(word)
        initials = single
    kept = [word for word in words if word not in _SUFFIXES]
    return " ".join(kept or words) or None


def match_tier(text: str, names: Iterable[str | None]) -> int | None:
    """How well typed text names an entity, best first: 0 a name itself (any case), 1 a name with the same name
    key ("The GEO Group" for GEO GROUP INC THE), 2 a whole word or words of a name, 3 a name's start, 4 any part
    of a name; None when no name holds it. "Vigilant" is Vigilant Solutions (2) before EVIGILANT.COM (4)."""
    wanted = " ".join(text.split()).casefold()
    if not wanted:
        return None
    key = name_key(text)
    word = re.compile(rf"(?<!\w){re.escape(wanted)}(?!\w)")
    best = None
    for name in names:
        folded = " ".join((name or "").split()).casefold()
        if folded == wanted:
            return 0
        if key is not None and name_key(name) == key:
            tier = 1
        elif wanted not in folded:
            continue
        else:
            tier = 2 if word.search(folded) else 3 if folded.startswith(wanted) else 4
        best = tier if best is None else min(best, tier)
    return best


def split_award_key(key: str) -> tuple[str | None, str | None, str | None, str | None]:
    """(piid, awarding subtier, parent piid, parent subtier) from a CONT_AWD_/CONT_IDV_ key.

    >>> split_award_key("CONT_AWD_70CMSD25FR0000112_7012_47QTCH18D0068_4732")
    ('70CMSD25FR0000112', '7012', '47QTCH18D0068', '4732')
    """
    parts = key.split("_")
    if len(parts) < 4 or parts[0] != "CONT" or parts[1] not in ("AWD", "IDV"):
        raise BadValue(f"award id {key!r} is not CONT_AWD_… or CONT_IDV_…")
    if len(parts) != (6 if parts[1] == "AWD" else 4):  # e.g. a key cut short inside its parent PIID
        raise BadValue(
            f"award id {key!r} has {len(parts) - 2} parts, not {4 if parts[1] == 'AWD' else 2} "
            f"(PIID, agency{', parent PIID, parent agency' if parts[1] == 'AWD' else ''})"
        )

    def none(value: str) -> str | None:
        return None if value == "-NONE-" else value

    parent_piid = none(parts[4]) if len(parts) > 4 else None
    parent_agency = none(parts[5]) if len(parts) > 5 else None
    return none(parts[2]), none(parts[3]), parent_piid, parent_agency


def permalink(award_key: str | None) -> str | None:
    return f"https://www.usaspending.gov/award/{award_key}/" if award_key else None


def award_key(
    piid: str | None, agency: str | None, parent_piid: str | None, parent_agency: str | None, is_idv: bool = False
) -> str:
    """USAspending's generated_unique_award_id, built the way USAspending builds it."""
    piid = (piid or "-NONE-").upper()
    agency = agency or "-NONE-"
    if is_idv:
        return f"CONT_IDV_{piid}_{agency}"
    return f"CONT_AWD_{piid}_{agency}_{(parent_piid or '-NONE-').upper()}_{parent_agency or '-NONE-'}"


def subaward_key(
    prime_key: str,
    number: str | None,
    action_date: str | None,
    amount: float | None,
    seen: dict[str, Any] | None = None,
) -> str:
    """One subaward however it was read: prime award key | subaward number | date | amount, then |2, |3… for the
    second and later rows of one source with all four the same (`seen` counts them per file, or per award's
    subaward pages). USAspending lists such rows once per SAM/FSRS report and counts each; the bulk files
    carry the report id, but the API's subaward search does not (its `internal_id` is the subaward number),
    so the key is built from what both report, and a source's n-th such row is the other's n-th."""
    shown = "-" if amount is None else f"{amount:.2f}"
    key = f"{prime_key}|{number or '-'}|{action_date or '-'}|{shown}"
    if seen is None:
        return key
    seen[key] = count = seen.get(key, 0) + 1
    return key if count == 1 else f"{key}|{count}"


KEY_TEXT_BYTES = 2000  # past this a text in a key is its digest: a long description must not make a key too long


def key_text(text: str | None) -> str:
    """A free text as part of a key (an action told apart by its description): itself, or its SHA-256 when
    long, so that a key stays under the stores' limit whatever the description (no description in the real
    files is that long: their longest is 1,238 bytes, so no key of theirs changes)."""
    text = text or ""
    data = text.encode("utf-8")
    return text if len(data) <= KEY_TEXT_BYTES else "sha256:" + hashlib.sha256(data).hexdigest()
