"""Sources: what was loaded, when, from where, with row counts and rejects; and the data's caveats."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from core.coverage import AS_LOADED, COMPLETE, PARTIAL, TRUNCATED
from core.curated import WATCHLIST_FILE, load_watchlist
from dashboard import data
from dashboard.render import tables
from dashboard.render.tables import Column
from dashboard.render.text import md, record_link
from dashboard.shaping.exports import where_from
from dashboard.view_filters import sector_picker

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
- The bundled data (`make load`) keeps **every** record of its source files, filtered by nothing (see
  `data/sample/README.md`). The source files themselves are not whole: the FY2013–18 files are Torn Apart's subset
  of ICE's awards, FY2019–20 are not in them at all, and three agency-years of the FY2021–26 exports stop before
  their negative rows. The grid above says which, year by year.
"""

st.title("Sources")
sector_picker(("all",), "")
kind = data.store_kind()
runs = data.runs()
if not runs:
    st.warning("Nothing has been loaded into this store yet. Run `make load` (the bundled sample).")
else:
    st.write(f"{len(runs)} load(s) into the {kind} store.")
    table = pd.DataFrame(
        [
            {
                "loaded at": run.get("loaded_at"),
                "command": run.get("command"),
                "inputs": "\n".join(Path(p).name if "://" not in p else p for p in run.get("inputs", [])),
                "rows read": run.get("rows_read"),
                "rows loaded": run.get("rows_loaded"),
                "rows rejected": run.get("rows_rejected"),
                "awards": run.get("awards"),
                "vendors": run.get("vendors"),
                "agencies": run.get("agencies"),
                "rejects file": run.get("rejects_file") or "",
            }
            for run in runs
        ]
    )
    tables.dataframe("sources-loads", table, hide_index=True, width="stretch")
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
    st.caption(
        f"New awards and modifications, changed amounts and end dates, new vendors and vendor–agency pairs, and "
        f"actions withdrawn by a delta file, that the loads since then brought, for each entry of `{WATCHLIST_FILE.name}` (edit the file to change "
        f"the list). Worked out by comparing the figures before and after each load: loading the same file "
        f"again changes nothing. `python -m graph changes --since {since}` lists them all."
    )
    rows, quiet, missing = [], [], []
    for entry in entries:
        try:
            answer = data.changes(
                src,
                since.isoformat(),
                entry["name"] if entry["kind"] == "vendor" else None,
                entry["name"] if entry["kind"] == "agency" else None,
                WATCH_ROWS,
            )
        except (data.NotFound, data.Ambiguous) as error:
            missing.append(f"{entry['name']} ({error})")
            continue
        if not answer["count"]:
            quiet.append(entry["name"])
        for change in answer["changes"]:
            rows.append(
                {
                    "watching": entry["name"],
                    "loaded at": change["loaded_at"],
                    "change": change["change"],
                    "vendor": (change["vendor"] or {}).get("name"),
                    "agency": (change["agency"] or {}).get("name"),
                    "field": change["field"],
                    "before": change["before"],
                    "after": change["after"],
                    "award": change["award_key"],
                    "record": where_from(change),
                    "permalink": record_link(change["permalink"]),
                }
            )
    if rows:
        tables.show(
            rows,
            [
                Column("watching", "Watching", pinned=True, width="medium"),
                Column("change", "Change"),
                Column("vendor", "Vendor", width="medium", missing="no vendor named"),
                Column("agency", "Agency", width="medium", missing="no agency named"),
                Column("field", "Field"),
                Column("before", "Before", missing="none before"),
                Column("after", "After", missing="none after"),
                Column("loaded at", "Loaded at"),
                Column("award", "Award", missing="no award"),
                Column("permalink", "USAspending page", "link"),
                Column("record", "Source file and line"),
            ],
            key="watch-changes",
        )
    if quiet:
        st.write(f"No change since {since} for: " + ", ".join(quiet) + ".")
    if missing:
        st.caption("Not matched in this store: " + "; ".join(missing))


def coverage_grid(src: tuple) -> None:
    """Agency x fiscal year: what each loaded year holds, from the loads' declarations and the actions' sources."""
    grid = data.coverage(src)
    st.subheader("What each agency-year holds")
    if not grid["cells"]:
        st.info("No contract action is loaded yet, so no year is covered.")
        return
    st.markdown(f"**{md(grid['line'])}.**")
    first, last = grid["span"]
    short = {COMPLETE: "complete", AS_LOADED: "as loaded", PARTIAL: "partial", TRUNCATED: "truncated"}
    agencies = sorted({(c["abbreviation"] or c["name"], c["agency"]) for c in grid["cells"]})
    status = {(c["agency"], c["fiscal_year"]): short[c["status"]] for c in grid["cells"]}
    table = pd.DataFrame(
        [
            {"agency": name, **{f"FY{y % 100:02d}": status.get((aid, y), "not loaded") for y in range(first, last + 1)}}
            for name, aid in agencies
        ]
    )
    colours = {
        "complete": "#d7ead9",
        "as loaded": "#e8f0f8",
        "partial": "#fdf0d5",
        "truncated": "#f6d2c4",
        "not loaded": "#eeeeee",
    }
    tables.dataframe(
        "coverage-grid",
        table.style.map(lambda value: f"background-color: {colours.get(value, 'white')}"),
        hide_index=True,
        width="stretch",
        column_config={
            "agency": st.column_config.TextColumn("Agency", pinned=True),
            **{
                f"FY{y % 100:02d}": st.column_config.TextColumn(f"FY{y}", width="small") for y in range(first, last + 1)
            },
        },
    )
    st.caption(
        "complete: a download or search this project made of the whole agency-year; as loaded: the file's "
        "own selection, completeness not established; partial: a known subset (or a file whose load declared "
        "nothing); truncated: the rows stop before the year's de-obligations, so its totals include none; not "
        "loaded: no action of that year is held (a gap, never a drop). A load declares what it covers with "
        "`--covers AGENCY:FY-FY` or `--coverage FILE`."
    )
    with st.expander("Each agency-year with its sources and the declaration behind its status"):
        tables.show(
            [{**c, "sources": "; ".join(c["sources"])} for c in grid["cells"]],
            [
                Column("name", "Agency", pinned=True, width="medium"),
                Column("fiscal_year", "Fiscal year"),
                Column("label", "Status", width="large"),
                Column("actions", "Actions held", "count"),
                Column("sources", "Source files", width="large"),
            ],
            key="coverage-cells",
        )


counts = data.stats(data.source())
if runs:
    coverage_grid(data.source())
    watch_list(data.source())
st.subheader("What the store holds")
tables.dataframe(
    "store-counts",
    pd.DataFrame(
        [{"label": k, "count": v} for k, v in counts["nodes"].items()]
        + [{"label": f"-[{k}]->", "count": v} for k, v in counts["relationships"].items()]
    ),
    hide_index=True,
)
st.subheader("Caveats")
st.markdown(CAVEATS)
st.caption("The records are USAspending.gov / FPDS data, works of the U.S. Government in the public domain.")
if st.button("Reload the store (after a new load)"):
    data.reload()
    st.rerun()
