"""Targets: which of an agency's vendor families a campaign should press, in the technology lens by default.

The answer first, in one sentence; then the table (every component beside the score, the levers beside it and
never in it), each row's reason with its citations, the families whose dependence is not measured with the command
that fetches their profiles, the renewal calendar, and the same table as CSV and XLSX. The ranking itself is
graph/questions/targets.py, the one `python -m graph targets` prints.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard import data, params
from dashboard.render import profile_links, tables
from dashboard.render.tables import Column
from dashboard.render.text import md, record_link
from dashboard.shaping import targets
from dashboard.shaping import targets_export as export
from dashboard.shaping.exports import citation, where_from
from dashboard.view_filters import lens_switch, sector_picker
from graph.questions.targets import COMPONENTS, DEFAULT_WEIGHTS, OPTIONS_BASIS

WHY_SHOWN = 10

st.title("Targets")
src = data.require_data()
categories = sector_picker(("technology",), "The ranking")
agency_name = st.text_input(
    "Agency (ICE, CBP, DHS, a code…)", params.carried("agency", "agency"), key="t_agency"
).strip()
columns = st.columns(3)
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)  # the span of USAspending's records, with room for end dates
today = columns[0].date_input(
    "Today", params.day("today", date.today(), EARLIEST, LATEST), EARLIEST, LATEST, key="t_today"
)
months = columns[1].number_input(
    "Renewal window (months)", 1, 120, params.number("months", 12, int, 1, 120), key="t_months"
)
recent = columns[2].number_input(
    "Recent = the last N fiscal years", 1, 20, params.number("recent", 3, int, 1, 20), key="t_recent"
)
if not agency_name:
    st.info("Type an agency to rank its vendor families, e.g. ICE.")
    params.write({"agency": agency_name}, {})
    st.stop()
try:
    data.find_agency(src, agency_name)
except (data.NotFound, data.Ambiguous) as error:
    data.lookup_error(error)
    st.stop()
params.remember("agency", agency_name)

with st.expander("Weights (relative; 0 switches a component off)"):
    weight_columns = st.columns(len(DEFAULT_WEIGHTS))
    weights = {
        name: weight_columns[i].number_input(
            name,
            0.0,
            10.0,
            params.number(f"w_{name}", default, float, 0.0, 10.0),
            step=0.25,
            key=f"t_w_{name}",
            help=COMPONENTS[name],
        )
        for i, (name, default) in enumerate(DEFAULT_WEIGHTS.items())
    }
params.write(
    {
        "agency": agency_name,
        "today": today.isoformat(),
        "months": months,
        "recent": recent,
        **{f"w_{k}": v for k, v in weights.items()},
    },
    {"today": date.today().isoformat(), "months": 12, "recent": 3, **{f"w_{k}": v for k, v in DEFAULT_WEIGHTS.items()}},
)

answer = data.target_ranking(
    src, agency_name, categories, today.isoformat(), tuple(weights.items()), int(months), int(recent)
)
ranking = answer["families"]
st.markdown(f"**{targets.answer_line(answer)}**")
lens_switch(categories)

table_columns = targets.columns(int(months))
tables.show(targets.table_rows(answer), table_columns, key="targets-ranking")
st.caption(
    md(
        f"Score: {answer['score_basis']}. "
        + "; ".join(f"{name} (weight {answer['weights'][name]:g}): {text}" for name, text in COMPONENTS.items())
        + f". Recent = FY{answer['recent_years'][0]}–FY{answer['recent_years'][1]}. Obligated: "
        f"{answer['bases']['obligated']}. Through resellers: {answer['bases']['through_resellers']}. "
        f"Levers: {answer['bases']['levers']}. Vehicles: {answer['bases']['vehicles']}."
    )
)

rows, headers = export.ranking_rows(answer)
settings = (src, agency_name, categories, today.isoformat(), int(months), int(recent), tuple(weights.items()))
buttons = st.columns(2)
buttons[0].download_button(
    "Ranking, the page's columns (CSV)", export.to_csv(rows, headers), "targets.csv", "text/csv", key="t_csv"
)


def workbook() -> bytes:
    """Built when the button is clicked: the ranking, the renewal calendar and the settings."""
    due = data.target_calendar(*settings[:5])
    return export.to_xlsx(
        {
            "targets": (rows, headers),
            "renewal calendar": (export.calendar_lines(due), export.CALENDAR_COLUMNS),
            "about": (export.about_rows(answer), ("item", "value")),
        }
    )


buttons[1].download_button(
    "Ranking, calendar and settings (XLSX)",
    workbook,
    "targets.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="t_xlsx",
)

if ranking:
    st.subheader("Why each ranks where it does")
    st.markdown("\n".join(targets.why_line(r) for r in ranking[:WHY_SHOWN]))
    if len(ranking) > WHY_SHOWN:
        st.caption(
            f"The other {len(ranking) - WHY_SHOWN:,} sentences are in the table's `why` column and the "
            "downloads; its `citations` column holds each family's largest awards, the resellers' awards behind its "
            "sales through resellers and its vehicles."
        )

lacking = answer["lacking_profile"]
st.subheader(f"Dependence not measured: {len(lacking):,} of {len(ranking):,} families have no recipient profile")
if lacking:
    shown = ", ".join(f"{r['name']} ({r['rank']})" for r in lacking[:20])
    more = f" and {len(lacking) - 20:,} more" if len(lacking) > 20 else ""
    st.caption(
        md(
            f'Their dependence column says "not measured" and leaves their score (its weight renormalized '
            f"over the other components). Without a profile: {shown}{more}. This command fetches the first "
            "20 (USAspending recipient profiles; then reload the page):"
        )
    )
    st.code(answer["fetch_profiles"], language="bash", wrap_lines=True)
else:
    st.caption("Every ranked family's dependence is measured on its members' USAspending recipient profiles.")

due = data.target_calendar(*settings[:5])
link = profile_links.vendor_url
st.subheader(f"Renewal calendar: {len(due):,} awards whose next decision falls by {answer['window_end']}")
st.caption(
    f"{answer['awards_undated']:,} of {answer['awards_counted']:,} awards report no end date; they cannot be "
    "placed on the calendar. An award is placed by the earliest of its current end date and its potential end "
    f"date that falls in the window (the column says which). Unexercised options = {OPTIONS_BASIS}. "
    f"Renewal pressure = {answer['bases']['renewal_pressure']}, weighted 1 today falling to 0 at the window's "
    "end."
)
if due:
    tables.show(
        [
            {
                **r["award"],
                "date": r["date"],
                "placed by": r["field"],
                "family": link(r["family_id"], r["family"]),
                "options": r["options"],
                "stake": r["stake"],
                "pressure": r["pressure"],
                "permalink": record_link(r["award"].get("permalink")),
                "source": where_from(r["award"]),
                "citation": citation(r["award"]),
            }
            for r in due
        ],
        [
            Column("date", "date", pinned=True, width="small"),
            Column("family", "family", "profile", True, "medium"),
            Column("stake", "current value ($)", "money", width="small"),
            Column("pressure", "pressure ($)", "money", width="small"),
            Column("options", "unexercised options ($)", "money", missing="not reported (a value missing)"),
            Column("placed by", "placed by"),
            Column("permalink", "permalink", "link"),
            Column("piid", "piid"),
            Column("end_date", "current end", missing="none reported"),
            Column("potential_end_date", "potential end", missing="none reported"),
            Column("potential_value", "potential value ($)", "money"),
            Column("obligated", "obligated ($)", "money"),
            Column("source", "source"),
            Column("citation", "citation", width="large"),
        ],
        key="targets-calendar",
    )
