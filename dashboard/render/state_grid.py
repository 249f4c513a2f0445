"""A map of the states drawn offline: one square tile per state on a grid shaped like the country (no map
tiles, no geometry fetched from anywhere), coloured by how many agencies use a vendor's technology there."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.wording import NOT_REPORTED

NONE_LOADED = "none loaded"

# (column, row) of each state's tile, west to east and north to south
TILES = {
    "AK": (0, 0),
    "ME": (11, 0),
    "VT": (10, 1),
    "NH": (11, 1),
    "WA": (1, 2),
    "ID": (2, 2),
    "MT": (3, 2),
    "ND": (4, 2),
    "MN": (5, 2),
    "IL": (6, 2),
    "WI": (7, 2),
    "MI": (8, 2),
    "NY": (9, 2),
    "RI": (10, 2),
    "MA": (11, 2),
    "OR": (1, 3),
    "NV": (2, 3),
    "WY": (3, 3),
    "SD": (4, 3),
    "IA": (5, 3),
    "IN": (6, 3),
    "OH": (7, 3),
    "PA": (8, 3),
    "NJ": (9, 3),
    "CT": (10, 3),
    "CA": (1, 4),
    "UT": (2, 4),
    "CO": (3, 4),
    "NE": (4, 4),
    "MO": (5, 4),
    "KY": (6, 4),
    "WV": (7, 4),
    "VA": (8, 4),
    "MD": (9, 4),
    "DE": (10, 4),
    "AZ": (2, 5),
    "NM": (3, 5),
    "KS": (4, 5),
    "AR": (5, 5),
    "TN": (6, 5),
    "NC": (7, 5),
    "SC": (8, 5),
    "DC": (9, 5),
    "OK": (4, 6),
    "LA": (5, 6),
    "MS": (6, 6),
    "AL": (7, 6),
    "GA": (8, 6),
    "HI": (0, 7),
    "TX": (4, 7),
    "FL": (9, 7),
    "PR": (11, 7),
}


def frame(states: list[dict]) -> pd.DataFrame:
    """Every tile, with the overview's figures for its state (0 where none is loaded)."""
    figures = {row["state"]: row for row in states}
    rows = []
    for code, (column, row) in TILES.items():
        found = figures.get(code, {})
        listed = bool(found)
        rows.append(
            {
                "state": code,
                "column": column,
                "row": row,
                "agencies": found.get("agencies", 0),
                "using": found.get("using", 0),
                "deployments": found.get("deployments", 0),
                "cameras": found.get("cameras", 0),
                "technologies": ", ".join(found.get("technologies", [])),
                # the tooltip's words: a state no record names is "none loaded", a sum of no counts "not
                # reported" (the numbers above only colour the tiles)
                "agencies_text": f"{found['agencies']:,}" if listed else NONE_LOADED,
                "using_text": f"{found['using']:,}" if listed else NONE_LOADED,
                "deployments_text": f"{found['deployments']:,}" if listed else NONE_LOADED,
                "cameras_text": f"{found['cameras']:,}"
                if found.get("cameras")
                else (NOT_REPORTED if found.get("deployments") else NONE_LOADED),
                "technologies_text": ", ".join(found.get("technologies", [])) or NONE_LOADED,
            }
        )
    return pd.DataFrame(rows)


def chart(states: list[dict], contested: dict[str, int] | None = None) -> alt.Chart:
    """The tiles coloured by agencies with a deployment; `contested` (outcomes per state) adds a second colour: a
    purple dot on each state where a record says a deployment was cancelled, rejected or ended."""
    data = frame(states)
    contested = contested or {}
    data["contested"] = [contested.get(code, 0) for code in data["state"]]
    data["contested_text"] = [f"{n:,}" if n else "none loaded" for n in data["contested"]]
    base = alt.Chart(data).encode(x=alt.X("column:O", axis=None), y=alt.Y("row:O", axis=None))
    tiles = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("using:Q", title="agencies with a deployment", scale=alt.Scale(scheme="oranges")),
        tooltip=[
            alt.Tooltip("state:N"),
            alt.Tooltip("using_text:N", title="agencies with a deployment"),
            alt.Tooltip("agencies_text:N", title="agencies listed"),
            alt.Tooltip("deployments_text:N", title="deployments"),
            alt.Tooltip("cameras_text:N", title="cameras reported"),
            alt.Tooltip("technologies_text:N", title="technologies"),
            alt.Tooltip("contested_text:N", title="cancelled, rejected or ended"),
        ],
    )
    labels = base.mark_text(fontSize=11, fontWeight="bold", dy=-6).encode(text="state:N")
    if not contested:
        return (tiles + labels).properties(height=340)
    dots = (
        alt.Chart(data[data["contested"] > 0])
        .mark_circle(color="#6a3d9a", opacity=0.9, yOffset=9)
        .encode(
            x=alt.X("column:O", axis=None),
            y=alt.Y("row:O", axis=None),
            size=alt.Size("contested:Q", legend=None, scale=alt.Scale(range=[40, 260])),
            tooltip=[alt.Tooltip("state:N"), alt.Tooltip("contested_text:N", title="cancelled, rejected or ended")],
        )
    )
    return (tiles + labels + dots).properties(height=340)
