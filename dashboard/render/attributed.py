"""Makers' products sold through other vendors (resellers), as the vendor, agency, paths and review pages show them.

The store attributes a contract action to a maker when its description names the maker's product. That money
is the reseller's obligation, not the maker's: every table here keeps it apart from the maker's own obligations,
labels it "attributed from award descriptions" and states its basis.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.wording import money, short_money
from dashboard.render import tables
from dashboard.render.text import md, record_link
from dashboard.shaping.exports import where_from

LABEL = "attributed from award descriptions"
MONEY = {"format": "dollar"}
THROUGH_COLUMN = f"through others ($, {LABEL})"


amount = money


def judgement_text(judgement: dict | None) -> str:
    if not judgement:
        return "pending"
    if set(judgement) == {"verdict"}:
        return judgement["verdict"]
    when = (judgement.get("when") or "")[:10]
    return f"{judgement['verdict']} ({judgement.get('who') or '?'}, {when}): {judgement.get('why') or ''}"


def record_row(record: dict, **extra) -> dict:
    """One attributed action with the text its product was found in and where to check it."""
    agency = record.get("awarding_agency") or {}
    return {
        **extra,
        "date": record.get("action_date"),
        "agency": agency.get("name"),
        "amount": record.get("amount"),
        "product": record.get("product"),
        "matched": record.get("matched"),
        "found in": record.get("found_in"),
        "text": record.get("text"),
        "confidence": record.get("confidence"),
        "judgement": judgement_text(record.get("judgement")),
        "award": record.get("award_key"),
        "record": where_from(record),
        "permalink": record_link(record.get("permalink")),
    }


def records_table(rows: list[dict], key: str) -> None:
    tables.dataframe(
        key,
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            "permalink": st.column_config.LinkColumn("permalink"),
            "amount": st.column_config.NumberColumn("amount", **MONEY),
        },
    )


def sold_through_section(family: dict) -> None:
    """Vendor profile: its own obligations and what its products brought in through others, apart."""
    through = family.get("through_others") or {}
    direct = family.get("direct") or {
        "obligated": family["total_obligated"],
        "awards": family["award_count"],
        "basis": family["obligated_basis"],
    }
    if not through.get("actions"):
        st.caption(
            f"Sold through others ({LABEL}): no contract action recorded under another vendor names this "
            f"vendor's products."
        )
        return
    st.subheader("Sold through others")
    columns = st.columns(2)
    columns[0].metric(
        "Obligated directly (its family's own awards)",
        short_money(direct["obligated"]),
        help=f"exactly {money(direct['obligated'])} in {direct['awards']:,} awards; {direct['basis']}",
    )
    columns[1].metric(
        f"Sold through others ({through.get('label') or LABEL})",
        short_money(through["obligated"]) if through["obligated"] is not None else "not reported",
        help=f"exactly {amount(through['obligated'])} in {through['actions']:,} actions of "
        f"{through['awards']:,} awards",
    )
    unreported = (
        f"; {through['actions_not_reported']:,} of them report no amount" if through.get("actions_not_reported") else ""
    )
    st.caption(
        f"Two figures apart, never added together. Directly: {md(direct['basis'])}. Through others: "
        f"{through['actions']:,} contract actions in {through['awards']:,} awards{unreported}; "
        f"{md(through['basis'])}"
    )
    tables.dataframe(
        "vendor-resellers",
        pd.DataFrame(
            [
                {
                    "reseller": r["name"],
                    "products": ", ".join(r["products"]),
                    "obligated (attributed)": r["obligated"],
                    "actions": r["actions"],
                    "awards": r["awards"],
                    "reseller id": r["id"],
                }
                for r in through["resellers"]
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={"obligated (attributed)": st.column_config.NumberColumn("obligated (attributed)", **MONEY)},
    )
    rows = [record_row(rec, reseller=r["name"]) for r in through["resellers"] for rec in r.get("records", [])]
    rows.sort(key=lambda row: (-(row["amount"] or 0), row["date"] or ""))
    st.caption(
        f"The {len(rows):,} attributed actions, largest first: the description text each product name was "
        f"found in, the rule's confidence and any reviewer's judgement (judge them on the Review queue page)."
    )
    records_table(rows, "vendor-attributed-actions")


def makers_section(agency: dict) -> None:
    """Agency profile: per maker whose products reached it through others, sold directly and through others."""
    makers = agency.get("makers") or []
    st.subheader("Makers: sold directly and through others")
    if not makers:
        st.caption(f"No maker's products reached this agency through other vendors ({LABEL}).")
        return
    tables.dataframe(
        "agency-makers",
        pd.DataFrame(
            [
                {
                    "maker": m["name"],
                    "sold directly ($)": m["sold_directly"]["obligated"],
                    "direct awards": m["sold_directly"]["awards"],
                    THROUGH_COLUMN: m["through_others"]["obligated"],
                    "actions through others": m["through_others"]["actions"],
                    "awards through others": m["through_others"]["awards"],
                    "resellers": "; ".join(
                        f"{r['name']} ({', '.join(r['products'])})" for r in m["through_others"]["resellers"]
                    ),
                    "maker id": m["id"],
                }
                for m in makers
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            column: st.column_config.NumberColumn(column, **MONEY) for column in ("sold directly ($)", THROUGH_COLUMN)
        },
    )
    st.caption("Two figures apart, never added together: " + md(agency.get("makers_basis") or LABEL) + ".")
