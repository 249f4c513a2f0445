"""Paths: the answer in one sentence (a direct tie, a chain, or no link), then the evidence: every direct tie
between two entities (awards, money, years, offices, registrations; subawards between two families), then the
chains linking them, each hop said as a sentence in the relation's own direction and drawn with its amount and
the record behind it. A maker's products sold through other vendors can be a hop of their own (attributed from
award descriptions). Chains that only pass through an office both sides dealt with are no link: shown only when
asked for, below the real ones. Caveats wait in an expander."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.coverage import chart_years
from core.wording import count, money, text
from dashboard import data, params
from dashboard.render import attributed, tables, yearly_chart
from dashboard.render.pyvis_network import build_html
from dashboard.render.text import md, record_link
from dashboard.shaping import paths as paths_view
from dashboard.shaping.exports import where_from
from dashboard.view_filters import sector_picker
from graph.questions.ties import sentence, shared_office

CHAINS_READ = 8  # shortest chains asked for, before folding those that cite the same records (each costs its hops)
CHAINS_SHOWN = 5


@st.cache_data(show_spinner=False)
def chains(src: tuple, a: str, b: str, max_hops: int, limit: int, follow: bool, shared_offices: bool) -> list:
    """Real links only, or (`shared_offices`) every shortest chain, through shared offices too."""
    return data.ask().paths(a, b, max_hops=max_hops, limit=limit, through_others=follow, shared_offices=shared_offices)


def show_tie_blocks(answer: dict, scope: dict) -> None:
    for block in paths_view.money_blocks(answer):
        tie = block["tie"]
        st.markdown(md(paths_view.block_line(answer, block)))
        if block["note"]:
            st.markdown(md(block["note"]))
        if len(tie["registrations"]) > 1:
            st.caption("By registration (the family's members the actions name)")
            tables.dataframe(
                f"paths-{tie['role']}-registrations",
                pd.DataFrame(
                    [
                        {
                            "Registration": r["name"],
                            "Obligated": money(r["obligated"]),
                            "Awards": r["awards"],
                            "Actions": r["actions"],
                        }
                        for r in tie["registrations"]
                    ]
                ),
                hide_index=True,
                width="stretch",
            )
        for key, label in (("awarding_offices", "Awarding offices"), ("funding_offices", "Funding offices")):
            st.caption(label)
            tables.dataframe(
                f"paths-{tie['role']}-{key.replace('_', '-')}",
                pd.DataFrame(
                    [
                        {
                            "Office": o["name"] + (f" ({o['code']})" if o["code"] else ""),
                            "Obligated": money(o["obligated"]),
                            "Awards": o["awards"],
                            "Actions": o["actions"],
                        }
                        for o in tie[key]
                    ]
                ),
                hide_index=True,
                width="stretch",
            )
        if tie["by_year"]:  # over the store's whole span, the years it lacks drawn as gaps
            st.altair_chart(
                yearly_chart.chart(chart_years(tie["by_year"], scope["years"]), height=180), width="stretch"
            )


def show_chain(number: int, folded: dict, answer: dict, key: str) -> None:
    """One chain; its tables keyed `key`-`number`-hops, -awards and -through-others."""
    chain = folded["hops"]
    st.markdown(f"**Chain {number}.** " + md(paths_view.said(sentence(h) for h in chain)))
    if folded["meant"]:
        st.caption(md(paths_view.said(["Where a name means its family: " + "; ".join(folded["meant"])])))
    for hop in chain:
        label = paths_view.hop_vs_tie(hop, answer)
        if label:
            st.caption(md(label))
    if folded["also_through"]:
        st.caption(md("The same records also link them through: " + "; ".join(folded["also_through"])))
    tables.dataframe(
        f"{key}-{number}-hops",
        pd.DataFrame(
            [
                {
                    "Hop": i,
                    "What the records say": sentence(h),
                    "Obligated": money(h.get("obligated", h.get("amount")))
                    if h["rel"] not in paths_view.LINKS_WITHOUT_MONEY
                    else "no money on this link",
                    "Awards": h.get("awards", ""),
                    "Record": where_from(h) if h.get("source") else ("agency codes" if h["rel"] == "PART_OF" else ""),
                    "Permalink": record_link(h.get("permalink")) or "",
                    "Through others (attributed from award descriptions)": (h.get("through_others") or {}).get("route")
                    or "",
                }
                for i, h in enumerate(chain, start=1)
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "What the records say": st.column_config.TextColumn(width="large"),
            "Permalink": st.column_config.LinkColumn("Permalink", width="medium"),
        },
    )
    cited = [
        {
            "Hop": i,
            "Award": r["piid"] or r["award"],
            "Obligated": money(r["obligated"]),
            "Record": where_from(r),
            "Permalink": record_link(r["permalink"]) or "",
        }
        for i, h in enumerate(chain, start=1)
        for r in h.get("records", [])
    ]
    if cited:
        st.caption("The largest awards behind each vendor–agency hop")
        tables.dataframe(
            f"{key}-{number}-awards",
            pd.DataFrame(cited),
            hide_index=True,
            width="stretch",
            column_config={"Permalink": st.column_config.LinkColumn("Permalink")},
        )
    through = [(i, h["through_others"]) for i, h in enumerate(chain, start=1) if h.get("through_others")]
    for i, via in through:
        st.caption(
            f"Hop {i}, through others ({via.get('label') or attributed.LABEL}): {md(via['route'])}. "
            f"{md(attributed.amount(via.get('obligated')))} in {via.get('actions', 0):,} actions. "
            f"Basis: {md(via.get('basis') or attributed.LABEL)}"
        )
    rows = [
        attributed.record_row(rec, hop=i, reseller=r["name"])
        for i, via in through
        for r in via.get("resellers", [])
        for rec in r.get("records", [])
    ]
    if rows:
        st.caption(
            "The largest attributed actions behind each through-others hop (up to 5 per reseller), with the "
            "description text the product was named in"
        )
        attributed.records_table(rows, f"{key}-{number}-through-others")


def show_chains(found: list[list[dict]], answer: dict, key: str) -> list[dict]:
    """The chains, folded and read right, with their drawing (tables keyed `key`-N-...); returns what was shown."""
    shown = paths_view.readable(paths_view.collapse(found)[:CHAINS_SHOWN])
    if not shown:
        return shown
    folded = len(found) - sum(1 + len(c["also_through"]) for c in shown)
    st.caption(
        f"{count(len(shown), 'shortest chain')} of {count(len(shown[0]['hops']), 'hop')}"
        + (
            f" ({sum(len(c['also_through']) for c in shown):,} more that cite the same records folded into them)"
            if any(c["also_through"] for c in shown)
            else ""
        )
        + (f"; {folded:,} more not shown" if folded > 0 else "")
        + ". Click an entity in the drawing to open its profile."
    )
    picture, where = paths_view.chains_graph(shown)
    st.iframe(
        build_html(picture, height=min(90 + paths_view.ROW * len(shown), 800), where=where),
        height=min(110 + paths_view.ROW * len(shown), 820),
    )
    for number, chain in enumerate(shown, start=1):
        show_chain(number, chain, answer, key)
    return shown


st.title("Paths")
src = data.require_data()
categories = sector_picker(("all",), "The direct ties' money (the chains follow every link)")
left, right, hops = st.columns([3, 3, 1])
a = left.text_input("From (vendor or agency)", params.carried("a", "vendor") or params.text("from"), key="p_a").strip()
b = right.text_input("To (vendor or agency)", params.carried("b", "agency") or params.text("to"), key="p_b").strip()
max_hops = hops.number_input("Max hops", 1, 10, params.number("hops", 6, int, 1, 10), key="p_hops")
options = st.columns(2)
follow = options[0].checkbox(
    "Follow products sold through resellers",
    params.flag("follow", True),
    key="p_resellers",
    help="A maker reaches the agencies its products were sold to by other vendors "
    "(attributed from award descriptions; that money stays the resellers' obligations).",
)
shared = options[1].checkbox(
    "Also show chains through a shared office",
    params.flag("shared", False),
    key="p_shared",
    help="Chains that only pass through a funding or contracting office both sides dealt "
    "with (Palantir and Snap funded by one DHS office): no link between them, listed "
    "below the real ones.",
)
params.write(
    {"a": a, "b": b, "hops": max_hops, "follow": follow, "shared": shared, "from": "", "to": ""},
    {"hops": 6, "follow": True, "shared": False},
)
if not (a and b):
    st.info("Give two names, e.g. Palantir and ICE, or Amazon.com and Palantir.")
    st.stop()
try:
    answer = data.direct_ties(src, a, b, categories)
    found = chains(src, a, b, int(max_hops), CHAINS_READ, follow, False)
    everything = chains(src, a, b, int(max_hops), CHAINS_READ, follow, True) if shared or not found else []
except (data.NotFound, data.Ambiguous) as error:
    data.lookup_error(error)
    st.caption("Each end is a vendor or an agency: part of its name, a UEI, a DUNS or an agency code (ICE, 7012).")
    st.stop()
weak = [chain for chain in everything if shared_office(chain)]

names = [end["name"] or end["id"] for end in answer["ends"]]
if answer["ends"][0] == answer["ends"][1] and not (answer["same_family"] and found):
    st.info(md(f"“{a}” and “{b}” both mean {names[0]}: one entity, so there is nothing to link. Give another name."))
    st.stop()
if answer["same_family"] and found:  # the family's head twice says nothing: the names as typed
    names = [found[0][0]["from"]["name"] or a, found[0][-1]["to"]["name"] or b]
real = paths_view.readable(paths_view.collapse(found)[:CHAINS_SHOWN])
agencies = [end["id"] for end in answer["ends"] if end.get("kind") == "Agency"]
scope = data.coverage_within(data.source(), agencies) if agencies else data.coverage(data.source())
headline, detail = paths_view.headline(
    answer, real, weak, int(max_hops), tuple(y["fiscal_year"] for y in scope["years"] if y["status"] == "not_loaded")
)
st.markdown("#### " + md(headline))
if detail:
    st.markdown(md(detail))

if answer["ties"]:
    st.subheader("Direct ties")
    show_tie_blocks(answer, scope)
    for tie in (t for t in answer["ties"] if t["role"] == "subaward"):
        prime = names[0] if tie["prime_family"] == answer["ends"][0]["id"] else names[1]
        st.markdown(
            md(
                f"{count(tie['subawards'], 'subaward')} under {count(tie['prime_awards'], 'prime award')} of "
                f"{prime}: {money(tie['amount'])}, {text(tie['first'])} to {text(tie['last'])}."
            )
        )

if found:
    st.subheader(
        "How they are linked" if not answer["ties"] else "The records behind the tie, registration by registration"
    )
    show_chains(found, answer, "paths-chain")
elif not weak:
    st.warning(
        f"No chain of at most {max_hops} hops links them in this store"
        + ("." if follow else " without following products sold through resellers.")
    )
if weak and shared:
    st.subheader("Chains through a shared office (no link between them)")
    st.caption(
        md(
            "Each of these passes through an office that dealt with both sides, e.g. "
            f"{shared_office(weak[0])}: two vendors paid or funded by one office are not linked to each other."
        )
    )
    show_chains(weak, answer, "paths-shared-chain")
elif weak:
    st.caption(
        md(
            f"Chains through a shared office ({shared_office(weak[0])}) are left out: tick “Also show chains "
            "through a shared office” to list them."
        )
    )

with st.expander("How to read these figures"):
    for tie in (t for t in answer["ties"] if t["role"] != "subaward"):
        st.caption(
            md(
                f"{tie['relation'].capitalize()}: {tie['basis']}"
                + (
                    f"; {money(tie['not_split_by_year'])} is in award totals not split by year"
                    if tie["not_split_by_year"]
                    else ""
                )
                + "."
            )
        )
    for tie in (t for t in answer["ties"] if t["role"] == "subaward"):
        st.caption(md(tie["basis"]))
    st.caption(
        "A direct tie counts every action between the family's registrations and the agency or any office "
        "under it. A chain's vendor–agency hop counts only the actions whose records name that registration "
        "and that agency exactly, so it can be smaller than the tie; the line under the chain says by how much "
        "and why. Its permalink opens the largest award on USAspending."
    )
    st.caption(
        "A through-others hop is a maker's products sold to the agency by other vendors: its money is "
        "attributed from award descriptions, never part of the maker's own obligations."
    )
    st.caption(
        "A name that means a company family starts at the family: a link from the family to one of its own "
        "registrations adds no hop. Offices with no name in the records are the FY2021+ exports' actions, "
        "which name only the sub-agency."
    )
    st.caption(
        "Chains that only pass through an office both sides dealt with (a funding or contracting office, or "
        "a department two agencies are part of) are not links and are left out unless asked for."
    )
