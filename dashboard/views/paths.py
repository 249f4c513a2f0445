"""Paths: first every direct tie between two entities (awards, money, years, offices; subawards between two
families), then the chains linking them, each drawn with the amount on every hop and the record behind it; a
maker's products sold through other vendors can be a hop of their own (attributed from award descriptions)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import attributed, data, params, paths_view
from core.wording import money
from dashboard.network import build_html
from dashboard.exports import where_from
from dashboard.text import record_link, md

CHAINS_READ = 8  # shortest chains asked for, before folding those that cite the same records (each costs its hops)
CHAINS_SHOWN = 5
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
a = left.text_input("From (vendor or agency)", params.carried("a", "vendor"), key="p_a").strip()
b = right.text_input("To (vendor or agency)", params.carried("b", "agency"), key="p_b").strip()
max_hops = hops.number_input("Max hops", 1, 10, params.number("hops", 6, int, 1, 10), key="p_hops")
follow = st.checkbox("Follow products sold through resellers", params.flag("follow", True), key="p_resellers",
                     help="A maker reaches the agencies its products were sold to by other vendors (attributed from "
                          "award descriptions; that money stays the resellers' obligations).")
params.write({"a": a, "b": b, "hops": max_hops, "follow": follow}, {"hops": 6, "follow": True})
if not (a and b):
    st.info("Give two names, e.g. Palantir and ICE, or Amazon.com and Palantir.")
    st.stop()
try:
    ties = data.direct_ties(src, a, b)
    found = data.paths(src, a, b, int(max_hops), CHAINS_READ, follow)
except (data.NotFound, data.Ambiguous) as error:
    data.lookup_error(error)
    st.stop()

names = [end["name"] or end["id"] for end in ties["ends"]]
if ties["ends"][0] == ties["ends"][1] and not (ties["same_family"] and found):
    st.info(md(f"“{a}” and “{b}” both mean {names[0]}: one entity, so there is nothing to link. Give another name."))
    st.stop()
if ties["same_family"]:  # the family's head twice says nothing: the names as typed
    names = [found[0][0]["from"]["name"] or a, found[0][-1]["to"]["name"] or b]
st.header(md(f"{names[0]} and {names[1]}"))
st.subheader("Direct ties")
if ties["same_family"]:
    st.success(md(f"Same family: both names belong to {names[0]}'s family. The parent links between them, with "
                  "the record or curated source of each, are the chain below."))
elif not ties["ties"]:
    st.caption("No direct tie (no contract action between them, and no subaward between their families) in "
               "this store; the chains below show how they are linked, if they are.")
for tie in ties["ties"]:
    if tie["role"] == "subaward":
        prime = names[0] if tie["prime_family"] == ties["ends"][0]["id"] else names[1]
        st.markdown(md(f"{tie['subawards']:,} subawards under {tie['prime_awards']:,} prime awards of {prime}: "
                       f"{money(tie['amount']) if tie['amount'] is not None else 'amount not reported'}, "
                       f"{tie['first'] or '?'} to {tie['last'] or '?'}."))
        st.caption(md(tie["basis"]))
        continue
    years = (f"FY{tie['fy_first']}–FY{tie['fy_last']}" if tie["fy_first"] else "no action dated by fiscal year")
    st.markdown(md(f"Contract actions {tie['relation']} the agency: {tie['awards']:,} awards, {tie['actions']:,} "
                   f"actions, {money(tie['obligated'])} obligated, {years}."))
    st.caption(md(tie["basis"] + (f"; {money(tie['not_split_by_year'])} is in award totals not split by year"
                                  if tie["not_split_by_year"] else "") + "."))
    offices = st.columns(2)
    for column, key, label in ((offices[0], "awarding_offices", "Awarding offices"),
                               (offices[1], "funding_offices", "Funding offices")):
        column.caption(label)
        column.dataframe(pd.DataFrame([{"office": o["name"], "code": o["code"], "obligated ($)": o["obligated"],
                                        "awards": o["awards"], "actions": o["actions"]} for o in tie[key]]),
                         hide_index=True, width="stretch")
    if tie["by_year"]:
        st.bar_chart(pd.DataFrame([{"fiscal year": str(y["fiscal_year"]), "obligated ($)": y["obligated"]}
                                   for y in tie["by_year"]]), x="fiscal year", y="obligated ($)", height=180)

chains = paths_view.collapse(found)[:CHAINS_SHOWN]
st.subheader("Chains")
if not chains:
    st.warning(f"No chain of at most {max_hops} hops links them in this store"
               + ("." if follow else " without following products sold through resellers."))
    st.stop()
folded = len(found) - sum(1 + len(c["also_through"]) for c in chains)
st.write(f"{len(chains)} shortest chain(s) of {len(chains[0]['hops'])} hop(s)"
         + (f" ({sum(len(c['also_through']) for c in chains):,} more that cite the same records folded into them)"
            if any(c["also_through"] for c in chains) else "")
         + (f"; {folded:,} more not shown" if folded > 0 else "") + ". A vendor–agency hop stands for the contract "
         "actions between them (its money and award count, and its largest awards below); its permalink opens the "
         "largest award on USAspending. A through-others hop is a maker's products sold to the agency by other "
         "vendors: its money is attributed from award descriptions, never part of the maker's own obligations. "
         "Click an entity in the drawing to open its profile.")
picture, where = paths_view.chains_graph(chains)
st.iframe(build_html(picture, height=min(90 + paths_view.ROW * len(chains), 800), where=where),
          height=min(110 + paths_view.ROW * len(chains), 820))
for number, folded_chain in enumerate(chains, start=1):
    chain = folded_chain["hops"]
    st.subheader(f"Chain {number}")
    st.text(" → ".join([chain[0]["from"]["name"] or chain[0]["from"]["id"]] + [step(h) for h in chain]))
    if folded_chain["also_through"]:
        st.caption(md("The same records also link them through: " + "; ".join(folded_chain["also_through"])))
    st.dataframe(pd.DataFrame([{
        "hop": i, "from": f"{h['from']['kind']}: {h['from']['name']}",
        "relation": RELATIONS.get(h["rel"], h["rel"]), "to": f"{h['to']['kind']}: {h['to']['name']}",
        "obligated": h.get("obligated", h.get("amount")), "awards": h.get("awards"),
        "record": where_from(h) if h.get("source") else ("agency codes" if h["rel"] == "PART_OF" else ""),
        "permalink": record_link(h.get("permalink")),
        "through others (attributed from award descriptions)": (h.get("through_others") or {}).get("route"),
    } for i, h in enumerate(chain, start=1)]), hide_index=True, width="stretch",
        column_config={"permalink": st.column_config.LinkColumn("permalink", width="medium"),
                       "obligated": st.column_config.NumberColumn("obligated", format="dollar")})
    cited = [{"hop": i, "award": r["piid"] or r["award"], "obligated": r["obligated"], "record": where_from(r),
              "permalink": record_link(r["permalink"])}
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
