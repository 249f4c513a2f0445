"""Paths: how two entities are connected, hop by hop, each hop with the record behind it; a maker's products
sold through other vendors can be a hop of their own (attributed from award descriptions)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import attributed, data, params
from dashboard.exports import where_from
from dashboard.text import http_link, md

RELATIONS = {"AWARDED": "contract actions awarded", "FUNDED": "contract actions funded", "PARENT": "parent company",
             "PART_OF": "part of", "SUBAWARD": "subaward",
             "THROUGH_OTHERS": "products sold through other vendors (attributed from award descriptions)"}


def step(hop: dict) -> str:
    relation = RELATIONS.get(hop["rel"], hop["rel"])
    if hop.get("through_others") and hop["rel"] != "THROUGH_OTHERS":
        relation += " + products sold through other vendors"
    return f"[{relation}] {hop['to']['name'] or hop['to']['id']}"


st.title("Paths")
src = data.require_data()
left, right, hops = st.columns([3, 3, 1])
a = left.text_input("From (vendor or agency)", params.text("a"), key="p_a").strip()
b = right.text_input("To (vendor or agency)", params.text("b"), key="p_b").strip()
max_hops = hops.number_input("Max hops", 1, 10, params.number("hops", 6), key="p_hops")
follow = st.checkbox("Follow products sold through resellers", params.flag("follow", True), key="p_resellers",
                     help="A maker reaches the agencies its products were sold to by other vendors (attributed from "
                          "award descriptions; that money stays the resellers' obligations).")
params.write({"a": a, "b": b, "hops": max_hops, "follow": follow}, {"hops": 6, "follow": True})
if not (a and b):
    st.info("Give two names, e.g. Palantir and ICE, or Amazon.com and Palantir.")
    st.stop()
try:
    chains = data.paths(src, a, b, int(max_hops), 5, follow)
except (data.NotFound, data.Ambiguous) as error:
    data.lookup_error(error)
    st.stop()
if not chains:
    st.warning(f"No chain of at most {max_hops} hops links them in this store"
               + ("." if follow else " without following products sold through resellers."))
    st.stop()
st.write(f"{len(chains)} shortest chain(s) of {len(chains[0])} hop(s). A vendor–agency hop stands for the contract "
         "actions between them (its money and award count, and its largest awards below); its permalink opens the "
         "largest award on USAspending. A through-others hop is a maker's products sold to the agency by other "
         "vendors: its money is attributed from award descriptions, never part of the maker's own obligations.")
for number, chain in enumerate(chains, start=1):
    st.subheader(f"Chain {number}")
    st.text(" → ".join([chain[0]["from"]["name"] or chain[0]["from"]["id"]] + [step(h) for h in chain]))
    st.dataframe(pd.DataFrame([{
        "hop": i, "from": f"{h['from']['kind']}: {h['from']['name']}",
        "relation": RELATIONS.get(h["rel"], h["rel"]), "to": f"{h['to']['kind']}: {h['to']['name']}",
        "obligated": h.get("obligated", h.get("amount")), "awards": h.get("awards"),
        "through others (attributed from award descriptions)": (h.get("through_others") or {}).get("route"),
        "record": where_from(h) if h.get("source") else "", "permalink": http_link(h.get("permalink")),
    } for i, h in enumerate(chain, start=1)]), hide_index=True, width="stretch",
        column_config={"permalink": st.column_config.LinkColumn("permalink")})
    cited = [{"hop": i, "award": r["piid"] or r["award"], "obligated": r["obligated"], "record": where_from(r),
              "permalink": http_link(r["permalink"])}
             for i, h in enumerate(chain, start=1) for r in h.get("records", [])]
    if cited:
        st.caption("The largest awards behind each vendor–agency hop")
        st.dataframe(pd.DataFrame(cited), hide_index=True, width="stretch",
                     column_config={"permalink": st.column_config.LinkColumn("permalink")})
    through = [(i, h["through_others"]) for i, h in enumerate(chain, start=1) if h.get("through_others")]
    for i, via in through:
        st.caption(f"Hop {i}, through others ({via.get('label') or attributed.LABEL}): {md(via['route'])}. "
                   f"{md(attributed.amount(via.get('obligated')))} in {via.get('actions', 0):,} actions. "
                   f"Basis: {md(via.get('basis') or attributed.LABEL)}")
    rows = [attributed.record_row(rec, hop=i, reseller=r["name"]) for i, via in through
            for r in via.get("resellers", []) for rec in r.get("records", [])]
    if rows:
        st.caption("The largest attributed actions behind each through-others hop (up to 5 per reseller), with the "
                   "description text the product was named in")
        attributed.records_table(rows)
