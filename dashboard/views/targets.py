"""Targets: which of an agency's vendor families to press, with every part of the score shown, weighted and said
in a sentence, the renewal calendar, and the table with its citations as CSV and XLSX."""
from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard import data, params, profile_links, tables, targets
from dashboard import targets_export as export
from dashboard.exports import citation, where_from
from dashboard.tables import Column
from dashboard.text import record_link, md

st.title("Targets")
src = data.require_data()
agency_name = st.text_input("Agency (ICE, CBP, DHS, a code…)", params.carried("agency", "agency"), key="t_agency").strip()
columns = st.columns(3)
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)  # the span of USAspending's records, with room for end dates
today = columns[0].date_input("Today", params.day("today", date.today(), EARLIEST, LATEST), EARLIEST, LATEST,
                              key="t_today")
months = columns[1].number_input("Renewal window (months)", 1, 120, params.number("months", 12, int, 1, 120),
                                 key="t_months")
recent = columns[2].number_input("Recent = the last N fiscal years", 1, 20, params.number("recent", 3, int, 1, 20),
                                 key="t_recent")
if not agency_name:
    st.info("Type an agency to rank its vendor families, e.g. ICE.")
    params.write({"agency": agency_name}, {})
    st.stop()
try:
    agency = data.find_agency(src, agency_name)
except (data.NotFound, data.Ambiguous) as error:
    data.lookup_error(error)
    st.stop()
params.remember("agency", agency_name)

inputs = data.target_inputs(src, agency_name, today.isoformat())
ends = inputs["ends"]  # the awards still open: renewals, options
vendor_ids, families, federal = inputs["vendor_ids"], inputs["families"], inputs["federal"]
facets = data.facets(src)
coverage = data.loaded_coverage(src)
last_year = min(targets.fiscal_year(today), facets["fy_max"]) if facets.get("fy_max") else targets.fiscal_year(today)
short = agency.get("abbreviation") or agency["name"]
profiled = sum(1 for vid in vendor_ids if vid in federal)
measure = ("dependence" if profiled and profiled == len(set(federal) | set(vendor_ids)) else
           targets.STORE_SHARE if not profiled else f"dependence where profiled, else {targets.STORE_SHARE}")

with st.expander("Weights (relative; 0 switches a component off)", expanded=True):
    weight_columns = st.columns(len(targets.COMPONENTS))
    weights = {name: weight_columns[i].number_input(
        measure if name == "dependence" else name, 0.0, 10.0, params.number(f"w_{name}", default, float, 0.0, 10.0),
        step=0.25, key=f"t_w_{name}", help=targets.COMPONENTS[name])
        for i, (name, default) in enumerate(targets.DEFAULT_WEIGHTS.items())}
params.write({"agency": agency_name, "today": today.isoformat(), "months": months, "recent": recent,
              **{f"w_{k}": v for k, v in weights.items()}},
             {"today": date.today().isoformat(), "months": 12, "recent": 3,
              **{f"w_{k}": v for k, v in targets.DEFAULT_WEIGHTS.items()}})

ranking = data.target_ranking(src, agency_name, today.isoformat(), tuple(weights.items()), int(months),
                              int(recent), last_year, short)
first_recent = last_year - int(recent) + 1
loaded = ", ".join(f"{a['name'] or a['id']} ({a['code'] or '?'})" for a in coverage["agencies"][:6])
if len(coverage["agencies"]) > 6:
    loaded += f" and {len(coverage['agencies']) - 6} other sub-agencies"
span = (f"FY{coverage['fy_min']}–FY{coverage['fy_max']}" if coverage.get("fy_min") else "no dated action")
st.header(md(f"{agency['name']}: {len(ranking):,} vendor families ranked"))
if not profiled:
    st.warning(md(f"No USAspending recipient profile is loaded, so the column is the {targets.STORE_SHARE} — not "
                  f"dependence. This store holds the contract actions awarded by {loaded or 'no agency'} in {span}; "
                  "a vendor's business with every other agency is missing, so the share overstates how much it "
                  "depends on this one. Run `python -m ingest usaspending-recipients` to load the vendors' federal "
                  "totals."))
elif measure != "dependence":
    st.info(md(f"Recipient profiles are loaded for {profiled:,} of {len(vendor_ids):,} vendors: their families' "
               f"dependence is measured on them; the others show the {targets.STORE_SHARE} ({loaded}, {span})."))
st.caption(md("; ".join(f"{name}: {text}" for name, text in targets.COMPONENTS.items())
              + f". Recent = fiscal years {first_recent}–{last_year}. Families are the vendors' families now; money "
              "is the sum of the agency's contract actions to the members (and award totals not split by year, counted "
              "as earlier). Each component is scaled to 0–1; the score is their weighted mean."))

link = profile_links.vendor_url
# the score and its parts right after the name, then the money: what a ranking is read by stays in view
score_columns = [Column("rank", "rank", "count", True, "small"), Column("family", "family", "profile", True, "medium"),
                 Column("score", "score", "score", width="small"),
                 *(Column(f"{name}_part", f"{measure} (0–1)" if name == "dependence" else f"{name} (0–1)", "score",
                          width="small") for name in targets.COMPONENTS),
                 Column("money", "obligated from agency ($)", "money"), Column("why", "why", width="large"),
                 Column("member_names", "members", width="large"),
                 *([Column("dependence", "dependence", "score", missing="not measured (no profile)")] if profiled else []),
                 Column("store_share", targets.STORE_SHARE, "score", missing="no money in this store"),
                 Column("dependence_basis", "measured on"),
                 Column("federal_total", "federal total, profile years ($)", "money", missing="no profile loaded"),
                 Column("graph_total", "family's total in this store ($)", "money"),
                 Column("recent_money", "recent ($)", "money"), Column("earlier_money", "earlier ($)", "money"),
                 Column("contracts", "contracts", "count"), Column("renewals", f"ending within {months} months", "count"),
                 Column("options", "unexercised options ($)", "money", missing="no open option reported"),
                 Column("id", "id")]
tables.show([{**r, "family": link(r["id"], r["name"]), "member_names": "; ".join(m["name"] or m["id"] for m in r["members"])}
             for r in ranking], score_columns, key="targets-ranking")
if ranking:
    st.subheader("Why each ranks where it does")
    st.markdown("\n".join(f"- {md(r['why'])}" for r in ranking[:10]))
    if len(ranking) > 10:
        st.caption(f"The other {len(ranking) - 10:,} sentences are in the table's `why` column and the exports.")

due = targets.calendar_rows(ends["dated"], families, today, int(months))
until = targets.add_months(today, int(months))
calendar = export.calendar_lines(due)
about = [{"item": k, "value": v} for k, v in (
    ("agency", agency["name"]), ("today", today.isoformat()), ("renewal window (months)", int(months)),
    ("recent fiscal years", f"{first_recent}–{last_year}"), ("dependence column", measure),
    ("store holds", f"{loaded}; {span}"), ("unexercised options", targets.OPTIONS_BASIS),
    ("awards without an end date", f"{ends['undated']:,} of {ends['award_count']:,}"),
    *((f"weight: {k}", v) for k, v in weights.items()))]
# the downloads cite every award of the agency (hundreds of thousands on a big store): built when asked, for these
# settings only, so the page itself never lists them
settings = (src, agency["id"], today.isoformat(), int(months), int(recent), tuple(sorted(weights.items())))
buttons = st.columns(4)
if buttons[0].button("Prepare the downloads (CSV and XLSX, with citations)", key="t_prepare"):
    behind = export.awards_by_family(data.agency_awards(src, agency_name), families)
    rows = export.ranking_rows(ranking, measure, int(months), behind)
    lines = export.award_lines(ranking, behind)
    st.session_state["t_downloads"] = (settings, export.to_csv(rows),
                                       export.to_csv(lines, export.AWARD_LINE_COLUMNS), export.to_xlsx({
        "targets": (rows, None), "awards": (lines, export.AWARD_LINE_COLUMNS),
        "renewal calendar": (calendar, export.CALENDAR_COLUMNS), "about": (about, ("item", "value"))}))
prepared = st.session_state.get("t_downloads")
if prepared and prepared[0] == settings:
    buttons[1].download_button("Ranking with citations (CSV)", prepared[1], "targets.csv", "text/csv", key="t_csv")
    buttons[2].download_button("Awards behind the ranking (CSV)", prepared[2], "targets-awards.csv", "text/csv",
                               key="t_awards_csv")
    buttons[3].download_button("Ranking, awards and calendar (XLSX)", prepared[3], "targets.xlsx",
                               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="t_xlsx")

st.subheader(f"Renewal calendar: {len(due):,} awards whose current or potential end date falls by {until.isoformat()}")
st.caption(f"{ends['undated']:,} of {ends['award_count']:,} awards report no end date; they cannot be placed on the "
           "calendar. An award is placed by the earliest of its current end date and its potential end date that "
           f"falls in the window (the column says which). Unexercised options = {targets.OPTIONS_BASIS}; empty when "
           "either value is not reported.")
if due:
    tables.show([{**r["award"], "date": r["date"], "placed by": r["field"], "family": link(r["family_id"], r["family"]),
                  "options": r["options"], "permalink": record_link(r["award"].get("permalink")),
                  "source": where_from(r["award"]), "citation": citation(r["award"])} for r in due],
                [Column("date", "date", pinned=True, width="small"), Column("family", "family", "profile", True, "medium"),
                 Column("options", "unexercised options ($)", "money", True, missing="not reported (a value missing)"),
                 Column("placed by", "placed by"), Column("permalink", "permalink", "link", True),
                 Column("piid", "piid"), Column("end_date", "current end", missing="none reported"),
                 Column("potential_end_date", "potential end", missing="none reported"),
                 Column("current_value", "current value ($)", "money"),
                 Column("potential_value", "potential value ($)", "money"), Column("obligated", "obligated ($)", "money"),
                 Column("source", "source"), Column("citation", "citation", width="large")], key="targets-calendar")
