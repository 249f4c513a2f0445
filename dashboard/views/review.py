"""Review queue: attributions of actions to makers (largest first) and vendor merges made by name only, each with
its evidence, and a form that records a reviewer's judgement in the judgements file (applied on the next
`python -m graph attribute` or load, never by this page)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.judgements import judgements_file
from dashboard import data, params
from dashboard.render import attributed, tables
from dashboard.render.text import md, record_link
from dashboard.shaping.exports import where_from
from dashboard.view_filters import sector_picker

ROWS = 500  # items listed per table; the form offers every item
KINDS = {
    "": "attributions, name-only merges and local matches",
    "attribution": "attributions",
    "merge": "name-only merges",
    "local": "local agencies named alike in two sources",
}
VERDICTS = {
    "attribution": {"correct": "correct (the maker's product)", "wrong": "wrong (not the maker's product)"},
    "merge": {"same": "same vendor", "not_same": "not the same vendor"},
    "local": {"same": "the same agency", "not_same": "two agencies"},
}
APPLY = "it takes effect on the next `python -m graph attribute` (or load)"


def item_key(entry: dict) -> str:
    if entry["kind"] == "local_match":  # a pair of agencies: the file keeps their two ids
        return "\x1f".join(("local", *(agency["id"] for agency in entry["agencies"])))
    target = entry["maker"]["id"] if entry["kind"] == "attribution" else entry["vendor"]["id"]
    return "\x1f".join((entry["kind"], entry["record"], target))


def item_label(entry: dict) -> str:
    verdict = attributed.judgement_text(entry["judgement"]).split(" (", 1)[0]
    if entry["kind"] == "local_match":
        first, second = entry["agencies"]
        return f"local match · {first['name']} and {second['name']} ({entry['state']}) · {verdict}"
    money = attributed.amount(entry["obligated"])
    if entry["kind"] == "attribution":
        return (
            f"attribution · {entry['maker']['name']} ({', '.join(entry['products'])}) via "
            f"{entry['recipient']['name']} · {money} · {entry['record']} · {verdict}"
        )
    vendor = entry["vendor"]
    return f"merge · {entry['party']['name']!r} joined {vendor['name']} ({vendor['id']}) by name · {money} · {verdict}"


def party(who: dict) -> str:
    return " · ".join(
        part
        for part in (
            who.get("name"),
            f"UEI {who['uei']}" if who.get("uei") else "",
            f"DUNS {who['duns']}" if who.get("duns") else "",
        )
        if part
    )


def show_attributions(entries: list[dict], counts: dict) -> None:
    st.subheader(f"Attributions ({counts.get('listed', 0):,} in the store, {counts.get('judged', 0):,} judged)")
    if not entries:
        st.caption("None listed.")
        return
    st.caption(
        "Actions recorded under one vendor (the reseller) whose description names another maker's product, "
        f"grouped by award and maker, largest first ({attributed.LABEL}). "
        + (f"The first {ROWS:,} are listed." if len(entries) > ROWS else "")
    )
    tables.dataframe(
        "review-attributions",
        pd.DataFrame(
            [
                {
                    "maker": e["maker"]["name"],
                    "products": ", ".join(e["products"]),
                    "recipient (reseller)": e["recipient"]["name"],
                    "obligated (attributed)": e["obligated"],
                    "actions": e["actions"],
                    "awards": e["awards"],
                    "confidence": e["confidence"],
                    "rules": ", ".join(e["rules"]),
                    "judgement": attributed.judgement_text(e["judgement"]),
                    "award": e["record"],
                    "maker id": e["maker"]["id"],
                    "recipient id": e["recipient"]["id"],
                    "permalink": record_link(e["permalink"]),
                }
                for e in entries[:ROWS]
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "permalink": st.column_config.LinkColumn("permalink"),
            "obligated (attributed)": st.column_config.NumberColumn("obligated (attributed)", format="dollar"),
        },
    )
    with st.expander("Evidence: the description texts behind each attribution (up to 5 actions each)"):
        attributed.records_table(
            [
                attributed.record_row(rec, maker=e["maker"]["name"], reseller=e["recipient"]["name"])
                for e in entries[:ROWS]
                for rec in e["evidence"]
            ],
            "review-attribution-evidence",
        )


def show_merges(entries: list[dict], counts: dict) -> None:
    st.subheader(f"Name-only merges ({counts.get('listed', 0):,} in the store, {counts.get('judged', 0):,} judged)")
    if not entries:
        st.caption("None listed.")
        return
    st.caption(
        "Parties reported without a UEI or DUNS the store joined to a vendor by their name alone (low "
        "confidence), largest first. " + (f"The first {ROWS:,} are listed." if len(entries) > ROWS else "")
    )
    tables.dataframe(
        "review-merges",
        pd.DataFrame(
            [
                {
                    "reported party": party(e["party"]),
                    "joined vendor": e["vendor"]["name"],
                    "vendor id": e["vendor"]["id"],
                    "vendor identifiers": party({"uei": e["vendor"]["uei"], "duns": e["vendor"]["duns"]}),
                    "vendor also reported as": "; ".join(e["vendor"]["identified_as"]),
                    "match": e["match"],
                    "confidence": e["confidence"],
                    "obligated": e["obligated"],
                    "records": e["records"],
                    "awards": e["awards"],
                    "first": e["first"],
                    "last": e["last"],
                    "judgement": attributed.judgement_text(e["judgement"]),
                    "evidence record": where_from(e["evidence"]),
                    "permalink": record_link(e["evidence"].get("permalink")),
                }
                for e in entries[:ROWS]
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "permalink": st.column_config.LinkColumn("permalink"),
            "obligated": st.column_config.NumberColumn("obligated", format="dollar"),
        },
    )


def show_local_matches(entries: list[dict]) -> None:
    st.subheader(f"Local agencies named alike in two sources ({len(entries):,})")
    if not entries:
        st.caption("No match to judge: no two sources name an agency with the same normalized name and state.")
        return
    st.caption(
        "The same normalized name and state in two sources: a low-confidence match. The two stay separate "
        "agencies until a reviewer judges them the same (below, or `python -m graph review --kind local`); at the "
        "next load they become one agency, both ids finding it. Compare their rows first."
    )
    tables.dataframe(
        "review-local-matches",
        pd.DataFrame(
            [
                {
                    "state": e["state"],
                    "name (normalized)": e["name_key"],
                    **{
                        f"{side} agency": a["name"] for side, a in zip(("first", "second"), e["agencies"], strict=False)
                    },
                    **{f"{side} id": a["id"] for side, a in zip(("first", "second"), e["agencies"], strict=False)},
                    **{
                        f"{side} cited": f"{a['source']} {a['record']}" if a["source"] else "named in links only"
                        for side, a in zip(("first", "second"), e["agencies"], strict=False)
                    },
                    "judgement": attributed.judgement_text(e["judgement"]),
                }
                for e in entries[:ROWS]
            ]
        ),
        hide_index=True,
        width="stretch",
    )


def show_local_vendors(entries: list[dict]) -> None:
    st.subheader(f"Local vendor names that join no known vendor ({len(entries):,})")
    if not entries:
        st.caption("Every vendor a local record names joins a vendor of the federal records or a curated family.")
        return
    st.caption(
        'Each stays a vendor of its own name, never merged by a guess. To join one to the family it means ("Vigilant" '
        "to Motorola Solutions' Vigilant Solutions, say), add an alias row to data/vendor_families.csv with its "
        "source, then load again."
    )
    tables.dataframe(
        "review-local-vendors",
        pd.DataFrame(
            [
                {
                    "vendor id": e["record"],
                    "names as written": "; ".join(e["names"]),
                    "agencies": "; ".join(e["agencies"][:5]) + (" …" if len(e["agencies"]) > 5 else ""),
                    "rows": e["rows"],
                    "cited": "; ".join(f"{r['source'].rsplit('/', 1)[-1]} {r['record']}" for r in e["records"]),
                }
                for e in entries[:ROWS]
            ]
        ),
        hide_index=True,
        width="stretch",
    )


def evidence(entry: dict) -> None:
    """The chosen item's evidence, right above the form."""
    so_far = attributed.judgement_text(entry["judgement"])
    if entry["kind"] == "local_match":
        st.text(
            "\n".join(
                f"{a['name']} ({a['id']}): {a['source'] or 'named in links only'} {a['record'] or ''}"
                for a in entry["agencies"]
            )
            + f"\nthe same normalized name ({entry['name_key']}) and state ({entry['state']})\njudgement so far: {so_far}"
        )
        return
    money = attributed.amount(entry["obligated"])
    if entry["kind"] == "attribution":
        st.text(
            f"{entry['maker']['name']} ({', '.join(entry['products'])}), rules {', '.join(entry['rules'])}, "
            f"confidence {entry['confidence']}\nrecipient of record: {entry['recipient']['name']} "
            f"({entry['recipient']['id']})\n{money} in {entry['actions']:,} actions of award {entry['record']}"
            f"\njudgement so far: {so_far}"
        )
        attributed.records_table([attributed.record_row(rec) for rec in entry["evidence"]], "review-item-evidence")
    else:
        vendor = entry["vendor"]
        ids = party({"uei": vendor["uei"], "duns": vendor["duns"]})
        st.text(
            f"reported party: {party(entry['party'])}\njoined by name to: {vendor['name']} ({vendor['id']}"
            f"{', ' + ids if ids else ''})\n{money} in {entry['records']:,} records, {entry['awards']:,} awards, "
            f"{entry['first']} to {entry['last']}\nevidence: {where_from(entry['evidence'])} "
            f"{entry['evidence'].get('permalink') or ''}\njudgement so far: {so_far}"
        )


def judge(entries: list[dict]) -> None:
    st.subheader("Record a judgement")
    if not entries:
        st.caption("Nothing to judge in this list.")
        return
    items = {item_key(e): e for e in entries}
    keys = list(items)
    wanted = params.text("item")
    chosen = st.selectbox(
        "Item",
        keys,
        index=keys.index(wanted) if wanted in items else 0,
        format_func=lambda k: item_label(items[k]),
        key="r_item",
    )
    params.write({"item": chosen}, {"item": keys[0]})
    entry = items[chosen]
    kind, record, target = chosen.split("\x1f")
    evidence(entry)
    with st.form("r_form"):
        options = VERDICTS[kind]
        verdict = st.radio("Verdict", list(options), format_func=options.get, horizontal=True, key=f"r_verdict_{kind}")
        who = st.text_input("Who (your name or handle)", key="r_who")
        why = st.text_area("Why (the evidence you read)", key="r_why")
        submitted = st.form_submit_button("Record judgement")
    if submitted:
        try:
            judged, path = data.record_judgement(kind, record, target, verdict, who, why)
        except (data.NotFound, data.BadTable) as error:
            st.error(md(error))
        else:
            judged_as = {
                "attribution": lambda: entry["maker"]["name"],
                "merge": lambda: entry["vendor"]["name"],
                "local": lambda: entry["agencies"][1]["name"],
            }[kind]()
            st.success(
                f"Recorded in {md(path)}: {md(judged.kind)} of {md(judged.record)} to {md(judged_as)} "
                f"({md(judged.target)}) judged {md(judged.verdict)} by {md(judged.who)} at {md(judged.when)}; "
                f"{APPLY}."
            )


st.title("Review queue")
src = data.require_data()
sector_picker(("all",), "")
columns = st.columns([2, 1])
wanted_kind = params.text("kind")
kind = columns[0].selectbox(
    "Show",
    list(KINDS),
    index=list(KINDS).index(wanted_kind) if wanted_kind in KINDS else 0,
    format_func=KINDS.get,
    key="r_kind",
)
pending = columns[1].checkbox("Pending only (not judged yet)", params.flag("pending", False), key="r_pending")
params.write({"kind": kind, "pending": pending}, {"pending": False})
queue = data.review(src, kind or None, pending)
st.caption(
    f"Judgements are appended to {md(judgements_file())} with who, when and why; {APPLY}, which re-derives "
    "the attributions, merges and local matches: until then the lists and figures here stay as they are. A later judgement "
    "of the same item replaces an earlier one."
)
if kind in ("", "attribution"):
    show_attributions(queue.get("attributions", []), queue["counts"].get("attributions", {}))
if kind in ("", "merge"):
    show_merges(queue.get("merges", []), queue["counts"].get("merges", {}))
if kind in ("", "local"):
    show_local_matches(queue.get("local_matches", []))
    show_local_vendors(queue.get("local_vendors", []))
judge(queue.get("attributions", []) + queue.get("merges", []) + queue.get("local_matches", []))
