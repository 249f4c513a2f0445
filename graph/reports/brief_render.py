"""The brief (`graph.reports.brief.assemble`) as Markdown, HTML or a one-page PDF, from one set of sentences and tables.

The answer comes first (one line), then the yearly chart with its gaps, the agencies, the top awards, renewals
and three sourced facts; sources and what the figures leave out go to the foot. Record text (names,
descriptions, keys) is never trusted: HTML escapes every piece, Markdown backslash-escapes every character that
could make markup, a link or HTML, the PDF replaces what its core font cannot encode; a permalink is a link only
when it is a USAspending address. Every figure goes through `core.wording`.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import NamedTuple

from core.wording import NO_FEDERAL_AWARDS, count, description, money, short_money, text, years
from graph.reports.brief import ended

FORMATS = ("md", "html", "pdf")
LINKABLE = re.compile(r"https://www\.usaspending\.gov/[^\s\"'<>()|\\`]*")
AWARDS = 10  # top awards in md and html (the PDF shows as many as fit)
DESCRIPTION = 90  # characters of a description in md and html (the PDF cuts to the column's width)
REGISTRATIONS = 3  # subsidiaries or registrations named in the identity line
IDS = 4  # UEIs or DUNS listed
SOURCES = 8  # source files listed
AGENCIES = 6  # agencies listed before "n more"
DATES = (
    "Start: the period-of-performance start where the record has one, else the first loaded action (marked). "
    "End: the current end of performance, else the potential end (marked)."
)


class Table(NamedTuple):
    title: str
    headers: tuple[str, ...]
    rows: list[list[str]]
    links: list[str | None]  # the link of each row's first cell, when it may be one
    more: str | None  # what was left out, e.g. "134 more awards not shown"
    note: str | None = None  # a line under the table (which date is which)


# -- words and figures every format shares ----------------------------------------------------------------
def compact(value: Decimal | None) -> str:
    """$4.80B, $20.33M: for reading at a glance (the exact figure is in the agency table)."""
    return short_money(value)


def link(url: str | None) -> str | None:
    """The permalink when it may be a link (a USAspending address), else None."""
    return url if url and LINKABLE.fullmatch(url) else None


def _listed(items: list[str], limit: int, sep: str = ", ") -> str:
    shown = sep.join(items[:limit]) or "none recorded"
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")


def _agency_word(agency: dict) -> str:
    return agency["abbreviation"] or agency["name"] or agency["code"] or "an agency not named"


def _by(brief: dict) -> str:
    names = [_agency_word(a) for a in brief["agencies"]]
    if len(names) <= 2:
        return " and ".join(names) or "no agency named"
    return f"{len(names)} agencies"


def headline(brief: dict) -> str:
    """The answer in one line: who, how much, from whom, in how many awards, over which years, and the gaps."""
    name, nothing = brief["name"], brief["nothing"]
    span = years(brief["fy_first"], brief["fy_last"]) if brief["yearly"] else "in award totals not split by year"
    if nothing == "no_awards":
        sector = brief.get("sector") or {}
        return (
            f"{name}: no federal awards of {sector['line'].split(' only;')[0]} in the loaded data"
            if sector.get("leaves_out")
            else f"{name}: {NO_FEDERAL_AWARDS}"
        )
    awards = count(brief["award_count"], "award")
    if nothing == "zero_modifications":
        return (
            f"{name}: $0 in the loaded actions ({awards} from {_by(brief)}, {span}): modifications only; "
            f"its obligations fall in years not loaded"
        )
    gaps = f" ({brief['coverage']['gaps']} not loaded)" if brief["coverage"]["gaps"] else ""
    if nothing == "zero_net":
        return f"{name}: {money(brief['total'])} in the loaded actions of {awards} from {_by(brief)}, {span}{gaps}"
    return f"{name}: {compact(brief['total'])} obligated by {_by(brief)} in {awards}, {span}{gaps}"


def sentences(brief: dict) -> dict[str, str]:
    """The brief's prose, once for every format."""
    coverage, store, through = brief["coverage"], brief["store"], brief["through_others"]
    registrations = [
        f"{s['name'] or s['id']} " + (compact(s["obligated"]) if s["awards"] else "(no federal award)")
        for s in brief["subsidiaries"]
    ]
    values = "; ".join(
        f"{v['label']} {money(v['amount'])}"
        + (f" ({count(v['reporting'], 'award')} reporting it)" if v["amount"] is not None else "")
        for v in brief["values"]
    )
    prime, sub = brief["subawards"]["as_prime"], brief["subawards"]["as_sub"]
    held = ", ".join(coverage["agencies"][:AGENCIES]) + (
        f" and {len(coverage['agencies']) - AGENCIES} more" if len(coverage["agencies"]) > AGENCIES else ""
    )
    rest = f" {money(brief['not_split'])} of the total is award totals not split by year." if brief["not_split"] else ""
    ids = f"UEI: {_listed(brief['ueis'], IDS)}. DUNS: {_listed(brief['duns'], IDS)}."
    extra = []
    if prime["count"] or sub["count"]:
        extra.append(
            "Subawards (the primes' reports, part of their obligations): "
            + "; ".join(
                part
                for part in (_subaward_line(prime, "prime", "to"), _subaward_line(sub, "subcontractor", "from"))
                if part
            )
            + "."
        )
    if through["actions"]:
        extra.append(
            f"Through other vendors ({through['label']}): {money(through['obligated'])} in "
            f"{count(through['actions'], 'action')} by {count(through['resellers'], 'reseller')}, not in "
            f"the total."
        )
    return {
        "headline": headline(brief),
        "identity": (
            f"{ended('Top parent: ' + brief['top_parent'])} Registrations: "
            f"{_listed(registrations, REGISTRATIONS, '; ')}. {ids}"
        ),
        "ids": f"{ended('Top parent: ' + brief['top_parent'])} {ids}",
        "technology": technology_line(brief),
        "chart": (
            f"Obligated by fiscal year (contract actions dated in the year).{rest} Coverage of "
            f"{', '.join(_agency_word(a) for a in brief['agencies'][:AGENCIES]) or 'the store'}: "
            f"{coverage['line']}."
        ),
        "no_awards": (
            f"{NO_FEDERAL_AWARDS[0].upper()}{NO_FEDERAL_AWARDS[1:]}: this store holds contract actions "
            f"awarded by {held or 'no agency'}, {coverage['line']}. The name may appear in local records "
            f"or in a name search."
        ),
        "renewals": _renewals_line(brief),
        "dates": DATES,
        "notes": ""
        if brief["nothing"] == "no_awards"
        else " ".join(ended(f"{note[0].upper()}{note[1:]}") for note in coverage["notes"]),
        "leaves_out": (
            f"Obligated is money committed (the {brief['basis']}). {brief['leaves_out']} Apart, never "
            f"added: {values}. {coverage['note']} {brief['caveats']}"
        ),
        "extra": " ".join(extra),
        "sources": (
            "Sources (award rows by file): "
            + _listed([f"{s['file']} ({s['awards']:,})" for s in brief["sources"]], SOURCES, "; ")
            + "."
        ),
        "generated": (
            f"Generated {brief['generated'][:10]} from the {store['kind']} store (last load "
            f"{(store['loaded_at'] or 'not reported')[:10]}); loaded: {held or 'no agency'}, "
            f"{years(coverage['fy_min'], coverage['fy_max'])}."
        ),
    }


def technology_line(brief: dict) -> str:
    """How much of its money from each agency is technology (the lens), by category; and the sector the brief's
    figures cover when it is not every purchase."""
    parts = []
    for row in brief.get("technology") or []:
        if row["technology"] is None:
            parts.append(f"none of its {compact(row['total'])} from {row['agency']}")
            continue
        share = (
            f" ({row['technology'] / row['total']:.0%})"
            if row["total"] and row["total"] > 0 and row["technology"] > 0
            else ""
        )
        split = ", ".join(f"{c['label']} {compact(c['obligated'])}" for c in row["by_category"])
        parts.append(
            f"{compact(row['technology'])} of its {compact(row['total'])} from {row['agency']}{share}: {split}"
        )
    line = (
        "Technology (surveillance and biometrics, data and analytics, cloud and hosting): " + "; ".join(parts) + "."
        if parts
        else ""
    )
    sector = brief.get("sector") or {}
    if sector.get("leaves_out"):
        line = f"Figures cover {sector['line']}. " + line
    return line


def _subaward_line(side: dict, role: str, others: str) -> str:
    if not side["count"]:
        return ""
    unreported = f", {side['not_reported']:,} without an amount" if side["not_reported"] else ""
    more = f" and {side['others']:,} more" if side["others"] else ""
    return (
        f"as {role}, {count(side['count'], 'subaward')}, {money(side['amount'])}{unreported} ({others} "
        f"{', '.join(side['parties'])}{more})"
    )


def _renewals_line(brief: dict) -> str:
    if brief["renewals"]:
        more = brief["renewal_total"] - len(brief["renewals"])
        return f"{more:,} more upcoming end dates not shown." if more > 0 else ""
    last = brief["last_end"]
    latest = (
        f" The latest reported end is {last['end']} ({last['piid'] or last['key']}, {last['agency'] or ''})."
        if last
        else ""
    )
    return (
        f"No award reports an end of performance after {brief['today']}: {brief['dated']:,} of "
        f"{count(brief['award_total'], 'award')} report an end date at all.{latest}"
    )


def when(day: str | None, kind: str | None, usual: str) -> str:
    """A date as a row prints it, marked when it is not the usual kind (first action, potential end)."""
    if not day:
        return f"not reported ({kind})" if kind else "not reported"
    return day if kind in (None, usual) else f"{day} ({kind})"


def tables(
    brief: dict,
    awards: int | None = None,
    renewals: int | None = None,
    limit: int = DESCRIPTION,
    agencies: int | None = None,
) -> list[Table]:
    """Money by agency, top awards and upcoming end dates: at most that many rows of each."""
    shown, ending, listed = brief["awards"][:awards], brief["renewals"][:renewals], brief["agencies"][:agencies]
    out = [
        Table(
            "Top agencies",
            ("Agency", "Obligated", "Awards"),
            [[_agency(a), money(a["obligated"]), f"{a['awards']:,}"] for a in listed]
            + [["Total", money(brief["total"]), f"{brief['award_count']:,}"]],
            [None] * (len(listed) + 1),
            _more(len(brief["agencies"]) - len(listed), "agencies"),
        ),
        Table(
            f"Top awards (of {brief['award_total']:,}, largest first)",
            ("Award", "Agency", "Description", "Obligated", "Start", "End"),
            [
                [
                    a["piid"] or a["key"],
                    a["agency"] or "",
                    description(a["description"], limit),
                    money(a["obligated"]),
                    when(a["start"], a["start_kind"], "start"),
                    when(a["end"], a["end_kind"], "current"),
                ]
                for a in shown
            ],
            [link(a["permalink"]) for a in shown],
            _more(brief["award_total"] - len(shown), "awards"),
            DATES,
        ),
    ]
    if ending:
        out.append(
            Table(
                "Renewals: upcoming end dates",
                ("End", "Award", "Agency", "Obligated", "Description"),
                [
                    [
                        when(a["end"], a["end_kind"], "current"),
                        a["piid"] or a["key"],
                        a["agency"] or "",
                        money(a["obligated"]),
                        description(a["description"], limit),
                    ]
                    for a in ending
                ],
                [None] * len(ending),
                _more(brief["renewal_total"] - len(ending), "upcoming end dates"),
            )
        )
    return out


def _agency(agency: dict) -> str:
    short = agency["abbreviation"] or agency["code"]
    return f"{agency['name']} ({short})" if short else text(agency["name"])


def _more(number: int, what: str) -> str | None:
    return f"{number:,} more {what} not shown" if number > 0 else None


def bar_label(row: dict) -> str:
    """What a chart prints over a year: its figure, or why there is none."""
    if row["obligated"] is not None:
        return compact(row["obligated"])
    return "not loaded" if row["status"] == "not_loaded" else "no action"


# -- Markdown ---------------------------------------------------------------------------------------------
_MARKUP = re.compile(r"([\\`*_{}\[\]()#!|~<>&])")


def md(value) -> str:
    """Record text as literal Markdown: every character that could start markup, a link (`[x](javascript:…)`),
    an autolink, an entity or raw HTML is backslash-escaped, spaces folded (a table cell stays one line)."""
    return _MARKUP.sub(r"\\\1", " ".join(str(value if value is not None else "").split()))


STATUS = {
    "as_loaded": "as loaded",
    "complete": "complete",
    "partial": "partial",
    "truncated": "truncated",
    "not_loaded": "not loaded",
}


def _md_chart(brief: dict) -> list[str]:
    rows = brief["chart"]
    top = max((abs(r["obligated"]) for r in rows if r["obligated"] is not None), default=0)
    lines = ["| Fiscal year | Obligated | | Coverage |", "|---|---|---|---|"]
    for row in rows:
        width = round(20 * abs(row["obligated"]) / top) if top and row["obligated"] else 0
        bar = "░" * 6 if row["status"] == "not_loaded" else "█" * width
        lines.append(
            f"| FY{row['fiscal_year']} | {md(bar_label(row))} | {bar} | {md(row['mark'] or STATUS.get(row['status'], row['status']))} |"
        )
    return lines


def markdown(brief: dict) -> str:
    said = sentences(brief)
    lines = [f"# {md(said['headline'])}", "", md(said["identity"]), ""]
    if said["technology"]:
        lines += [md(said["technology"]), ""]
    if (brief.get("vehicles") or {}).get(
        "line"
    ):  # contract vehicles (graph/questions/vehicles.py): open ceilings, not spending
        lines += [md(brief["vehicles"]["line"]), ""]
    if brief["nothing"] == "no_awards":
        lines += [md(said["no_awards"]), ""]
    else:
        lines += ["## Obligated by fiscal year", "", *_md_chart(brief), "", md(said["chart"]), ""]
        for table in tables(brief, AWARDS):
            lines += [
                f"## {md(table.title)}",
                "",
                "| " + " | ".join(table.headers) + " |",
                "|" + "---|" * len(table.headers),
            ]
            for row, url in zip(table.rows, table.links, strict=False):
                cells = [md(c) for c in row]
                if url:
                    cells[0] = f"[{cells[0]}]({url})"
                lines.append("| " + " | ".join(cells) + " |")
            lines += [""] + [md(ended(part)) for part in (table.more, table.note) if part] + [""]
        if not brief["renewals"]:
            lines += ["## Renewals: upcoming end dates", "", md(said["renewals"]), ""]
        lines += ["## Three facts", ""]
        for number, fact in enumerate(brief["facts"], start=1):
            url = link(fact["link"])
            lines.append(
                f"{number}. {md(fact['text'])} (source: {md(fact['source'])}"
                + (f", [USAspending]({url})" if url else "")
                + ")"
            )
        lines.append("")
    foot = [said[k] for k in ("notes", "leaves_out", "extra", "sources", "generated") if said[k]]
    return "\n".join(lines + ["---", ""] + [line for part in foot for line in (f"*{md(part)}*", "")])


# -- HTML -------------------------------------------------------------------------------------------------
STYLE = (
    "@page{size:A4 portrait;margin:12mm}body{font:10px/1.35 Helvetica,Arial,sans-serif;max-width:190mm;"
    "margin:auto}h1{font-size:15px;margin:0 0 4px}h2{font-size:12px;margin:8px 0 2px}table{border-collapse:"
    "collapse;width:100%}th,td{border-bottom:1px solid #ccc;padding:1px 3px;text-align:left;vertical-align:top}"
    "td.n{text-align:right;white-space:nowrap}p{margin:2px 0}.small{color:#555;font-size:9px}"
    "footer{border-top:1px solid #999;margin-top:8px;padding-top:3px}"
)


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def _svg_chart(brief: dict) -> str:
    """The yearly bars as inline SVG: numbers and our own labels only (no record text), gaps drawn and named."""
    rows = brief["chart"]
    width, height, base = 560, 150, 120
    step = width / max(len(rows), 1)
    top = max((abs(r["obligated"]) for r in rows if r["obligated"] is not None), default=0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="obligated by fiscal year">'
    ]
    for i, row in enumerate(rows):
        x = i * step + 3
        if row["status"] == "not_loaded":
            parts.append(
                f'<rect x="{x:.1f}" y="20" width="{step - 6:.1f}" height="{base - 20}" fill="#eee" '
                f'stroke="#999" stroke-dasharray="3,2"/>'
            )
        elif row["obligated"]:
            h = max(float(abs(row["obligated"]) / top) * (base - 30), 1)
            fill = "#9ab" if row["mark"] else "#357"
            parts.append(
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{step - 6:.1f}" height="{h:.1f}" fill="{fill}"/>'
            )
        parts.append(
            f'<text x="{x + (step - 6) / 2:.1f}" y="{base + 11}" font-size="9" text-anchor="middle">'
            f"FY{str(row['fiscal_year'])[-2:]}</text>"
        )
        if row["mark"]:
            parts.append(
                f'<text x="{x + (step - 6) / 2:.1f}" y="{base + 22}" font-size="7" fill="#a33" '
                f'text-anchor="middle">{_esc(row["mark"])}</text>'
            )
        parts.append(
            f'<text x="{x + (step - 6) / 2:.1f}" y="{base - 3 if row["status"] == "not_loaded" else 14}" '
            f'font-size="7" text-anchor="middle">{_esc(bar_label(row))}</text>'
        )
    return "".join(parts + ["</svg>"])


def html_page(brief: dict) -> str:
    said = sentences(brief)
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_esc(brief['name'])}: one-page brief</title><style>{STYLE}</style></head><body>",
        f"<h1>{_esc(said['headline'])}</h1>",
        f'<p class="small">{_esc(said["identity"])}</p>',
    ]
    if said["technology"]:
        parts.append(f"<p>{_esc(said['technology'])}</p>")
    if brief["nothing"] == "no_awards":
        parts.append(f"<p>{_esc(said['no_awards'])}</p>")
    else:
        parts += ["<h2>Obligated by fiscal year</h2>", _svg_chart(brief), f'<p class="small">{_esc(said["chart"])}</p>']
        for table in tables(brief, AWARDS):
            parts += [
                f"<h2>{_esc(table.title)}</h2><table><thead><tr>",
                "".join(f"<th>{_esc(h)}</th>" for h in table.headers),
                "</tr></thead><tbody>",
            ]
            for row, url in zip(table.rows, table.links, strict=False):
                cells = [_esc(c) for c in row]
                if url:
                    cells[0] = f'<a href="{_esc(url)}">{cells[0]}</a>'
                parts.append(
                    "<tr>"
                    + "".join(
                        f'<td class="n">{c}</td>' if c.startswith(("$", "-$")) else f"<td>{c}</td>" for c in cells
                    )
                    + "</tr>"
                )
            parts.append(
                "</tbody></table>"
                + "".join(f'<p class="small">{_esc(ended(p))}</p>' for p in (table.more, table.note) if p)
            )
        if not brief["renewals"]:
            parts += ["<h2>Renewals: upcoming end dates</h2>", f"<p>{_esc(said['renewals'])}</p>"]
        parts.append("<h2>Three facts</h2><ol>")
        for fact in brief["facts"]:
            url = link(fact["link"])
            parts.append(
                f'<li>{_esc(fact["text"])} <span class="small">(source: {_esc(fact["source"])}'
                + (f', <a href="{_esc(url)}">USAspending</a>' if url else "")
                + ")</span></li>"
            )
        parts.append("</ol>")
    parts.append(
        "<footer>"
        + "".join(
            f'<p class="small">{_esc(said[k])}</p>'
            for k in ("notes", "leaves_out", "extra", "sources", "generated")
            if said[k]
        )
        + "</footer>"
    )
    return "\n".join(parts + ["</body></html>", ""])


# -- PDF --------------------------------------------------------------------------------------------------
def pdf(brief: dict) -> bytes:
    """Exactly one A4 page (graph.reports.brief_pdf draws it)."""
    from graph.reports.brief_pdf import pdf as draw

    return draw(brief)


RENDER = {
    "md": lambda brief: markdown(brief).encode("utf-8"),
    "html": lambda brief: html_page(brief).encode("utf-8"),
    "pdf": pdf,
}


def render(brief: dict, fmt: str) -> bytes:
    """The brief in one of FORMATS, as the bytes a file holds."""
    return RENDER[fmt](brief)
