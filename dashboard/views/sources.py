"""Sources: what was loaded, when, from where, with row counts and rejects; and the data's caveats."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from core.curated import WATCHLIST_FILE, load_watchlist
from dashboard import data
from dashboard.exports import where_from
from dashboard.text import record_link

WATCH_ROWS = 200  # changes listed per watched vendor or agency (the count says how many there are)

CAVEATS = """
- **Obligated is not value.** *Obligated* is money committed; *current value* (base + exercised options) and
  *potential value* (base + all options) are ceilings. They are shown apart and never added together.
- Every obligated figure is a sum of contract actions, each in the fiscal year of its own date. An award
  known only from its summary counts as one "award total, not split by year", shown apart from the yearly bars.
- A total whose basis reads "sum of N action(s) loaded" only counts the actions in the files loaded
  (the 2013–2018 files keep one action per award per fiscal year, so those sums are partial); an award
  summary's total is the complete figure.
- A vendor is in one family at a time: the parent its records report as of each action's date (or the
  curated table), so no money is counted in two families. Current and potential values no award reports
  are shown as "not reported", never as $0.
- **Parents are self-reported** by recipients to SAM.gov and change over time; curated parent links
  (`basis: curated`) cite their source in `data/vendor_families.csv`.
- **Name-only matches** (search exports carry no UEI/DUNS) are marked low confidence.
- Agencies are joined on their codes; their names differ between file types.
- Records are a snapshot of the day they were downloaded (*retrieved*); USAspending revises past records.
- The bundled sample keeps watch-list vendors only: its totals are totals **of the sample**, not of all
  spending of an agency.
"""

st.title("Sources")
kind = data.store_kind()
runs = data.runs()
if not runs:
    st.warning("Nothing has been loaded into this store yet. Run `make load` (the bundled sample).")
else:
    st.write(f"{len(runs)} load(s) into the {kind} store.")
    table = pd.DataFrame([{
        "loaded at": run.get("loaded_at"), "command": run.get("command"),
        "inputs": "\n".join(Path(p).name if "://" not in p else p for p in run.get("inputs", [])),
        "rows read": run.get("rows_read"), "rows loaded": run.get("rows_loaded"),
        "rows rejected": run.get("rows_rejected"), "awards": run.get("awards"), "vendors": run.get("vendors"),
        "agencies": run.get("agencies"), "rejects file": run.get("rejects_file") or "",
    } for run in runs])
    st.dataframe(table, hide_index=True, width="stretch")
    with st.expander("Full inputs of each load"):
        for run in runs:
            st.text(f"{run.get('loaded_at')}  {run.get('command')}")
            for path in run.get("inputs", []):
                st.text(f"    {path}")


def watch_list(src: tuple) -> None:
    """The latest changes for each vendor and agency in data/watchlist.csv."""
    st.subheader("Watch list: what changed")
    try:
        entries = load_watchlist()
    except (OSError, ValueError) as error:
        st.error(f"The watch list cannot be read: {error}")
        return
    since = st.date_input("Loaded since", value=dt.date.today() - dt.timedelta(days=30), key="watch_since")
    st.caption(f"New awards and modifications, changed amounts and end dates, new vendors and vendor–agency pairs "
               f"that the loads since then brought, for each entry of `{WATCHLIST_FILE.name}` (edit the file to change "
               f"the list). Worked out by comparing the figures before and after each load: loading the same file "
               f"again changes nothing. `python -m graph changes --since {since}` lists them all.")
    rows, quiet, missing = [], [], []
    for entry in entries:
        try:
            answer = data.changes(src, since.isoformat(), entry["name"] if entry["kind"] == "vendor" else None,
                                  entry["name"] if entry["kind"] == "agency" else None, WATCH_ROWS)
        except (data.NotFound, data.Ambiguous) as error:
            missing.append(f"{entry['name']} ({error})")
            continue
        if not answer["count"]:
            quiet.append(entry["name"])
        for change in answer["changes"]:
            rows.append({"watching": entry["name"], "loaded at": change["loaded_at"], "change": change["change"],
                         "vendor": (change["vendor"] or {}).get("name"), "agency": (change["agency"] or {}).get("name"),
                         "field": change["field"], "before": change["before"], "after": change["after"],
                         "award": change["award_key"], "record": where_from(change),
                         "permalink": record_link(change["permalink"])})
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                     column_config={"permalink": st.column_config.LinkColumn("permalink")})
    if quiet:
        st.write(f"No change since {since} for: " + ", ".join(quiet) + ".")
    if missing:
        st.caption("Not matched in this store: " + "; ".join(missing))


counts = data.stats(data.source())
if runs:
    watch_list(data.source())
st.subheader("What the store holds")
st.dataframe(pd.DataFrame([{"label": k, "count": v} for k, v in counts["nodes"].items()]
                          + [{"label": f"-[{k}]->", "count": v} for k, v in counts["relationships"].items()]),
             hide_index=True)
st.subheader("Caveats")
st.markdown(CAVEATS)
st.caption("The records are USAspending.gov / FPDS data, works of the U.S. Government in the public domain.")
if st.button("Reload the store (after a new load)"):
    data.reload()
    st.rerun()
