"""Targets: which of an agency's vendors to press, with every part of the score shown and weighted."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import data, exports, params, targets
from dashboard.network import money
from dashboard.text import md

st.title("Targets")
src = data.require_data()
agency_name = st.text_input("Agency (ICE, CBP, DHS, a code…)", params.text("agency"), key="t_agency").strip()
columns = st.columns(3)
try:
    default_today = date.fromisoformat(params.text("today"))
except ValueError:
    default_today = date.today()
today = columns[0].date_input("Today", default_today, key="t_today")
months = columns[1].number_input("Renewal window (months)", 1, 120, params.number("months", 12), key="t_months")
recent = columns[2].number_input("Recent = the last N fiscal years", 1, 20, params.number("recent", 3), key="t_recent")
with st.expander("Weights (relative; 0 switches a component off)", expanded=True):
    weight_columns = st.columns(len(targets.COMPONENTS))
    weights = {name: weight_columns[i].number_input(name, 0.0, 10.0, params.number(f"w_{name}", default, float),
                                                    step=0.25, key=f"t_w_{name}", help=targets.COMPONENTS[name])
               for i, (name, default) in enumerate(targets.DEFAULT_WEIGHTS.items())}
params.write({"agency": agency_name, "today": today.isoformat(), "months": months, "recent": recent,
              **{f"w_{k}": v for k, v in weights.items()}},
             {"today": date.today().isoformat(), "months": 12, "recent": 3,
              **{f"w_{k}": v for k, v in targets.DEFAULT_WEIGHTS.items()}})
if not agency_name:
    st.info("Type an agency to rank its vendors, e.g. ICE.")
    st.stop()
try:
    agency = data.find_agency(src, agency_name)
except (data.NotFound, data.Ambiguous) as error:
    data.lookup_error(error)
    st.stop()

until = targets.add_months(today, int(months))
due = data.agency_renewals(src, agency_name, today.isoformat(), until.isoformat())  # soonest first
money_rows = data.agency_money(src, agency_name)
vendor_ids = tuple(sorted({g["recipient"] for g in money_rows}))
totals = data.vendor_totals(src, vendor_ids)
federal = data.federal_totals(src, vendor_ids)
ranking = targets.rank(money_rows, due, totals, weights, today, int(months), int(recent), federal)
st.header(md(f"{agency['name']}: {len(ranking):,} vendors ranked"))
st.caption("; ".join(f"{name}: {text}" for name, text in targets.COMPONENTS.items())
           + f". Recent = fiscal years {targets.fiscal_year(today) - int(recent) + 1}–{targets.fiscal_year(today)}. "
           "Each component is scaled to 0–1; the score is their weighted mean. Money is the sum of the contract "
           "actions (and award totals not split by year, counted as earlier). "
           + (f"Dependence is measured against USAspending recipient profiles for {len(federal):,} of these vendors "
              "(their obligations from every agency in the same fiscal years; `python -m ingest usaspending-recipients`);"
              " the others against the money this graph holds, which overstates it when only one agency is loaded."
              if federal else "No recipient profile is loaded, so dependence is the share of the money this graph "
              "holds (run `python -m ingest usaspending-recipients` to measure it against all federal money)."))
table = pd.DataFrame([{
    "rank": i, "vendor": r["name"], "score": r["score"],
    **{f"{name} (0–1)": r[f"{name}_part"] for name in targets.COMPONENTS},
    "obligated from agency ($)": r["money"], "vendor's total in graph ($)": r["graph_total"],
    "federal total, profile years ($)": r["federal_total"], "dependence measured on": r["dependence_basis"],
    "recent ($)": r["recent_money"], "earlier ($)": r["earlier_money"], "contracts": r["contracts"],
    f"ending within {months} months": r["renewals"], "id": r["id"],
} for i, r in enumerate(ranking, start=1)])
st.dataframe(table, hide_index=True, width="stretch")
st.download_button("Ranking (CSV)", table.to_csv(index=False).encode("utf-8"), "targets.csv", "text/csv")

st.subheader(f"Renewal calendar: {len(due):,} awards whose period of performance ends by {until.isoformat()}")
st.caption("End = the award's current end date, else its potential end date (summary files report them; "
           "transaction exports often do not).")
if due:
    st.dataframe(pd.DataFrame([{"ends": targets.period_end(a), "vendor": (a.get("vendor") or {}).get("name"),
                                "piid": a.get("piid"), "obligated": money(a.get("obligated")),
                                "potential end": a.get("potential_end_date"), "permalink": a.get("permalink"),
                                "citation": exports.citation(a)} for a in due]),
                 hide_index=True, width="stretch", column_config={"permalink": st.column_config.LinkColumn("permalink")})
