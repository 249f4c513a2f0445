"""The vendor profile's "Local customers": the local agencies whose records name the family's vendors, each cited."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pandas as pd
import streamlit as st

from core.wording import NOT_REPORTED, text
from dashboard import data
from dashboard.render import profile_links, sharing_network, tables
from dashboard.render.text import web_link


def section(src: tuple, family: dict) -> None:
    st.subheader("Local customers")
    customers = data.local_customers(src, family["id"])
    if not customers:
        st.caption("No local agency's deployment or contract names this family's vendors in the data loaded.")
        return
    st.caption(
        f"{len(customers):,} local agencies in {len({c['state'] for c in customers if c['state']}):,} states "
        f"use or contract with it (deployments and local contracts as their sources report them; counts such "
        f"as cameras are the sources' own, never money)."
    )
    tables.dataframe(
        "vendor-local-customers",
        pd.DataFrame(
            [
                {
                    "Agency": f"{sharing_network.profile_url(c['id'])}#{quote(c['name'], safe='')}",
                    "State": text(c["state"]),
                    "Count": text(None if c["count"] is None else f"{c['count']:,}"),
                    "Technologies": "; ".join(c["technologies"]) or NOT_REPORTED,
                    "Jurisdiction": text(c["jurisdiction"]),
                    "Source": "; ".join(f"{Path(x['source']).name} {x['record']}" for x in c["citations"][:3]),
                    "Portal page": web_link(c["citations"][0]["url"]) if c["citations"] else None,
                }
                for c in customers
            ]
        ),
        hide_index=True,
        width="stretch",
        height=320,
        column_config={
            "Agency": profile_links.column("Agency", width="medium"),
            "Count": st.column_config.TextColumn(
                "Count", help="what the source reports (cameras for Flock portals); not reported: no figure"
            ),
            "Portal page": st.column_config.LinkColumn("Portal page", display_text="open", width="small"),
        },
    )
