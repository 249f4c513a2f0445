"""The network filters: read from the URL, drawn in the sidebar, written back to the URL.

Kept apart from the page so the award list of a view (for exports and award nodes) applies exactly
the filters `store.subgraph` applied. `sector_picker` is the sector filter every page draws (URL `sector`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from dashboard import data, params


@dataclass(frozen=True)
class Filters:
    agency: str | None
    vendor: str | None
    fy_from: int | None
    fy_to: int | None
    award_types: tuple[str, ...]
    min_amount: float
    through_others: bool = False  # the layer of makers' products sold through resellers
    subawards: bool = False  # the layer of subawards (prime vendor -> subcontractor); not a filter of the subgraph
    categories: tuple[str, ...] | None = None  # the sector (category ids); None: every purchase

    def subgraph(self, src: tuple) -> dict:
        return data.subgraph(
            src,
            self.agency,
            self.vendor,
            self.fy_from,
            self.fy_to,
            self.min_amount,
            self.award_types,
            self.through_others,
            self.categories,
        )

    def keeps(self, award: dict) -> bool:
        """The per-award filters `store.subgraph` applies (years overlap the range, award type)."""
        if self.fy_from and (award.get("fy_last") or 0) < self.fy_from:
            return False
        if self.fy_to and (award.get("fy_first") or 9999) > self.fy_to:
            return False
        types = {t.casefold() for t in self.award_types}
        return not types or (award.get("award_type") or "").casefold() in types


SECTOR_MODES = {
    "technology": "Technology lens (surveillance, data, cloud)",
    "all": "All purchases",
    "chosen": "Chosen categories",
}


def sector_picker(default: tuple[str, ...] = ("all",), applies: str | None = None) -> tuple[str, ...] | None:
    """The sector filter in the sidebar, kept in the URL as `sector` (repeatable or comma-separated): the category
    ids it stands for, None for every purchase. An empty URL means the page's `default` (the landing network opens
    on the technology lens, profiles on every purchase, so their totals are the agency's or vendor's own);
    `applies`: what it filters on this page ("": nothing, said so)."""
    from core.categories import CATEGORIES, label
    from graph.questions.sectors import scope

    names, chosen = params.sectors(default)
    mode = names[0] if names in (["technology"], ["all"]) else "chosen"
    if st.session_state.get("sector_seen") != names:  # a link, or another page's default: the URL wins
        st.session_state["f_sector"] = mode
        st.session_state["f_sector_ids"] = list(chosen or ())
    with st.sidebar:
        st.header("Sector")
        mode = st.radio(
            "Purchases",
            list(SECTOR_MODES),
            index=list(SECTOR_MODES).index(mode),
            key="f_sector",
            format_func=SECTOR_MODES.get,
            help="Every contract action has one category, placed by a maker named in its description, "
            "else its PSC, else its NAICS code (data/technology_categories.csv).",
        )
        if mode == "chosen":
            picked = st.multiselect("Categories", [c.id for c in CATEGORIES], format_func=label, key="f_sector_ids")
            names, chosen = (picked, tuple(picked)) if picked else (["all"], None)
        else:
            names, chosen = [mode], (None if mode == "all" else tuple(c.id for c in CATEGORIES if c.lens))
        if applies == "":
            st.caption(
                "This page's lists are not split by category: the sector filters nothing here (it is kept "
                "for the other pages)."
            )
        else:
            st.caption(f"{applies or 'This page'} shows {scope(chosen)['line']}.")
    st.session_state["sector_seen"] = names
    params.write({"sector": names}, {"sector": list(default)})
    return chosen


def _switch(mode: str) -> None:
    """A button's callback: set the sector filter (callbacks run before the widgets are drawn again)."""
    st.session_state["f_sector"] = mode


def lens_switch(categories: tuple[str, ...] | None, where=st) -> None:
    """Under a page's answer: which sector it shows and a visible switch to all purchases (or back to the lens)."""
    from graph.questions.sectors import scope

    if categories is None:
        where.caption("Showing all purchases (every category).")
        where.button("Show the technology lens only", key="lens_on", on_click=_switch, args=("technology",))
        return
    where.caption(f"Showing {scope(categories)['line']}.")
    where.button("Show all purchases", key="lens_off", on_click=_switch, args=("all",))


def agency_label(entry: dict) -> str:
    """Name (abbreviation, code, tier): typing "ICE" finds the agency itself, listed before its offices."""
    parts = [entry.get("abbreviation"), entry["code"], entry["tier"]]
    return f"{entry['name']} ({', '.join(part for part in parts if part)})"


def sidebar(src: tuple, default_sector: tuple[str, ...] = ("technology",)) -> Filters:
    categories = sector_picker(default_sector, "The network")
    facets = data.facets(src)
    agencies = sorted(
        (e for e in data.entities(src) if e["kind"] == "Agency"),
        key=lambda e: ({"toptier": 0, "subtier": 1, "office": 2}.get(e["tier"], 3), e["name"] or ""),
    )
    labels = {e["code"]: agency_label(e) for e in agencies}
    wanted = params.text("agency")
    options = [""] + list(labels) + ([wanted] if wanted and wanted not in labels else [])
    with st.sidebar:
        st.header("Filters")
        agency = st.selectbox(
            "Agency (any tier)",
            options,
            index=options.index(wanted),
            key="f_agency",
            format_func=lambda code: labels.get(code, code) if code else "all agencies",
        )
        vendor = st.text_input(
            "Vendor (part of a name; its whole family is drawn)", params.text("vendor"), key="f_vendor"
        ).strip()
        low, high = facets["fy_min"] or 2000, facets["fy_max"] or date.today().year + 1
        fy_from = params.number("fy_from", low, int, low, high)
        fy_to = params.number("fy_to", high, int, fy_from, high)
        if low < high:
            years = st.slider("Fiscal years", low, high, (fy_from, fy_to), key="f_years")
        else:  # a slider needs two ends: the store holds actions of one fiscal year
            years = (low, high)
            st.caption(f"Fiscal year {low}: the only one the store's actions are dated in.")
        types = st.multiselect(
            "Award type",
            facets["award_types"],
            [t for t in params.many("type") if t in facets["award_types"]],
            key="f_types",
        )
        minimum = st.number_input(
            "Minimum obligated on an edge ($)",
            min_value=0.0,
            step=100000.0,
            value=params.number("min", 0.0, float, 0.0, 1e15),
            key="f_min",
        )
        resellers = st.checkbox(
            "Through resellers",
            params.flag("resellers", False),
            key="f_resellers",
            help="Add a maker's products sold to agencies by other vendors (maker → reseller → "
            "agency, dashed): attributed from award descriptions, never added to the "
            "obligated figures.",
        )
        subawards = st.checkbox(
            "Subawards",
            params.flag("subawards", False),
            key="f_subawards",
            help="Add prime vendor → subcontractor links (dashed), labelled with the subaward "
            "amounts: never added to the obligated figures.",
        )
    params.write(
        {
            "agency": agency,
            "vendor": vendor,
            "fy_from": years[0],
            "fy_to": years[1],
            "type": types,
            "min": minimum,
            "resellers": resellers,
            "subawards": subawards,
        },
        {"fy_from": low, "fy_to": high, "min": 0.0, "resellers": False, "subawards": False},
    )
    return Filters(
        agency=agency or None,
        vendor=vendor or None,
        fy_from=years[0] if years[0] > low else None,
        fy_to=years[1] if years[1] < high else None,
        award_types=tuple(types),
        min_amount=float(minimum),
        through_others=resellers,
        subawards=subawards,
        categories=categories,
    )
