"""`python -m graph brief`: the one-page brief, on the bundled sample loaded once for the module.

GEO Group's ICE total is computed apart from the brief, by SQL over the store's own facts (read-only); the PDF is
read back with pypdfium2 (its page count, its text, a rendered image). A brief built by hand carries hostile record
text to check what the renderers escape and which permalinks become links.
"""
from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pypdfium2
import pytest

from graph import brief_render
from tests.dashboard_support import ROOT, curated_env
from tests.apptest_support import download, serve
from tests.apptest_support import run as run_page

BUTTON = "Download one-page brief (PDF)"
EVIL_LINK = "https://evil.example/award/x"
GOOD_LINK = "https://www.usaspending.gov/award/CONT_AWD_X_7012_-NONE-_-NONE-/"


def graph(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **curated_env(home)}
    return subprocess.run([sys.executable, "-m", "graph", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def as_money(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


@pytest.fixture(scope="module")
def geo_ice(home) -> str:
    """GEO Group's family's contract actions awarded under ICE, summed in cents straight from the fact table."""
    with duckdb.connect(str(home / "store.duckdb"), read_only=True) as con:
        (family,), = con.execute("SELECT DISTINCT coalesce(family, id) FROM vendor WHERE name = ?",
                                 ["THE GEO GROUP, INC."]).fetchall()
        (cents,), = con.execute("""SELECT sum(f.cents) FROM fact f JOIN agency a ON a.id = f.awarding_subtier
                                   WHERE f.family = ? AND f.kind = 'action' AND a.abbreviation = ?""",
                                [family, "ICE"]).fetchall()
    assert cents and cents > 0
    return as_money(int(cents))


def page_text(path: Path) -> tuple[int, str]:
    document = pypdfium2.PdfDocument(str(path))
    try:
        return len(document), document[0].get_textpage().get_text_range()
    finally:
        document.close()


def test_pdf_is_one_page_with_the_ice_total(home, geo_ice, tmp_path):
    out = tmp_path / "geo.pdf"
    done = graph(home, "brief", "GEO Group", "--format", "pdf", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    pages, text = page_text(out)
    text = " ".join(text.split())  # a sentence may wrap anywhere
    assert pages == 1
    assert geo_ice in text
    assert "U.S. Immigration and Customs Enforcement (ICE)" in text
    assert "more awards not shown" in text and "State and local purchases are not in this store" in text
    assert "CBP_ICE_FY" in text and "Generated " in text


def test_pdf_page_renders_to_a_non_blank_image(home, tmp_path):
    pytest.importorskip("PIL")
    out = tmp_path / "geo.pdf"
    assert graph(home, "brief", "GEO Group", "--format", "pdf", "--out", str(out)).returncode == 0
    document = pypdfium2.PdfDocument(str(out))
    image = document[0].render(scale=1).to_pil().convert("L")
    document.close()
    dark = sum(image.histogram()[:128])
    assert image.getextrema()[0] < 64 and dark > 1000  # text was drawn, not an empty white page


def test_markdown_on_stdout_has_the_same_ice_total(home, geo_ice):
    done = graph(home, "brief", "GEO Group")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# The GEO Group, Inc.")
    ice = next(line for line in done.stdout.splitlines() if "(ICE)" in line)
    assert f"| {geo_ice} |" in ice
    assert "](https://www.usaspending.gov/award/" in done.stdout


def test_every_agency_figure_is_the_stores_sum_to_the_cent(home):
    from graph.brief import assemble
    from graph.store import open_store

    store = open_store("embedded", home=home)
    try:
        brief = assemble(store, "GEO Group")
    finally:
        store.close()
    with duckdb.connect(str(home / "store.duckdb"), read_only=True) as con:
        sums = dict(con.execute("""SELECT a.code, sum(f.cents) FROM fact f JOIN agency a ON a.id = f.awarding_subtier
                                   WHERE f.family = ? GROUP BY a.code""", [brief["id"]]).fetchall())
    exact = {code: Decimal(cents) / 100 for code, cents in sums.items()}
    assert {a["code"]: a["obligated"] for a in brief["agencies"]} == exact
    assert brief["total"] == Decimal(sum(sums.values())) / 100
    assert all(isinstance(a["obligated"], Decimal) for a in brief["awards"])


def test_years_add_up_to_the_total_and_subawards_are_the_stores(home):
    """Money by fiscal year (plus award totals not split by year) is the total; a prime's subawards in the brief
    are those the store holds under the family's awards (Deloitte Consulting, 58 subawards in the bundle)."""
    from graph.brief import assemble
    from graph.store import open_store

    store = open_store("embedded", home=home)
    try:
        brief = assemble(store, "CKV2L9GZKJK3")  # Deloitte Consulting's UEI
    finally:
        store.close()
    assert sum(y["obligated"] for y in brief["yearly"]) + (brief["not_split"] or 0) == brief["total"]
    with duckdb.connect(str(home / "store.duckdb"), read_only=True) as con:
        (count, cents), = con.execute("""SELECT count(*), sum(round(amount * 100)) FROM subaward_fact
                                         WHERE vendor IS NOT NULL AND award_key IN
                                               (SELECT award_key FROM fact WHERE family = ?)""", [brief["id"]]).fetchall()
    prime = brief["subawards"]["as_prime"]
    assert count >= 58 and prime["count"] == count and prime["amount"] == Decimal(int(cents)) / 100
    text = brief_render.markdown(brief)
    assert f"Subawards: as prime, {count:,} subawards, {brief_render.money(prime['amount'])}" in text
    assert "By fiscal year: FY" in text and "self-reported" in text


def test_duns_names_the_same_family(home, geo_ice):
    done = graph(home, "brief", "094160959", "--format", "html")  # B.I. Incorporated's DUNS: GEO Group's family
    assert done.returncode == 0, done.stderr
    assert "<h1>The GEO Group, Inc.</h1>" in done.stdout and geo_ice in done.stdout


def test_unknown_name_exits_1_with_one_line(home, tmp_path):
    done = graph(home, "brief", "no such vendor zzq", "--format", "pdf", "--out", str(tmp_path / "x.pdf"))
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith("error: ")
    assert not (tmp_path / "x.pdf").exists()


def hand_brief(name: str, awards: int = 2, subsidiaries: int = 1) -> dict:
    """A brief with every key `graph.brief.assemble` gives, its record text chosen by the test."""
    award = {"key": "CONT_AWD_X|Y_7012", "piid": "X|Y", "agency": "ICE", "description": f"{name} | pipes",
             "obligated": Decimal("1234.50"), "start": "2024-01-01", "end": "2027-01-31", "end_kind": "current",
             "permalink": EVIL_LINK, "source": "evil.csv", "record": "line 2"}
    return {"name": name, "id": "org:x", "top_parent": name, "ueis": ["UEI000000001"], "duns": [],
            "subsidiaries": [{"name": f"{name} subsidiary {n} with a long name " * 2, "id": f"x{n}", "uei": None,
                              "duns": None, "obligated": Decimal("1.00"), "awards": 1} for n in range(subsidiaries)],
            "total": Decimal("2469.00"), "award_count": awards, "fy_first": 2024, "fy_last": 2025,
            "not_split": Decimal("0.00"),
            "agencies": [{"name": name, "abbreviation": None, "code": "7012", "obligated": Decimal("2469.00"),
                          "awards": awards}],
            "values": [{"label": "current value", "amount": None, "reporting": 0},
                       {"label": "potential value", "amount": Decimal("5.00"), "reporting": 1}],
            "through_others": {"label": "attributed", "obligated": None, "actions": 0, "resellers": 0},
            "basis": "sum of the contract actions loaded", "leaves_out": "ceilings are never added in.",
            "coverage": {"agencies": ["ICE"], "fy_min": 2013, "fy_max": 2026, "note": "No state or local.",
                         "award_count": 10, "dated_awards": 4},
            "yearly": [{"fiscal_year": 2024, "obligated": Decimal("1234.50")},
                       {"fiscal_year": 2025, "obligated": Decimal("1234.50")}],
            "subawards": {"as_prime": {"count": 2, "amount": Decimal("10.00"), "not_reported": 1,
                                       "parties": [f"{name} sub"], "others": 0},
                          "as_sub": {"count": 0, "amount": None, "not_reported": 0, "parties": [], "others": 0}},
            "caveats": "Parents are self-reported.",
            "awards": [award, {**award, "key": "K2", "permalink": GOOD_LINK}] + [dict(award)] * (awards - 2),
            "award_total": awards + 40, "renewals": [award] * 5, "renewal_total": 9,
            "sources": [{"file": "evil.csv", "awards": awards}], "generated": "2026-01-01T00:00:00+00:00",
            "store": {"kind": "embedded", "version": "v1", "loads": 1, "loaded_at": "2026-01-01T00:00:00+00:00"}}


def test_html_escapes_record_text_and_links_only_usaspending():
    page = brief_render.html_page(hand_brief("<script>x</script>"))
    assert "<script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    assert EVIL_LINK not in page and "evil.example" not in page  # neither a link nor text to click
    assert f'<a href="{GOOD_LINK}">' in page and page.count("<a ") == 1


def test_markdown_escapes_pipes_in_tables():
    text = brief_render.markdown(hand_brief("A|B"))
    row = next(line for line in text.splitlines() if line.startswith("| A\\|B (7012) |"))
    assert row.count(" | ") == 3  # four cells, the name's pipe escaped
    assert "evil.example" not in text and f"]({GOOD_LINK})" in text


def test_pdf_shrinks_to_one_page_and_replaces_what_the_core_font_cannot_encode(tmp_path):
    path = tmp_path / "hand.pdf"
    crowded = hand_brief("Ω Snowman ☃ 中文 “quoted” — ok", awards=8, subsidiaries=40)
    crowded["agencies"] *= 40  # more lines than a page holds with every table at full length: fewer rows
    path.write_bytes(brief_render.pdf(crowded))
    pages, text = page_text(path)
    assert pages == 1
    assert "more awards not shown" in text and "more subsidiaries not shown" in text
    assert 0 < text.count("key: ") < 8  # awards cut to fit
    assert "Snowman ?" in text and "“quoted” — ok" in text  # cp1252 keeps what it can, '?' for the rest


def test_vendor_page_offers_the_brief_as_pdf(home, monkeypatch, tmp_path):
    serve(home, monkeypatch)
    app = run_page("vendor", name="GEO Group")
    buttons = [b for b in app.get("download_button") if b.label == BUTTON]
    assert len(buttons) == 1
    path = tmp_path / "dashboard.pdf"
    path.write_bytes(download(app, BUTTON))
    pages, text = page_text(path)
    assert pages == 1 and "The GEO Group, Inc." in text
