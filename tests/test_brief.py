"""`python -m graph brief`: the one-page brief, on the bundled sample (loaded once, with its coverage declarations).

GEO Group's ICE total is computed apart from the brief, by SQL over the store's own facts (read-only); the PDF is
read back with pypdfium2 (its page count, its text, a rendered image: a chart drawn, the page filled). The
hostile record of the bundle, and a real brief given hostile text, check what each format escapes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import duckdb
import pypdfium2
import pytest

from graph.questions.queries import Queries
from graph.reports import brief_render
from graph.reports.brief import assemble
from graph.store import open_store
from tests.apptest_support import download, serve
from tests.apptest_support import run as run_page
from tests.dashboard_support import HOSTILE, HOSTILE_UEI, ROOT, curated_env

BUTTON = "Download one-page brief (PDF)"
EVIL_LINK = "https://evil.example/award/x"
EVIL_NAME = "[click](javascript:alert(1)) <b>x</b> | Ω ☃ “quoted” — ok"
TODAY, NOW = date(2026, 12, 7), datetime(2026, 12, 7, tzinfo=timezone.utc)
BAR = (44, 82, 120)  # graph.reports.brief_pdf's colour of an as-loaded bar
BARE_ZERO = re.compile(r"\$0(?![\d,.]| net| in the loaded| modifications)|\$0\.00\b")  # a zero said without words


def graph(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **curated_env(home)}
    return subprocess.run(
        [sys.executable, "-m", "graph", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def as_money(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


@pytest.fixture(scope="module")
def briefs(home) -> dict[str, dict]:
    """The briefs these tests read, assembled once from one store."""
    store = open_store("embedded", home=home)
    try:
        return {
            name: assemble(Queries(store), name, today=TODAY, now=NOW)
            for name in ("Palantir", "GEO Group", "Clearview AI", "Venntel", "Flock Group", HOSTILE_UEI, "CKV2L9GZKJK3")
        }  # the last: Deloitte Consulting's UEI
    finally:
        store.close()


@pytest.fixture(scope="module")
def geo_ice(home) -> str:
    """GEO Group's family's contract actions awarded under ICE, summed in cents straight from the fact table."""
    with duckdb.connect(str(home / "store.duckdb"), read_only=True) as con:
        ((family,),) = con.execute(
            "SELECT DISTINCT coalesce(family, id) FROM vendor WHERE name = ?", ["THE GEO GROUP, INC."]
        ).fetchall()
        ((cents,),) = con.execute(
            """SELECT sum(f.cents) FROM fact f JOIN agency a ON a.id = f.awarding_subtier
                                   WHERE f.family = ? AND f.kind = 'action' AND a.abbreviation = ?""",
            [family, "ICE"],
        ).fetchall()
    assert cents and cents > 0
    return as_money(int(cents))


def pdf_page(path: Path):
    """(pages, page 1's text with spaces folded, page 1 as an RGB image)."""
    document = pypdfium2.PdfDocument(str(path))
    try:
        text = " ".join(document[0].get_textpage().get_text_range().split())
        return len(document), text, document[0].render(scale=0.6).to_pil().convert("RGB")
    finally:
        document.close()


def test_pdf_by_the_cli_is_one_page_with_the_ice_total(home, geo_ice, tmp_path):
    out = tmp_path / "geo.pdf"
    done = graph(home, "brief", "GEO Group", "--format", "pdf", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    pages, text, _ = pdf_page(out)
    assert pages == 1
    assert text.startswith(
        "The GEO Group, Inc.: $4.81B obligated by ICE and CBP in 142 awards, FY2016–FY2026 (FY2019–20 not loaded)"
    )
    assert geo_ice in text and "ICE: U.S. Immigration and" in text
    assert "more awards not shown" in text and "State and local purchases are not in this store" in text
    assert "Three facts" in text and "Source: CBP_ICE_FY" in text and "Generated 2026-" in text
    assert "version" not in text  # no store hash


@pytest.mark.parametrize("name", ["Palantir", "GEO Group", "Clearview AI"])
def test_page_one_has_a_chart_with_its_gaps_and_no_blank_third(briefs, name, tmp_path):
    path = tmp_path / "brief.pdf"
    path.write_bytes(brief_render.pdf(briefs[name]))
    pages, text, image = pdf_page(path)
    assert pages == 1
    assert "Obligated by fiscal year" in text and "FY19" in text and "FY20" in text
    assert text.count("not loaded") >= 3  # the two gaps, drawn and labelled, and the legend
    pixels = image.load()
    width, height = image.size
    assert sum(pixels[x, y] == BAR for x in range(width) for y in range(height)) > 200  # bars drawn
    inked = [y for y in range(height) if any(sum(pixels[x, y]) < 450 for x in range(0, width, 2))]
    assert max(inked) > height * 2 / 3  # the foot sits in the last third: no third of the page blank
    assert "IGF::" not in text and not BARE_ZERO.search(text)


def test_headline_chart_and_foot_say_the_coverage(briefs):
    palantir = briefs["Palantir"]
    said = brief_render.sentences(palantir)
    assert said["headline"] == (
        "Palantir Technologies Inc.: $329.20M obligated by ICE in 12 awards, FY2013–FY2026 (FY2019–20 not loaded)"
    )
    chart = {row["fiscal_year"]: row for row in palantir["chart"]}
    assert list(chart) == list(range(2013, 2027))  # the whole span, gaps included
    assert chart[2019]["mark"] == chart[2020]["mark"] == "not loaded" and chart[2019]["obligated"] is None
    assert chart[2013]["mark"] == "partial" and chart[2022]["mark"] == "truncated"
    assert chart[2026]["obligated"] == Decimal("143510020.10")
    assert "ICE FY2022–23 truncated: de-obligations missing" in said["notes"]
    text = brief_render.markdown(palantir)
    assert "| FY2019 | not loaded |" in text and "| FY2022 | $29.69M |" in text


def test_award_rows_say_which_date_is_which_and_never_end_before_they_start(briefs):
    rows = {a["piid"]: a for a in briefs["Palantir"]["awards"]}
    assert (rows["HSCETC13F00030"]["start"], rows["HSCETC13F00030"]["start_kind"]) == ("2015-05-13", "start")
    # its period of performance reads 2015-05-13 to 2015-05-27 although the first loaded action is 2013-09-26
    assert (rows["HSCETC15C00001"]["end"], rows["HSCETC15C00001"]["end_kind"]) == ("2018-11-27", "potential")
    # the record's current end (2018-05-27) falls before its start (2018-05-30): the potential end is shown
    assert rows["HSCETC13F00010"]["start_kind"] == "first action"  # a close-out's start (2017) is after its end
    for brief in (briefs[n] for n in ("Palantir", "GEO Group", "CKV2L9GZKJK3")):
        for award in brief["awards"]:
            assert not (award["start"] and award["end"]) or award["start"] <= award["end"], award
    table = brief_render.tables(briefs["Palantir"])[1]
    assert [
        "HSCETC13F00010",
        "ICE",
        "DHS BULK CLOSE OUT",
        "$394,843.12",
        "2013-03-12 (first action)",
        "2013-06-13",
    ] in table.rows


def test_descriptions_lose_the_igf_marker_and_are_cut_at_a_word(briefs):
    text = brief_render.markdown(briefs["Palantir"]) + brief_render.html_page(briefs["Palantir"])
    assert "IGF::" not in text and "FALCON OPERATIONS AND MAINTENANCE" in text
    for row in brief_render.tables(briefs["GEO Group"])[1].rows:
        if row[2].endswith("…"):
            assert len(row[2]) <= brief_render.DESCRIPTION and row[2][-2] != " "
            assert any(word.startswith(row[2][:-1].split()[-1]) for word in row[2].split())


def test_venntel_says_where_its_money_is_not_a_bare_zero(briefs, tmp_path):
    venntel = briefs["Venntel"]
    assert venntel["nothing"] == "zero_modifications" and venntel["total"] == 0
    headline = brief_render.headline(venntel)
    assert headline.startswith("Venntel, Inc.: $0 in the loaded actions (6 awards from ICE, FY2021–")
    assert headline.endswith("modifications only; its obligations fall in years not loaded")
    path = tmp_path / "venntel.pdf"
    path.write_bytes(brief_render.pdf(venntel))
    pages, text, _ = pdf_page(path)
    assert pages == 1 and "are $0 modifications" in text
    for rendered in (brief_render.markdown(venntel), brief_render.html_page(venntel), text):
        assert not BARE_ZERO.search(rendered) and "None" not in rendered and "nan" not in rendered.split()


def test_a_family_without_federal_awards_says_so(briefs, tmp_path):
    flock = briefs["Flock Group"]
    assert flock["nothing"] == "no_awards" and not flock["awards"]
    assert brief_render.headline(flock) == "Flock Group, Inc.: no federal awards in the loaded data"
    text = brief_render.markdown(flock)
    assert "$0" not in text and "no federal award" in text
    path = tmp_path / "flock.pdf"
    path.write_bytes(brief_render.pdf(flock))
    pages, text, _ = pdf_page(path)
    assert pages == 1 and "no federal awards in the loaded data" in text and "$0" not in text


def test_markdown_on_stdout_has_the_same_ice_total(home, geo_ice):
    done = graph(home, "brief", "GEO Group")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# The GEO Group, Inc.: $4.81B obligated by ICE and CBP")
    ice = next(line for line in done.stdout.splitlines() if "\\(ICE\\)" in line)
    assert f"| {geo_ice} |" in ice
    assert "](https://www.usaspending.gov/award/" in done.stdout


def test_every_agency_figure_is_the_stores_sum_to_the_cent(home, briefs):
    brief = briefs["GEO Group"]
    with duckdb.connect(str(home / "store.duckdb"), read_only=True) as con:
        sums = dict(
            con.execute(
                """SELECT a.code, sum(f.cents) FROM fact f JOIN agency a ON a.id = f.awarding_subtier
                                   WHERE f.family = ? GROUP BY a.code""",
                [brief["id"]],
            ).fetchall()
        )
    exact = {code: Decimal(cents) / 100 for code, cents in sums.items()}
    assert {a["code"]: a["obligated"] for a in brief["agencies"]} == exact
    assert brief["total"] == Decimal(sum(sums.values())) / 100
    assert all(isinstance(a["obligated"], Decimal) for a in brief["awards"])
    assert sum(row["obligated"] or 0 for row in brief["chart"]) + (brief["not_split"] or 0) == brief["total"]


def test_years_add_up_to_the_total_and_subawards_are_the_stores(home, briefs):
    """Money by fiscal year (plus award totals not split by year) is the total; a prime's subawards in the brief
    are those the store holds under the family's awards (Deloitte Consulting, 58 subawards in the bundle)."""
    brief = briefs["CKV2L9GZKJK3"]
    assert sum(y["obligated"] for y in brief["yearly"]) + (brief["not_split"] or 0) == brief["total"]
    with duckdb.connect(str(home / "store.duckdb"), read_only=True) as con:
        ((number, cents),) = con.execute(
            """SELECT count(*), sum(round(amount * 100)) FROM subaward_fact
                                          WHERE vendor IS NOT NULL AND award_key IN
                                                (SELECT award_key FROM fact WHERE family = ?)""",
            [brief["id"]],
        ).fetchall()
    prime = brief["subawards"]["as_prime"]
    assert number >= 58 and prime["count"] == number and prime["amount"] == Decimal(int(cents)) / 100
    assert (
        f"as prime, {number:,} subawards, {brief_render.money(prime['amount'])}"
        in brief_render.sentences(brief)["extra"]
    )
    assert len(brief["facts"]) == 3 and all(fact["source"] for fact in brief["facts"])


def test_duns_names_the_same_family(home, geo_ice):
    done = graph(home, "brief", "094160959", "--format", "html")  # B.I. Incorporated's DUNS: GEO Group's family
    assert done.returncode == 0, done.stderr
    assert "<h1>The GEO Group, Inc.: $4.81B obligated" in done.stdout and geo_ice in done.stdout
    assert "<svg" in done.stdout and ">not loaded</text>" in done.stdout


def test_unknown_name_exits_1_with_one_line(home, tmp_path):
    done = graph(home, "brief", "no such vendor zzq", "--format", "pdf", "--out", str(tmp_path / "x.pdf"))
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith("error: ")
    assert not (tmp_path / "x.pdf").exists()


def hostile(brief: dict, name: str = EVIL_NAME) -> dict:
    """A real brief whose record text (names, descriptions, an award's permalink) is hostile."""
    awards = [{**a, "description": name, "piid": name} for a in brief["awards"]]
    awards[0]["permalink"] = EVIL_LINK
    return {
        **brief,
        "name": name,
        "top_parent": name,
        "awards": awards,
        "renewals": awards[:2],
        "renewal_total": 2,
        "agencies": [{**a, "name": name} for a in brief["agencies"]],
        "facts": [{**f, "text": name, "link": EVIL_LINK} for f in brief["facts"]],
    }


def test_the_bundles_hostile_record_is_text_in_every_format(briefs, tmp_path):
    brief = briefs[HOSTILE_UEI]
    assert brief["name"] == HOSTILE
    assert not re.search(r"(?<!\\)<", brief_render.markdown(brief))  # every < escaped: no HTML passes
    assert "<img" not in brief_render.html_page(brief)
    assert "\\<img src=x onerror=alert\\(1\\)\\>" in brief_render.markdown(brief)
    assert "&lt;img src=x onerror=alert(1)&gt;" in brief_render.html_page(brief)
    path = tmp_path / "hostile.pdf"
    path.write_bytes(brief_render.pdf(brief))
    pages, text, _ = pdf_page(path)
    assert pages == 1 and text.startswith(HOSTILE)  # drawn as text; a PDF runs no markup


def test_markdown_escapes_links_html_and_pipes(briefs):
    text = brief_render.markdown(hostile(briefs["Palantir"]))
    assert "](javascript:" not in text and "<b>" not in text and "evil.example" not in text
    assert "\\[click\\]\\(javascript:alert\\(1\\)\\) \\<b\\>x\\</b\\> \\| Ω" in text
    assert "](https://www.usaspending.gov/award/" in text  # only USAspending addresses are links
    row = next(line for line in text.splitlines() if "$150,703,824.61" in line)  # the largest award, not linked
    assert len(re.split(r"(?<!\\)\|", row)) == 8  # six cells: the name's pipe escaped


def test_html_escapes_record_text_and_links_only_usaspending(briefs):
    page = brief_render.html_page(hostile(briefs["Palantir"], "<script>x</script>"))
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "evil.example" not in page
    assert page.count('<a href="https://www.usaspending.gov/award/') == len(briefs["Palantir"]["awards"][:10]) - 1


def test_pdf_keeps_one_page_and_replaces_what_the_core_font_cannot_encode(briefs, tmp_path):
    crowded = hostile(briefs["GEO Group"], EVIL_NAME * 3)
    crowded["subsidiaries"] = crowded["subsidiaries"] * 8
    path = tmp_path / "crowded.pdf"
    path.write_bytes(brief_render.pdf(crowded))
    pages, text, _ = pdf_page(path)
    assert pages == 1
    assert "more awards not shown" in text and "more not shown" in text  # rows cut to fit
    assert "? ? “quoted” — ok" in text  # '?' for what cp1252 lacks, the rest kept
    assert "evil.example" not in text


def test_vendor_page_offers_the_brief_as_pdf(home, monkeypatch, tmp_path):
    serve(home, monkeypatch)
    app = run_page("vendor", name="GEO Group")
    buttons = [b for b in app.get("download_button") if b.label == BUTTON]
    assert len(buttons) == 1
    path = tmp_path / "dashboard.pdf"
    path.write_bytes(download(app, BUTTON))
    pages, text, _ = pdf_page(path)
    assert pages == 1 and text.startswith("The GEO Group, Inc.: $4.81B obligated") and "FY2019–20 not loaded" in text


def test_pdf_lists_the_vehicles_apart_from_the_money(briefs, tmp_path):
    """The PDF carries the Markdown brief's vehicles line (graph/questions/vehicles.py): agency, PIID, open ceiling, last date
    to order and source, labelled vehicle-level data, never added to the obligations; the page stays one page."""
    palantir = briefs["Palantir"]
    held = palantir["vehicles"]["rows"]
    assert {"W519TC25D0039", "GS35F0086U"} <= {v["piid"] for v in held}
    path = tmp_path / "vehicles.pdf"
    path.write_bytes(brief_render.pdf(palantir))
    pages, text, _ = pdf_page(path)
    assert pages == 1
    assert (
        "Contract vehicles held (vehicle-level data, not spending; a ceiling is what could be ordered, never added "
        "to the obligations above)" in text
    )
    assert (
        "Department of the Army (Department of Defense) W519TC25D0039, open ceiling $10.00B, last date to order "
        "2035-07-31" in text
    )
    assert "Federal Acquisition Service (General Services Administration) GS35F0086U, open ceiling $395.00k" in text
    headline = text.split(" Top parent:", 1)[0]
    assert headline.startswith(f"{palantir['name']}: ") and "$10" not in headline  # no ceiling in the money
    markdown = brief_render.markdown(palantir).replace("\\", "")
    assert palantir["vehicles"]["line"] in markdown and " ".join(palantir["vehicles"]["line"].split()) in text
