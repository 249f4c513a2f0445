"""The vendor profile's "Contract vehicles" section: the vehicles a family holds, apart from its money.

A vehicle's ceiling is what could be ordered under it, not money obligated, so the section stands on its own
under its own heading, says "open ceiling" and "vehicle-level data, not spending", and shows no total: a
ceiling is never added to anything (`graph/questions/vehicles.py`). It also answers "which agencies beyond DHS": the
departments outside DHS that hold a vehicle with the family.
"""

from __future__ import annotations

import streamlit as st

from core.wording import short_money, text
from dashboard import data
from dashboard.render import tables
from dashboard.render.tables import Column
from dashboard.render.text import md, record_link
from graph.questions.vehicles import LABEL, beyond, family_vehicles, where

COLUMNS = [
    Column("agency", "Agency", pinned=True, width="medium"),
    Column("department", "Department"),
    Column("ceiling", "Open ceiling (not spending)", "money"),
    Column("last_date_to_order", "Last date to order"),
    Column("piid", "Vehicle (PIID)"),
    Column("award_type", "Type"),
    Column("ceiling_as_of", "Ceiling as of"),
    Column("permalink", "USAspending page", "link"),
    Column("source", "Source (file and record)", width="large"),
]


@st.cache_data(show_spinner=False)
def vehicles(src: tuple, family_id: str) -> list[dict]:
    return family_vehicles(data.store(), family_id)


def row(vehicle: dict) -> dict:
    return {
        **vehicle,
        "agency": text((vehicle["agency"] or {}).get("name")),
        "department": text((vehicle["department"] or {}).get("name")),
        "last_date_to_order": text(vehicle["last_date_to_order"]),
        "ceiling_as_of": text(vehicle["ceiling_as_of"]),
        "award_type": text(vehicle["award_type"]),
        "permalink": record_link(vehicle["permalink"]),
        "source": where(vehicle),
    }


def beyond_dhs_line(name: str, held: list[dict]) -> str | None:
    """ "Which agencies beyond DHS": one sentence, each agency with its ceiling, labelled as not spending."""
    outside = beyond(held)
    if not outside:
        return None
    parts = [
        f"{md(text(v['agency']['name'] if v['agency'] else None))} ({md(text(v['department']['name']))}; "
        f"{md(v['piid'])}, open ceiling {md(short_money(v['ceiling']))}, last date to order "
        f"{md(text(v['last_date_to_order']))})"
        for v in outside
    ]
    return (
        f"Beyond DHS, {md(name)} holds contract vehicles with: {'; '.join(parts)}. These are {LABEL}: "
        f"a ceiling is what could be ordered, and none of it is in the obligations above."
    )


def section(src: tuple, family: dict) -> None:
    """Drawn by the vendor page (dashboard/views/vendor.py) after the agencies it received awards from."""
    held = vehicles(src, family["id"])
    if not held:
        return
    st.subheader(f"Contract vehicles ({len(held):,}): open ceilings, not spending")
    st.caption(
        f"{LABEL.capitalize()}. Each vehicle (an IDV: a schedule, IDIQ or BPA) is shown with its ceiling "
        f"(base and all options, as of its latest record) and its last date to order. The money is in the "
        f"orders placed under a vehicle, which are separate awards; ceilings are never added to the "
        f"obligations on this page, or to each other."
    )
    line = beyond_dhs_line(family["name"], held)
    if line:
        st.markdown(line)
    tables.show([row(v) for v in held], COLUMNS, key="vendor-vehicles")
