"""The one formatter (`core/wording.py`): each nothing said in its own words, every figure exact, and the pages of
the bundle checked for a stray None, nan or "$0.00" standing for a missing value."""

from __future__ import annotations

import math
import re
from decimal import Decimal

import pandas as pd
import pytest

from core import wording
from core.wording import count, description, money, short_money, text, year_runs
from tests.apptest_support import run

STRAY = re.compile(r"(?<![\w.])(None|nan|NaN)(?![\w])|\$0\.00(?!\d)")


@pytest.mark.parametrize("nothing", [None, math.nan, Decimal("NaN"), "", "  ", pd.NA])
def test_a_missing_value_is_not_reported_never_zero(nothing):
    assert money(nothing) == short_money(nothing) == text(nothing) == "not reported"
    assert count(nothing, "agency", "agencies") == "not reported"
    assert money(nothing, wording.NOT_LOADED) == "not loaded"


@pytest.mark.parametrize("zero", [0, 0.0, -0.0, Decimal("0.00")])
def test_zero_is_zero_net(zero):
    assert money(zero) == short_money(zero) == "$0 net"


def test_figures_are_exact_or_compact_and_signed():
    assert [money(v) for v in (1234.5, -8885.17, Decimal("150703824.61"))] == [
        "$1,234.50",
        "-$8,885.17",
        "$150,703,824.61",
    ]
    assert [short_money(v) for v in (0.42, 950.0, 51_639_536.51, 2.1e9, -8885.17)] == [
        "$0.42",
        "$950",
        "$51.64M",
        "$2.10B",
        "-$8.89k",
    ]
    assert [count(n, "agency", "agencies") for n in (0, 1, 12_000)] == ["0 agencies", "1 agency", "12,000 agencies"]


def test_years_fold_into_runs():
    assert year_runs([2013, 2014, 2015, 2016, 2017, 2018, 2021, 2022, 2026]) == "FY2013–18, FY2021–22, FY2026"
    assert year_runs([1999, 2000, 2001]) == "FY1999–2001" and year_runs([]) == ""
    assert wording.years(2013, 2026) == "FY2013–FY2026" and wording.years(None, None) == "no fiscal year"


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("IGF::OT::IGF RENEWAL OF LEXISNEXIS ACCESS", "RENEWAL OF LEXISNEXIS ACCESS"),
        ("IGF:OT:IGF RENEWAL FOR ICE", "RENEWAL FOR ICE"),
        ("IGF::CL,CT::IGF - GUARD SERVICES", "GUARD SERVICES"),
        ("IGF::CT::IGF'' PRE-AWARD", "PRE-AWARD"),
        ("IGF::OT:: TECS O&M", "TECS O&M"),
        ("IGF PBX SYSTEM", "IGF PBX SYSTEM"),  # a word, not the marker
        ("IGFIX MAINTENANCE", "IGFIX MAINTENANCE"),
        (None, "not reported"),
    ],
)
def test_descriptions_lose_the_igf_marker(raw, clean):
    assert description(raw) == clean


def test_descriptions_are_cut_at_a_word():
    cut = description("IGF::OT::IGF INVESTIGATIVE CASE MANAGEMENT OPERATIONS AND MAINTENANCE SUPPORT SERVICES", 40)
    assert cut == "INVESTIGATIVE CASE MANAGEMENT…" and len(cut) <= 40


# -- the pages of the bundle ----------------------------------------------------------------------------------
PAGES = [
    ("vendor", {"name": "Palantir"}),
    ("vendor", {"name": "Flock"}),
    ("vendor", {"name": "Venntel"}),
    ("vendor", {"name": "GEO Group"}),
    ("agency", {"name": "ICE"}),
    ("agency", {"name": "CBP"}),
    ("sources", {}),
    ("paths", {"a": "Palantir", "b": "ICE"}),
    ("paths", {"a": "GEO Group", "b": "ICE"}),
    ("local", {}),
    ("local", {"view": "federal"}),
    ("local", {"agency": "Avon IN PD"}),
    ("network", {}),
    ("network", {"vendor": "Amazon"}),
    ("targets", {"agency": "ICE", "today": "2025-01-01"}),
    ("review", {}),
]


def shown_text(app) -> list[str]:
    parts = [
        e.value
        for kind in (
            "title",
            "header",
            "subheader",
            "caption",
            "markdown",
            "text",
            "info",
            "warning",
            "success",
            "error",
        )
        for e in getattr(app, kind)
    ]
    return [str(p) for p in parts] + [str(m.value) for m in app.metric]


def stray_cells(table: pd.DataFrame) -> list[str]:
    """Cells a grid would draw as a grey "None" (a missing value with no words), by column."""
    return [
        f"{column}: {int(table[column].isna().sum())} empty"
        for column in table.columns
        if table[column].isna().any() and not column.lower().endswith(("page", "permalink", "link"))
    ]


@pytest.mark.parametrize("view, query", PAGES, ids=[f"{v}-{'-'.join(q.values())}" for v, q in PAGES])
def test_no_page_shows_none_nan_or_zero_for_a_missing_value(home, view, query):
    app = run(view, **query)
    stray = [line for line in shown_text(app) if STRAY.search(line)]
    assert not stray, stray
    for table in app.dataframe:
        frame = table.value
        assert not stray_cells(frame), (list(frame.columns), stray_cells(frame))
        words = frame.select_dtypes(include=["object", "str"]).astype(str)
        assert not words.apply(lambda column: column.str.fullmatch(r"None|nan|\$0\.00")).any().any(), list(
            frame.columns
        )
