"""The brief (`graph.brief.assemble`) as Markdown, HTML or a one-page PDF, from one set of sentences and tables.

Record text (names, descriptions, keys) is never trusted: HTML escapes every piece, Markdown escapes `|` in
tables, the PDF replaces what its core font cannot encode; a permalink is a link only when it is a
USAspending address. Exact figures are the brief's Decimals; compact forms ($4.80B) only sit beside them.
"""
from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import NamedTuple

from core.wording import money, short_money

FORMATS = ("md", "html", "pdf")
LINKABLE = re.compile(r"https://www\.usaspending\.gov/[^\s\"'<>()|\\`]*")
ELLIPSIS = "…"
DESCRIPTION = 110  # characters of a description in md and html (the PDF cuts to the column's width)
SUBSIDIARIES = 8
IDS = 12  # UEIs or DUNS listed
SOURCES = 24  # source files listed


class Table(NamedTuple):
    title: str
    headers: tuple[str, ...]
    rows: list[list[str]]
    links: list[str | None]  # the link of each row's first cell, when it may be one
    more: str | None  # what was left out, e.g. "134 more awards not shown"
    main: int  # columns on the row's first line; the rest go on a second line in the PDF


# -- words and figures every format shares ----------------------------------------------------------------
def compact(value: Decimal | None) -> str:
    """$4.80B, $20.33M, $8.89k: for reading at a glance, always beside the exact figure."""
    return short_money(value, missing_text="")


def link(url: str | None) -> str | None:
    """The permalink when it may be a link (a USAspending address), else None."""
    return url if url and LINKABLE.fullmatch(url) else None


def clip(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + ELLIPSIS


def _years(first, last) -> str:
    if first is None:
        return "no fiscal year"
    return f"FY{first}" if first == last else f"FY{first}–FY{last}"


def _listed(items: list[str], limit: int, sep: str = ", ") -> str:
    shown = sep.join(items[:limit]) or "none recorded"
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")


PROSE = ("family", "total", "years", "basis", "subawards", "coverage")  # in this order under the name


def _subaward_line(side: dict, role: str, others: str) -> str:
    if not side["count"]:
        return f"as {role}, none in this store"
    unreported = f", {side['not_reported']:,} without an amount" if side["not_reported"] else ""
    more = f" and {side['others']:,} more" if side["others"] else ""
    return (f"as {role}, {side['count']:,} subawards, {money(side['amount'])}{unreported} ({others}: "
            f"{', '.join(side['parties'])}{more})")


def sentences(brief: dict) -> dict[str, str]:
    """The brief's prose, once for every format."""
    values = "; ".join(f"{v['label']} {money(v['amount'])}" + (f" over the {v['reporting']:,} awards reporting it"
                                                                 if v["amount"] is not None else "")
                       for v in brief["values"])
    rest = (f" {money(brief['not_split'])} of it is award totals not split by year."
            if brief["not_split"] else "")
    coverage, store, through = brief["coverage"], brief["store"], brief["through_others"]
    sold = (f" Through other vendors ({through['label']}): {money(through['obligated'])} in {through['actions']:,} "
            f"actions by {through['resellers']:,} resellers, not in the total." if through["actions"] else "")
    return {
        "family": (f"Top parent: {brief['top_parent']}; {len(brief['subsidiaries'])} subsidiaries or registrations; "
                   f"UEIs: {_listed(brief['ueis'], IDS)}; DUNS: {_listed(brief['duns'], IDS)}."),
        "total": (f"Obligated in total: {money(brief['total'])} ({compact(brief['total'])}) in "
                  f"{brief['award_count']:,} awards, {_years(brief['fy_first'], brief['fy_last'])}.{rest}"),
        "basis": (f"The total is obligated money (obligated amounts of contract actions): the {brief['basis']}. "
                  f"{brief['leaves_out']} Apart, never added: {values}.{sold}"),
        "coverage": (f"This store holds awards from {', '.join(coverage['agencies']) or 'no agency'}, "
                     f"{_years(coverage['fy_min'], coverage['fy_max'])}; {_dated(coverage)}. {coverage['note']} "
                     f"{brief['caveats']}"),
        "years": "By fiscal year: " + ("; ".join(f"FY{y['fiscal_year']} {compact(y['obligated']) or money(y['obligated'])}"
                                                 for y in brief["yearly"]) or "no action dated") + ".",
        "subawards": ("Subawards: " + _subaward_line(brief["subawards"]["as_prime"], "prime", "to")
                      + "; " + _subaward_line(brief["subawards"]["as_sub"], "subcontractor", "from") + "."),
        "sources": "Sources (award rows by file): " + _listed([f"{s['file']} ({s['awards']:,})"
                                                               for s in brief["sources"]], SOURCES, "; ") + ".",
        "generated": (f"Generated {brief['generated']} from the {store['kind']} store (last load "
                      f"{store['loaded_at'] or 'unknown'}, {store['loads']} loads, version {store['version']})."),
    }


def _dated(coverage: dict) -> str:
    whole = coverage["award_count"]
    return (f"{coverage['dated_awards'] / whole:.0%} of its {whole:,} awards report an end date" if whole
            else "no award")


def tables(brief: dict, awards: int | None = None, subsidiaries: int = SUBSIDIARIES,
           renewals: int | None = None) -> list[Table]:
    """Subsidiaries, money by agency, top awards and upcoming end dates: at most that many rows of each."""
    subs = brief["subsidiaries"][:subsidiaries]
    shown = brief["awards"][:awards]
    ending = brief["renewals"][:renewals]
    out = [Table("Subsidiaries and registrations", ("Name", "UEI", "Obligated", "Awards"),
                 [[s["name"] or s["id"], s["uei"] or "", money(s["obligated"]), f"{s['awards']:,}"] for s in subs],
                 [None] * len(subs), _more(len(brief["subsidiaries"]) - len(subs), "subsidiaries"), 4),
           Table(f"Obligated by agency, {_years(brief['fy_first'], brief['fy_last'])}",
                 ("Agency", "Obligated", "About", "Awards"),
                 [[_agency(a), money(a["obligated"]), compact(a["obligated"]), f"{a['awards']:,}"]
                  for a in brief["agencies"]]
                 + [["Total", money(brief["total"]), compact(brief["total"]), f"{brief['award_count']:,}"]],
                 [None] * (len(brief["agencies"]) + 1), None, 4),
           Table(f"Top awards (of {brief['award_total']:,}, largest obligated to this family first)",
                 ("Award", "Agency", "Description", "Obligated", "Start", "End", "Key", "Source"),
                 [_award(a) for a in shown], [link(a["permalink"]) for a in shown],
                 _more(brief["award_total"] - len(shown), "awards"), 6)]
    if brief["renewals"]:
        out.append(Table("Upcoming end dates (renewals)", ("End", "Award", "Agency", "Obligated", "Description"),
                         [[f"{a['end']} ({a['end_kind']})", a["piid"] or a["key"], a["agency"] or "",
                           money(a["obligated"]), a["description"] or ""] for a in ending],
                         [None] * len(ending), _more(brief["renewal_total"] - len(ending), "upcoming end dates"), 5))
    return out


def _agency(agency: dict) -> str:
    short = agency["abbreviation"] or agency["code"]
    return f"{agency['name']} ({short})" if short else agency["name"] or ""


def _award(award: dict) -> list[str]:
    source = " ".join(p for p in (award["source"], award["record"]) if p)
    end = f"{award['end']} ({award['end_kind']})" if award["end"] else "not reported"
    return [award["piid"] or award["key"], award["agency"] or "", award["description"] or "",
            money(award["obligated"]), award["start"] or "not reported", end, award["key"], source]


def _more(count: int, what: str) -> str | None:
    return f"{count:,} more {what} not shown" if count > 0 else None


# -- Markdown ---------------------------------------------------------------------------------------------
def _md_cell(text: str) -> str:
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")


def markdown(brief: dict) -> str:
    said = sentences(brief)
    lines = [f"# {_md_cell(brief['name'])}", ""] + [line for key in PROSE for line in (said[key], "")]
    for table in tables(brief):
        lines += [f"## {table.title}", "", "| " + " | ".join(table.headers) + " |",
                  "|" + "---|" * len(table.headers)]
        for row, url in zip(table.rows, table.links):
            cells = [_md_cell(clip(c, DESCRIPTION)) for c in row]
            if url:
                cells[0] = f"[{cells[0]}]({url})"
            lines.append("| " + " | ".join(cells) + " |")
        lines += (["", f"{table.more}."] if table.more else []) + [""]
    return "\n".join(lines + [said["sources"], "", said["generated"], ""])


# -- HTML -------------------------------------------------------------------------------------------------
STYLE = ("@page{size:A4 portrait;margin:12mm}body{font:10px/1.35 Helvetica,Arial,sans-serif;max-width:190mm;"
         "margin:auto}h1{font-size:18px;margin:0 0 4px}h2{font-size:12px;margin:8px 0 2px}table{border-collapse:"
         "collapse;width:100%}th,td{border-bottom:1px solid #ccc;padding:1px 3px;text-align:left;vertical-align:top}"
         "p{margin:2px 0}.small{color:#555;font-size:9px}")


def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def html_page(brief: dict) -> str:
    said = sentences(brief)
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{_esc(brief['name'])}: one-page brief</title><style>{STYLE}</style></head><body>",
             f"<h1>{_esc(brief['name'])}</h1>"]
    parts += [f"<p>{_esc(said[k])}</p>" for k in PROSE]
    for table in tables(brief):
        parts += [f"<h2>{_esc(table.title)}</h2><table><thead><tr>",
                  "".join(f"<th>{_esc(h)}</th>" for h in table.headers), "</tr></thead><tbody>"]
        for row, url in zip(table.rows, table.links):
            cells = [_esc(clip(c, DESCRIPTION)) for c in row]
            if url:
                cells[0] = f'<a href="{_esc(url)}">{cells[0]}</a>'
            parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        parts.append("</tbody></table>" + (f'<p class="small">{_esc(table.more)}.</p>' if table.more else ""))
    parts += [f'<p class="small">{_esc(said[k])}</p>' for k in ("sources", "generated")]
    return "\n".join(parts + ["</body></html>", ""])


# -- PDF --------------------------------------------------------------------------------------------------
# rows of each table tried in turn (awards, subsidiaries, upcoming end dates) until the brief fits on one page
BUDGETS = ((8, 8, 5), (8, 5, 3), (6, 4, 3), (5, 3, 2), (4, 2, 1), (3, 1, 1), (2, 0, 0))
WIDTHS = {"Subsidiaries and registrations": (96, 34, 40, 16), "Obligated by agency": (96, 40, 30, 20),
          "Top awards": (28, 12, 76, 26, 17, 27), "Upcoming end dates": (30, 30, 44, 30, 52)}
MARGIN = 12


def pdf(brief: dict) -> bytes:
    """Exactly one A4 page: fewer rows of each table until it fits (the last try clips rather than add a page)."""
    for number, budget in enumerate(BUDGETS):
        doc = _pdf_layout(brief, *budget, last=number == len(BUDGETS) - 1)
        if doc.pages_count == 1:
            return bytes(doc.output())
    raise AssertionError("the last budget never breaks the page")


def _pdf_text(text: str) -> str:
    """What the core font can encode (cp1252); anything else becomes '?' rather than an error."""
    return text.encode("cp1252", "replace").decode("cp1252")


def _fit(doc, text: str, width: float) -> str:
    text = _pdf_text(" ".join(text.split()))
    room = width - 2 * doc.c_margin
    if doc.get_string_width(text) <= room:
        return text
    while text and doc.get_string_width(text + ELLIPSIS) > room:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def _pdf_layout(brief: dict, awards: int, subsidiaries: int, renewals: int, last: bool):
    from fpdf import FPDF

    doc = FPDF(orientation="portrait", unit="mm", format="A4")
    doc.core_fonts_encoding = "windows-1252"
    doc.set_margins(MARGIN, MARGIN, MARGIN)
    doc.set_auto_page_break(not last, MARGIN)
    doc.set_title(_pdf_text(f"{brief['name']}: one-page brief"))
    doc.add_page()
    said = sentences(brief)
    doc.set_font("Helvetica", "B", 15)
    doc.multi_cell(0, 7, _pdf_text(brief["name"]), new_x="LMARGIN", new_y="NEXT")
    for key in PROSE:
        doc.set_font("Helvetica", "B" if key == "total" else "", 8)
        doc.multi_cell(0, 3.8, _pdf_text(said[key]), new_x="LMARGIN", new_y="NEXT")
    for table in tables(brief, awards, subsidiaries, renewals):
        _pdf_table(doc, table)
    doc.ln(1.5)
    doc.set_font("Helvetica", "", 6.5)
    doc.set_text_color(80)
    for key in ("sources", "generated"):
        doc.multi_cell(0, 3, _pdf_text(said[key]), new_x="LMARGIN", new_y="NEXT")
    return doc


def _pdf_table(doc, table: Table) -> None:
    widths = next(w for prefix, w in WIDTHS.items() if table.title.startswith(prefix))
    doc.ln(1.5)
    doc.set_text_color(0)
    doc.set_font("Helvetica", "B", 9)
    doc.cell(0, 5, _pdf_text(table.title), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "B", 7)
    for header, width in zip(table.headers, widths):
        doc.cell(width, 3.8, _fit(doc, header, width), border="B")
    doc.ln()
    for row, url in zip(table.rows, table.links):
        doc.set_font("Helvetica", "", 7)
        doc.set_text_color(0)
        for index, (text, width) in enumerate(zip(row, widths)):
            linked = index == 0 and url
            doc.set_text_color(*((0, 0, 160) if linked else (0,)))
            doc.cell(width, 3.6, _fit(doc, text, width), link=url if linked else "")
        doc.ln()
        if len(row) > table.main:
            doc.set_font("Helvetica", "", 6)
            doc.set_text_color(90)
            rest = "   ".join(f"{h.lower()}: {t}" for h, t in zip(table.headers[table.main:], row[table.main:]) if t)
            doc.cell(0, 2.8, _fit(doc, rest, doc.epw), link=url or "", new_x="LMARGIN", new_y="NEXT")
    if table.more:
        doc.set_font("Helvetica", "I", 6.5)
        doc.set_text_color(90)
        doc.cell(0, 3.2, _pdf_text(f"{table.more}."), new_x="LMARGIN", new_y="NEXT")


RENDER = {"md": lambda brief: markdown(brief).encode("utf-8"), "html": lambda brief: html_page(brief).encode("utf-8"),
          "pdf": pdf}


def render(brief: dict, fmt: str) -> bytes:
    """The brief in one of FORMATS, as the bytes a file holds."""
    return RENDER[fmt](brief)
