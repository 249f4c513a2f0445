"""Money and the three nothings, said in words: one formatter for the app, the exports, the brief and the CLI.

A reporter prints what a page shows, so a figure that is not there must never read as a figure:
- "not reported": the record holds no value (None, NaN, an empty cell);
- "not loaded": a year or agency the store does not cover (a gap, never a trend);
- "$0 net": actions that are there and add up to zero (their actions are shown beside it).
None of them is ever printed as "$0", "$0.00", "None" or "nan".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from decimal import Decimal

NOT_REPORTED = "not reported"
NOT_LOADED = "not loaded"
ZERO_NET = "$0 net"
NO_FEDERAL_AWARDS = "no federal awards in the loaded data"

Number = int | float | Decimal | None


def missing(value: object) -> bool:
    """True for a value the record does not hold: None, NaN (pandas' empty cell), an empty string."""
    if value is None or type(value).__name__ == "NAType":  # pandas' NA, without importing pandas here
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, Decimal):
        return value.is_nan()
    return isinstance(value, str) and not value.strip()


def money(value: Number, missing_text: str = NOT_REPORTED) -> str:
    """The exact figure, "-$1,234.56"; zero is "$0 net" (something was there and netted out); nothing is
    `missing_text`."""
    if value is None or missing(value):
        return missing_text
    if value == 0:
        return ZERO_NET
    return f"{'-' if value < 0 else ''}${abs(value):,.2f}"


def short_money(value: Number, missing_text: str = NOT_REPORTED) -> str:
    """$8.30B, $329.20M, $8.89k, $950: what a card, a label or a headline has room for (the exact figure
    stays one hover or one column away)."""
    if value is None or missing(value):
        return missing_text
    if value == 0:
        return ZERO_NET
    sign = "-" if value < 0 else ""
    magnitude = -value if value < 0 else value
    for size, unit in ((10**9, "B"), (10**6, "M"), (10**3, "k")):
        if magnitude >= size:
            return f"{sign}${magnitude / size:,.2f}{unit}"
    return f"{sign}${magnitude:,.0f}" if magnitude >= 1 else f"{sign}${magnitude:,.2f}"


def count(value: object, noun: str, plural: str | None = None, missing_text: str = NOT_REPORTED) -> str:
    """ "1 award", "12 awards", or "not reported" (never "0 agencies" for a count nobody reported)."""
    if missing(value):
        return missing_text
    return f"{value:,} {noun if value == 1 else (plural or noun + 's')}"


def words_or(words: list[str]) -> str:
    """ "cancelled, rejected or ended": a list as a sentence says it."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def text(value: object, missing_text: str = NOT_REPORTED) -> str:
    """Any cell as words: a missing value says so; anything else as it is."""
    return missing_text if missing(value) else str(value)


def years(first: int | None, last: int | None) -> str:
    """FY2013–FY2026, FY2021, or "no fiscal year"."""
    if first is None:
        return "no fiscal year"
    return f"FY{first}" if first == last or last is None else f"FY{first}–FY{last}"


def year_runs(fiscal_years: Iterable[int]) -> str:
    """Consecutive fiscal years folded: [2013..2018, 2021, 2022] -> "FY2013–18, FY2021–22"."""
    runs: list[list[int]] = []
    for year in sorted(set(fiscal_years)):
        if runs and year == runs[-1][1] + 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return ", ".join(f"FY{a}" if a == b else f"FY{a}–{str(b)[-2:] if str(a)[:2] == str(b)[:2] else b}" for a, b in runs)


# IGF::OT::IGF, IGF:CT:IGF, IGF::CL,CT::IGF -, IGF::OT:: (the marker as the exports spell it, at the start)
_IGF = re.compile(
    r"^\s*(?:IGF\s*:{1,2}\s*(?:OT|CT|CL)(?:\s*,\s*(?:OT|CT|CL))*\s*:{0,2}\s*(?:IGF)?\s*[:;,.'\"\-]*\s*)+", re.IGNORECASE
)


def description(value: object, limit: int | None = None) -> str:
    """A record's description to read: the inherently-governmental marker (`IGF::OT::IGF`, `IGF::CL,CT::IGF`)
    the exports put before it removed, spaces folded, cut at a word with an ellipsis."""
    if missing(value):
        return NOT_REPORTED
    clean = _IGF.sub("", " ".join(str(value).split())).strip() or NOT_REPORTED
    if limit is None or len(clean) <= limit:
        return clean
    cut = clean[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + "…"
