"""Paths: how two entities are connected, hop by hop, each hop with the record behind it."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, params
from dashboard.exports import where_from

RELATIONS = {"AWARDED": "contract actions awarded", "FUNDED": "contract actions funded", "PARENT": "parent company",
             "PART_OF": "part of", "SUBAWARD": "subaward"}

st.title("Paths")
src = data.require_data()
left, right, hops = st.columns([3, 3, 1])
a = left.text_input("From (vendor or agency)", params.text("a"), key="p_a").strip()
b = right.text_input("To (vendor or agency)", params.text("b"), key="p_b").strip()
max_hops = hops.number_input("Max hops", 1, 10, params.number("hops", 6), key="p_hops")
params.write({"a": a, "b": b, "hops": max_hops}, {"hops": 6})
if not (a and b):
    st.info("Give two names, e.g. Palantir and ICE, or Amazon.com and Palantir.")
    st.stop()
try:
    chains = data.paths(src, a, b, int(max_hops), 5)
except (data.NotFound, data.Ambiguous) as error:
    data.lookup_error(error)
    st.stop()
if not chains:
    st.warning(f"No chain of at most {max_hops} hops links them in this store.")
    st.stop()
st.write(f"{len(chains)} shortest chain(s) of {len(chains[0])} hop(s). A vendor–agency hop stands for the contract "
         "actions between them (its money and award count, and its largest awards below); its permalink opens the "
         "largest award on USAspending.")
for number, chain in enumerate(chains, start=1):
    st.subheader(f"Chain {number}")
    st.text(" → ".join([chain[0]["from"]["name"] or chain[0]["from"]["id"]]
                       + [f"[{RELATIONS.get(h['rel'], h['rel'])}] {h['to']['name'] or h['to']['id']}" for h in chain]))
    st.dataframe(pd.DataFrame([{
        "hop": i, "from": f"{h['from']['kind']}: {h['from']['name']}",
        "relation": RELATIONS.get(h["rel"], h["rel"]), "to": f"{h['to']['kind']}: {h['to']['name']}",
        "obligated": h.get("obligated", h.get("amount")), "awards": h.get("awards"),
        "record": where_from(h) if h.get("source") else "", "permalink": h.get("permalink"),
    } for i, h in enumerate(chain, start=1)]), hide_index=True, width="stretch",
        column_config={"permalink": st.column_config.LinkColumn("permalink")})
    cited = [{"hop": i, "award": r["piid"] or r["award"], "obligated": r["obligated"], "record": where_from(r),
              "permalink": r["permalink"]} for i, h in enumerate(chain, start=1) for r in h.get("records", [])]
    if cited:
        st.caption("The largest awards behind each vendor–agency hop")
        st.dataframe(pd.DataFrame(cited), hide_index=True, width="stretch",
                     column_config={"permalink": st.column_config.LinkColumn("permalink")})
