"""The yearly bars over the store's whole span: a year with no loaded action is a labelled gap, not a missing
bar that makes FY2018 and FY2021 neighbours, and a year only partly held (a subset, or cut before its
de-obligations) says so under its bar. The rows come from `core.coverage.chart_years`."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.coverage import AS_LOADED, COMPLETE, NOT_LOADED, PARTIAL, TRUNCATED
from core.wording import money, short_money

SERIES = {
    COMPLETE: "complete year",
    AS_LOADED: "year as loaded",
    PARTIAL: "partial year (a subset)",
    TRUNCATED: "truncated year (de-obligations missing)",
    "rest": "award totals not split by year",
}
COLOURS = {COMPLETE: "#2b7bb9", AS_LOADED: "#2b7bb9", PARTIAL: "#8fb8de", TRUNCATED: "#d9822b", "rest": "#9a9a9a"}
GAP = "#ececec"


def frame(rows: list[dict], rest: dict | None = None) -> pd.DataFrame:
    """One row per fiscal year (and one for the totals no year splits): the bar, its series, and what to print
    under it. A gap's bar height is the chart's largest bar, so the grey band spans the plot."""
    tallest = max(
        [abs(r["obligated"]) for r in rows if r["obligated"] is not None]
        + [abs(rest["obligated"]) if rest and rest.get("obligated") else 0]
        + [1.0]
    )
    table = []
    for row in rows:
        gap = row["status"] == NOT_LOADED
        table.append(
            {
                "fiscal year": f"FY{row['fiscal_year']}",
                "obligated": None if gap else row["obligated"],
                "band": tallest if gap else None,
                "series": None if gap else SERIES[row["status"]],
                "status": row["status"],
                "mark": row["mark"],
                "coverage": row["label"],
                "figure": "not loaded" if gap else (money(row["obligated"], "no action loaded")),
                "short": "" if gap or row["obligated"] is None else short_money(row["obligated"]),
            }
        )
    if rest and rest.get("obligated"):
        table.append(
            {
                "fiscal year": "no year",
                "obligated": rest["obligated"],
                "band": None,
                "series": SERIES["rest"],
                "status": "rest",
                "mark": "",
                "coverage": rest.get("label") or "",
                "figure": money(rest["obligated"]),
                "short": short_money(rest["obligated"]),
            }
        )
    return pd.DataFrame(table)


def chart(rows: list[dict], rest: dict | None = None, height: int = 280) -> alt.LayerChart:
    data = frame(rows, rest)
    order = list(data["fiscal year"])
    x = alt.X(
        "fiscal year:N",
        sort=order,
        title=None,
        axis=alt.Axis(labelAngle=0 if len(order) <= 16 else -45, labelOverlap=False, labelFontSize=10),
    )
    tooltip = [
        alt.Tooltip("fiscal year:N"),
        alt.Tooltip("figure:N", title="obligated"),
        alt.Tooltip("coverage:N", title="coverage"),
    ]
    present = [
        SERIES[s]
        for s in (COMPLETE, AS_LOADED, PARTIAL, TRUNCATED, "rest")
        if SERIES[s] in set(data["series"].dropna())
    ]
    colour = alt.Color(
        "series:N",
        title=None,
        legend=alt.Legend(orient="bottom", labelLimit=400),
        scale=alt.Scale(domain=present, range=[COLOURS[k] for k, v in SERIES.items() if v in present]),
    )
    gaps = (
        alt.Chart(data)
        .transform_filter(alt.datum.status == NOT_LOADED)
        .mark_bar(color=GAP, stroke="#b0b0b0", strokeDash=[4, 3])
        .encode(x=x, y=alt.Y("band:Q"), tooltip=tooltip)
    )
    gap_text = (
        alt.Chart(data)
        .transform_filter(alt.datum.status == NOT_LOADED)
        .mark_text(angle=270, color="#555", fontSize=12, fontWeight="bold")
        .encode(x=x, y=alt.Y("band:Q"), text="mark:N", tooltip=tooltip)
        .transform_calculate(band="datum.band / 2")
    )
    bars = (
        alt.Chart(data)
        .transform_filter("datum.obligated != null")
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("obligated:Q", title="obligated ($)", axis=alt.Axis(format="$~s")),
            color=colour,
            tooltip=tooltip,
        )
    )
    marks = (
        alt.Chart(data)
        .transform_filter((alt.datum.mark != "") & (alt.datum.status != NOT_LOADED))
        .mark_text(dy=-8, fontSize=10, color="#8a4b08")
        .encode(x=x, y=alt.value(8), text="mark:N", tooltip=tooltip)
    )
    return alt.layer(gaps, gap_text, bars, marks).properties(height=height)
