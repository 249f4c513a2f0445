"""The brief as exactly one A4 page, drawn with fpdf2 (rectangles and text: no plotting dependency).

The page is laid out, measured, and laid out again: fewer award rows when it runs over, a taller chart when more
than a little of the page would stay blank. Text goes through the core font (cp1252); what it cannot encode
becomes '?'. Record text is cut at a word to its column; a link is made only from a USAspending permalink.
"""

from __future__ import annotations

from core.wording import description, money
from graph.reports.brief import ended
from graph.reports.brief_render import _agency_word, bar_label, link, sentences, tables, when

A4_HEIGHT, MARGIN = 297.0, 11.0
BOTTOM = A4_HEIGHT - MARGIN
LEFT = 118.0  # the chart's width; the agencies sit to its right
AWARD_WIDTHS = (27, 11.5, 64.5, 24, 29.5, 29.5)
AGENCY_WIDTHS = (33, 21, 10)
RIGHT = sum(AGENCY_WIDTHS)
RENEWALS = 4  # upcoming end dates in the right column
BUDGETS = (
    (12, 3),
    (12, 2),
    (10, 2),
    (8, 2),
    (10, 1),
    (8, 1),
    (6, 1),
    (5, 1),
    (4, 1),
    (3, 1),
    (2, 1),
)  # award rows, lines each
CHART = (52.0, 90.0)  # chart height, least and most (mm)
BLANK = 12.0  # what may stay blank at the foot before the chart grows
INK, GREY, BAR, LIGHT, CUT, LINK = (0, 0, 0), (95, 95, 95), (44, 82, 120), (150, 175, 200), (196, 120, 60), (0, 0, 160)


def pdf(brief: dict) -> bytes:
    """One page: the first budget of award rows (and description lines) that fits, its chart grown into the
    space left."""
    chart = CHART[0]
    for awards, lines in BUDGETS:
        doc, end = _layout(brief, awards, lines, chart)
        if end <= BOTTOM:
            break
    spare = BOTTOM - end
    if spare > BLANK and any(row["obligated"] for row in brief["chart"]):
        grown = min(chart + spare - BLANK / 2, CHART[1])
        taller, end = _layout(brief, awards, lines, grown)
        if end <= BOTTOM:
            doc = taller
    return bytes(doc.output())


def clean(value) -> str:
    """What the core font can encode (cp1252), spaces folded; anything else becomes '?' rather than an error."""
    return " ".join(str(value or "").split()).encode("cp1252", "replace").decode("cp1252")


def fit(doc, value, width: float) -> str:
    """The text cut at a word (with an ellipsis) to fit `width` mm in the current font."""
    words = clean(value)
    room = width - 2 * doc.c_margin
    if doc.get_string_width(words) <= room:
        return words
    whole = words
    while " " in words and doc.get_string_width(words + "…") > room:
        words = words[: words.rindex(" ")].rstrip(" ,;:-")
    if doc.get_string_width(words) < room / 2:  # one long word: cut it rather than leave half the column blank
        words = whole
    while words and doc.get_string_width(words + "…") > room:
        words = words[:-1]
    return words + "…"


def _layout(brief: dict, awards: int, lines: int, chart: float):
    from fpdf import FPDF

    doc = FPDF(orientation="portrait", unit="mm", format="A4")
    doc.core_fonts_encoding = "windows-1252"
    doc.set_margins(MARGIN, MARGIN, MARGIN)
    doc.set_auto_page_break(False)
    doc.set_title(clean(f"{brief['name']}: one-page brief"))
    doc.add_page()
    doc.c_margin = 0.8
    said = sentences(brief)
    _text(doc, said["headline"], 12.5, "B", 5.6)
    _text(doc, said["ids"], 7, "", 3.2, GREY)
    if said["technology"]:
        _text(doc, said["technology"], 7, "", 3.2)
    if (brief.get("vehicles") or {}).get(
        "line"
    ):  # contract vehicles (graph/questions/vehicles.py): open ceilings, not spending
        _text(doc, brief["vehicles"]["line"], 7, "", 3.2)
    doc.ln(1.5)
    if brief["nothing"] == "no_awards":
        _text(doc, said["no_awards"], 9, "", 4.5)
    else:
        top, right = doc.get_y(), MARGIN + LEFT + 4
        doc.set_xy(right, top)
        _agencies(doc, brief, right)
        _registrations(doc, brief, right)
        _renewals(doc, brief, said, right)
        column = doc.get_y()
        doc.set_font("Helvetica", "", 6.3)
        caption = len(doc.multi_cell(LEFT, 2.8, clean(said["chart"]), dry_run=True, output="LINES")) * 2.8
        height = max(chart, column - top - caption - 1)
        _chart(doc, brief, MARGIN, top, LEFT, height)
        doc.set_xy(MARGIN, top + height + 1)
        _text(doc, said["chart"], 6.3, "", 2.8, GREY, width=LEFT)
        doc.set_xy(MARGIN, max(doc.get_y(), column) + 0.5)
        _awards(doc, tables(brief, awards, 0, limit=400)[1], lines)
        _facts(doc, brief)
    doc.ln(1.5)
    doc.set_draw_color(*GREY)
    doc.line(MARGIN, doc.get_y(), doc.w - MARGIN, doc.get_y())
    doc.ln(0.8)
    for key in ("notes", "leaves_out", "extra", "sources", "generated"):
        if said[key]:
            _text(doc, said[key], 5.9, "", 2.6, GREY)
    return doc, doc.get_y()


def _text(doc, words: str, size: float, style: str, height: float, color=INK, width: float = 0) -> None:
    doc.set_font("Helvetica", style, size)
    doc.set_text_color(*color)
    x = doc.get_x()
    doc.multi_cell(width, height, clean(words), align="L", new_x="LEFT" if width else "LMARGIN", new_y="NEXT")
    if width:
        doc.set_x(x)


def _heading(doc, title: str) -> None:
    doc.ln(1.2)
    doc.set_text_color(*INK)
    doc.set_font("Helvetica", "B", 8.5)
    doc.cell(0, 4.4, clean(title), new_x="LMARGIN", new_y="NEXT")


# -- the chart --------------------------------------------------------------------------------------------
def _chart(doc, brief: dict, x0: float, y0: float, width: float, height: float) -> None:
    """Bars by fiscal year over the whole span: a year not loaded is a dashed grey gap saying so, a partial or
    truncated year a lighter or orange bar with its mark under the year."""
    rows = brief["chart"]
    doc.set_text_color(*INK)
    doc.set_font("Helvetica", "B", 8.5)
    doc.set_xy(x0, y0)
    doc.cell(width, 4.4, "Obligated by fiscal year")
    slot = width / max(len(rows), 1)
    plot_top, base = y0 + 9.5, y0 + height - 8.5
    values = [float(r["obligated"]) for r in rows if r["obligated"] is not None]
    high, low = max(values + [0.0]), min(values + [0.0])
    scale = (base - plot_top) / (high - low) if high > low else 0
    zero = base + low * scale  # the $0 line (above the foot when some year is negative)
    size = 5.6
    doc.set_font("Helvetica", "", size)
    while size > 3.8 and max(doc.get_string_width(clean(bar_label(r))) for r in rows) > slot - 0.4:
        size -= 0.2
        doc.set_font("Helvetica", "", size)
    for i, row in enumerate(rows):
        x, bar = x0 + i * slot, slot * 0.7
        left = x + (slot - bar) / 2
        if row["status"] == "not_loaded":
            doc.set_fill_color(238)
            doc.set_draw_color(150)
            doc.set_dash_pattern(dash=0.8, gap=0.6)
            doc.rect(left, plot_top, bar, base - plot_top, style="DF")
            doc.set_dash_pattern()
            doc.set_font("Helvetica", "I", 6)
            doc.set_text_color(*GREY)
            middle = (plot_top + base) / 2
            with doc.rotation(90, x + slot / 2, middle):
                doc.set_xy(x + slot / 2 - 12, middle - 1.3)
                doc.cell(24, 2.6, "not loaded", align="C")
            continue
        value = row["obligated"]
        if value is not None:
            color = CUT if "truncated" in row["mark"] else LIGHT if row["mark"] else BAR
            doc.set_fill_color(*color)
            tall = float(value) * scale
            doc.rect(left, zero - max(tall, 0), bar, max(abs(tall), 0.3), style="F")
        doc.set_font("Helvetica", "", size)
        doc.set_text_color(*INK)
        label_y = (zero - max(float(value) * scale, 0) if value is not None else zero) - 3
        doc.set_xy(x, label_y)
        doc.cell(slot, 2.6, clean(bar_label(row)), align="C")
    doc.set_draw_color(*GREY)
    doc.line(x0, zero, x0 + width, zero)
    for i, row in enumerate(rows):
        x = x0 + i * slot
        doc.set_font("Helvetica", "B" if row["obligated"] else "", 5.8)
        doc.set_text_color(*INK)
        doc.set_xy(x, base + 0.6)
        doc.cell(slot, 2.6, f"FY{str(row['fiscal_year'])[-2:]}", align="C")
        if row["mark"] and row["status"] != "not_loaded":
            doc.set_font("Helvetica", "", 4.4)
            doc.set_text_color(*((150, 80, 30) if "truncated" in row["mark"] else GREY))
            doc.set_xy(x, base + 3.2)
            doc.multi_cell(slot, 1.9, clean(row["mark"]), align="C", max_line_height=1.9)
    _legend(doc, x0, y0 + 5, width)


def _legend(doc, x: float, y: float, width: float) -> None:
    doc.set_font("Helvetica", "", 5.5)
    doc.set_text_color(*GREY)
    for color, label, dashed in (
        (BAR, "as loaded", False),
        (LIGHT, "partial", False),
        (CUT, "truncated: de-obligations missing", False),
        ((238, 238, 238), "not loaded", True),
    ):
        doc.set_fill_color(*color)
        doc.set_draw_color(150)
        if dashed:
            doc.set_dash_pattern(dash=0.5, gap=0.4)
        doc.rect(x, y + 0.5, 2.2, 2.2, style="DF" if dashed else "F")
        doc.set_dash_pattern()
        doc.set_xy(x + 2.6, y)
        doc.cell(doc.get_string_width(label) + 1, 3.2, label)
        x += doc.get_string_width(label) + 6


# -- tables -----------------------------------------------------------------------------------------------
def _agencies(doc, brief: dict, x0: float) -> None:
    doc.set_text_color(*INK)
    doc.set_font("Helvetica", "B", 8.5)
    doc.cell(sum(AGENCY_WIDTHS), 4.4, "Top agencies", new_x="LEFT", new_y="NEXT")
    rows = [
        (
            f"{_agency_word(a)}: {a['name']}" if a["abbreviation"] else a["name"] or _agency_word(a),
            a["obligated"],
            a["awards"],
        )
        for a in brief["agencies"][:8]
    ]
    more = len(brief["agencies"]) - len(rows)
    _row(doc, ("Agency", "Obligated", "Awards"), AGENCY_WIDTHS, "B", 6.5, x0, border="B", right=(1, 2))
    for name, amount, awards in rows + [("Total", brief["total"], brief["award_count"])]:
        _row(
            doc,
            (name, money(amount), f"{awards:,}"),
            AGENCY_WIDTHS,
            "B" if name == "Total" else "",
            6.5,
            x0,
            right=(1, 2),
        )
    if more > 0:
        doc.set_x(x0)
        doc.set_font("Helvetica", "I", 6)
        doc.cell(sum(AGENCY_WIDTHS), 3, f"{more:,} more agencies not shown", new_x="LEFT", new_y="NEXT")
    doc.set_x(x0)
    doc.set_font("Helvetica", "", 6)
    doc.set_text_color(*GREY)
    doc.multi_cell(
        sum(AGENCY_WIDTHS),
        2.7,
        clean("Obligated: the sum of the contract actions loaded, exact to the cent; the chart's figures are rounded."),
        new_x="LEFT",
        new_y="NEXT",
    )


def _row(
    doc,
    cells,
    widths,
    style: str,
    size: float,
    x0: float | None = None,
    border="",
    link_url=None,
    right=(),
    height: float = 3.4,
) -> None:
    if x0 is not None:
        doc.set_x(x0)
    doc.set_font("Helvetica", style, size)
    for index, (value, width) in enumerate(zip(cells, widths, strict=False)):
        linked = index == 0 and link_url
        doc.set_text_color(*(LINK if linked else INK))
        doc.cell(
            width,
            height,
            fit(doc, value, width),
            border=border,
            align="R" if index in right else "L",
            link=link_url if linked else "",
        )
    doc.ln()


def _wrap(doc, value: str, width: float, lines: int) -> list[str]:
    """A description in at most `lines` lines of `width` mm, the last cut at a word."""
    words, out = clean(value).split(" "), []
    room = width - 2 * doc.c_margin
    while words and len(out) < lines - 1:
        line = words.pop(0)
        while words and doc.get_string_width(line + " " + words[0]) <= room:
            line += " " + words.pop(0)
        out.append(line)
    rest = " ".join(words)
    if rest:
        limit = len(rest) + 1
        while limit > 12 and doc.get_string_width(clean(description(rest, limit))) > room:
            limit -= 3
        out.append(clean(description(rest, limit)))
    return out or [""]


def _awards(doc, table, lines: int) -> None:
    """The top awards, a row each, their descriptions (IGF markers removed) wrapped to `lines` lines."""
    _heading(doc, table.title)
    widths, at, size, height = AWARD_WIDTHS, table.headers.index("Description"), 6.6, 3.1
    _row(doc, table.headers, widths, "B", size, border="B", right=(3,))
    for row, url in zip(table.rows, table.links, strict=False):
        doc.set_font("Helvetica", "", size)
        wrapped = _wrap(doc, description(row[at]), widths[at], lines)
        cells = list(row)
        cells[at] = wrapped[0]
        _row(doc, cells, widths, "", size, link_url=url, right=(3,), height=height)
        for more in wrapped[1:]:
            doc.set_x(MARGIN + sum(widths[:at]))
            doc.set_text_color(*INK)
            doc.cell(widths[at], height - 0.2, more, new_x="LMARGIN", new_y="NEXT")
        doc.set_draw_color(225)
        doc.line(MARGIN, doc.get_y() + 0.1, doc.w - MARGIN, doc.get_y() + 0.1)
        doc.ln(0.4)
    notes = [p for p in (table.more, table.note) if p]
    if notes:
        _text(doc, " ".join(ended(n) for n in notes), 5.8, "I", 2.7, GREY)


def _registrations(doc, brief: dict, x0: float) -> None:
    members = [s for s in brief["subsidiaries"] if s["awards"]]
    if len(members) < 2:
        return
    doc.ln(1)
    doc.set_x(x0)
    doc.set_text_color(*INK)
    doc.set_font("Helvetica", "B", 8.5)
    doc.cell(RIGHT, 4.4, "Registrations in the family", new_x="LEFT", new_y="NEXT")
    for member in members[:5]:
        _row(
            doc,
            (member["name"] or member["id"], money(member["obligated"]), f"{member['awards']:,}"),
            AGENCY_WIDTHS,
            "",
            6.3,
            x0,
            right=(1, 2),
            height=3.1,
        )
    if len(members) > 5:
        doc.set_x(x0)
        doc.set_font("Helvetica", "I", 6)
        doc.cell(RIGHT, 3, f"{len(members) - 5:,} more not shown", new_x="LEFT", new_y="NEXT")


def _renewals(doc, brief: dict, said: dict, x0: float) -> None:
    """Upcoming ends of performance, each on two lines (the end, award, agency, amount; its description)."""
    doc.ln(1)
    doc.set_x(x0)
    doc.set_text_color(*INK)
    doc.set_font("Helvetica", "B", 8.5)
    doc.cell(RIGHT, 4.4, "Renewals: upcoming end dates", new_x="LEFT", new_y="NEXT")
    doc.set_x(x0)
    if not brief["renewals"]:
        doc.set_font("Helvetica", "", 6.5)
        doc.multi_cell(RIGHT, 2.9, clean(said["renewals"]), new_x="LEFT", new_y="NEXT")
        return
    for award in brief["renewals"][:RENEWALS]:
        head = (
            f"{when(award['end'], award['end_kind'], 'current')}  {award['piid'] or award['key']}  "
            f"{award['agency'] or ''}  {money(award['obligated'])}"
        )
        doc.set_x(x0)
        doc.set_font("Helvetica", "B", 6.3)
        doc.set_text_color(*(LINK if link(award["permalink"]) else INK))
        doc.cell(RIGHT, 3, fit(doc, head, RIGHT), link=link(award["permalink"]) or "", new_x="LEFT", new_y="NEXT")
        doc.set_font("Helvetica", "", 6.1)
        doc.set_text_color(*GREY)
        for line in _wrap(doc, description(award["description"]), RIGHT, 2):
            doc.set_x(x0)
            doc.cell(RIGHT, 2.7, line, new_x="LEFT", new_y="NEXT")
    if said["renewals"]:
        doc.set_x(x0)
        doc.set_font("Helvetica", "I", 6)
        doc.cell(RIGHT, 3, clean(said["renewals"]), new_x="LEFT", new_y="NEXT")


def _facts(doc, brief: dict) -> None:
    if not brief["facts"]:
        return
    _heading(doc, "Three facts, with their sources")
    for number, fact in enumerate(brief["facts"], start=1):
        _text(doc, f"{number}. {fact['text']}", 7, "", 3.2)
        doc.set_font("Helvetica", "", 6)
        doc.set_text_color(*GREY)
        doc.set_x(MARGIN + 3)
        source = f"Source: {fact['source']}"
        doc.cell(doc.get_string_width(clean(source)) + 2, 2.8, clean(source))
        url = link(fact["link"])
        if url:
            doc.set_text_color(*LINK)
            doc.cell(0, 2.8, clean(url), link=url)
        doc.ln(3.2)
