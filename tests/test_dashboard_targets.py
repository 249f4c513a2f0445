"""The targets page and the agency page's vendor tables, run by AppTest on the bundled data (all ICE and CBP actions).

Expected figures are computed apart from the app: by SQL over the store's own facts (read-only), from the award's
reported values, or from the recorded USAspending recipient profile. Downloads are read back from the bytes the
page handed Streamlit (CSV with csv, XLSX with openpyxl).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest

from dashboard import targets
from dashboard.profile_links import name_in
from tests.apptest_support import download, frame, run, serve
from tests.dashboard_support import HOSTILE, TRANSACTIONS, _ingest, curated_env

GEO = "org:the-geo-group-inc"


@pytest.fixture
def sample(home, monkeypatch):
    return serve(home, monkeypatch)


def sql(home: Path, query: str, params=()):
    with duckdb.connect(str(home / "store.duckdb"), read_only=True) as con:
        return con.execute(query, list(params)).fetchall()


def ice_cents(home: Path, where: str, params=()) -> int:
    return sql(home, f"""SELECT coalesce(sum(f.cents), 0) FROM fact f JOIN vendor v ON v.id = f.recipient
                         WHERE f.awarding_subtier = 'subtier:7012' AND {where}""", params)[0][0]


@pytest.fixture(scope="module")
def ice_targets(home):
    """One run of the targets page for ICE (shared by the tests that read it)."""
    with pytest.MonkeyPatch.context() as patch:
        serve(home, patch)
        app = run("targets", agency="ICE", today="2025-01-01", months="24")
        assert not [b for b in app.get("download_button")]  # built only when asked: the page lists no award
        app.button(key="t_prepare").click().run()
        assert not app.exception
        files = {label: download(app, label) for label in ("Ranking with citations (CSV)",
                                                           "Awards behind the ranking (CSV)")}
        files["xlsx"] = download(app, "Ranking, awards and calendar (XLSX)")
    return app, files


def test_targets_rank_geo_group_as_a_family_with_bi_inside(ice_targets, home):
    app, _ = ice_targets
    ranking = frame(app, "why")
    names = [name_in(url) for url in ranking["family"]]
    geo = ranking.iloc[names.index("The GEO Group, Inc.")]
    assert "B.I. INCORPORATED" in geo["members"] and "THE GEO GROUP, INC." in geo["members"]
    assert "B.I. INCORPORATED" not in names  # a member is not ranked apart from its family
    assert geo["obligated from agency ($)"] == pytest.approx(ice_cents(home, "v.family = ?", [GEO]) / 100)
    bi = ice_cents(home, "v.name = 'B.I. INCORPORATED'")
    assert bi > 0 and geo["obligated from agency ($)"] > bi / 100
    assert geo["why"].startswith(f"The GEO Group, Inc. ranks {targets.ordinal(int(geo['rank']))}: ")
    assert "obligated by ICE in FY2023–2025" in geo["why"] and "summed over" in geo["why"]
    assert any(m.value.startswith("- ") and "The GEO Group, Inc\\. ranks" in m.value for m in app.markdown)


def test_without_profiles_the_column_is_the_share_of_the_money_in_this_store(ice_targets):
    app, _ = ice_targets
    ranking = frame(app, "why")
    assert "dependence" not in ranking.columns and "share of the money in this store" in ranking.columns
    assert "share of the money in this store (0–1)" in ranking.columns
    warning = app.warning[0].value.replace("\\", "")
    assert "not dependence" in warning and "U.S. Immigration and Customs Enforcement (7012)" in warning
    assert "U.S. Customs and Border Protection (7014)" in warning and "FY2013–FY2026" in warning
    assert app.number_input(key="t_w_dependence").label == "share of the money in this store"


def test_renewals_place_awards_by_end_date_with_their_unexercised_options(ice_targets, home):
    app, _ = ice_targets
    calendar = frame(app, "placed by")
    assert len(calendar) > 0 and set(calendar["placed by"]) <= {label for _, label in targets.END_FIELDS}
    for _, row in calendar.iterrows():
        key = row["permalink"].rstrip("/").rsplit("/", 1)[1]
        end, potential_end, current, potential = sql(home, """
            SELECT end_date::VARCHAR, potential_end_date::VARCHAR, current_cents, potential_cents FROM award
            WHERE key = ?""", [key])[0]
        field = "end_date" if row["placed by"].startswith("current") else "potential_end_date"
        assert row["date"] == (end if field == "end_date" else potential_end)
        assert "2025-01-01" <= row["date"] <= "2027-01-01"
        options = row["unexercised options ($)"]
        if current is None or potential is None:
            assert options == "not reported (a value missing)"  # said in words, not zero
        else:  # a column with words in it writes its money out
            assert dollars(options) == pytest.approx((potential - current) / 100)
    assert any(not str(cell).startswith("not reported") for cell in calendar["unexercised options ($)"])
    total, undated = sql(home, """
        SELECT count(DISTINCT f.award_key), count(DISTINCT f.award_key) FILTER (WHERE a.end_date IS NULL AND
               a.potential_end_date IS NULL)
        FROM fact f JOIN award a ON a.key = f.award_key WHERE f.awarding_subtier = 'subtier:7012'""")[0]
    assert f"{undated:,} of {total:,} awards report no end date; they cannot be placed on the calendar" in \
        "\n".join(c.value for c in app.caption)


def test_csv_and_xlsx_downloads_carry_the_rows_and_their_permalinks(ice_targets):
    import openpyxl

    app, files = ice_targets
    rows = list(csv.DictReader(io.StringIO(files["Ranking with citations (CSV)"].decode("utf-8"))))
    ranking = frame(app, "why")
    assert [r["family_id"] for r in rows] == list(ranking["id"])
    geo = next(r for r in rows if r["family_id"] == GEO)
    assert "https://www.usaspending.gov/award/" in geo["citations"] and geo["why"].startswith("The GEO Group")
    lines = list(csv.DictReader(io.StringIO(files["Awards behind the ranking (CSV)"].decode("utf-8"))))
    geo_lines = [line for line in lines if line["family_id"] == GEO]
    assert len(geo_lines) == int(geo["awards behind the row"]) > 0
    assert "B.I. INCORPORATED" in {line["recipient"] for line in geo_lines}
    assert all(line["permalink"].startswith("https://www.usaspending.gov/award/") for line in geo_lines)
    book = openpyxl.load_workbook(io.BytesIO(files["xlsx"]), read_only=True)
    assert book.sheetnames == ["targets", "awards", "renewal calendar", "about"]
    sheet = list(book["targets"].iter_rows(values_only=True))
    header = list(sheet[0])
    assert [r[header.index("family_id")] for r in sheet[1:]] == list(ranking["id"])
    first = dict(zip(header, sheet[1]))
    assert first["obligated from agency ($)"] == pytest.approx(ranking["obligated from agency ($)"][0])
    awards = list(book["awards"].iter_rows(values_only=True))
    permalinks = [r[list(awards[0]).index("permalink")] for r in awards[1:]]
    assert len(awards) - 1 == len(lines) and permalinks[0].startswith("https://www.usaspending.gov/award/")


def dollars(cell) -> float:
    """A money cell as a number, whether the grid holds the number or its words ("-$1,234.56", "$0 net")."""
    if isinstance(cell, str):
        return 0.0 if cell == "$0 net" else float(cell.replace("$", "").replace(",", ""))
    return cell


def test_top_vendors_of_a_fiscal_year_with_the_change_from_the_year_before(sample, home):
    app = run("agency", name="ICE", fy="2025")
    top = frame(app, "Change")
    assert app.selectbox(key="a_fy").value == 2025
    families = dict(sql(home, "SELECT id, coalesce(family, id) FROM vendor"))
    by_year: dict[tuple[str, int], int] = {}
    for recipient, year, cents in sql(home, """SELECT recipient, fiscal_year, sum(cents) FROM fact
            WHERE awarding_subtier = 'subtier:7012' AND split AND fiscal_year IN (2024, 2025) GROUP BY ALL"""):
        key = (families[recipient], year)
        by_year[key] = by_year.get(key, 0) + (cents or 0)
    expected = sorted(((cents, fid) for (fid, year), cents in by_year.items() if year == 2025),
                      key=lambda c: (-c[0], c[1]))
    assert len(top) == min(25, len(expected))
    for (_, row), (cents, fid) in zip(top.iterrows(), expected):
        assert row["FY2025"] == pytest.approx(cents / 100)
        assert row["Family"].startswith(f"/vendor?name={quote(fid, safe='')}")
        if (fid, 2024) in by_year:  # a column with a "new" in it is written out: "-$1,234.56"
            assert dollars(row["Change"]) == pytest.approx((cents - by_year[(fid, 2024)]) / 100)
        else:
            assert row["Change"] == "new" and row["FY2024"] == "none in FY2024 (new)"
    default = run("agency", name="ICE")
    assert default.selectbox(key="a_fy").value == sql(home, "SELECT max(fiscal_year) FROM fact WHERE split")[0][0]


def test_agency_page_shows_vendors_as_families_and_the_primes_subawards(sample, home):
    app = run("agency", name="ICE")
    families = frame(app, "Member names")
    geo = families.iloc[[name_in(u) for u in families["Family"]].index("The GEO Group, Inc.")]
    assert "B.I. INCORPORATED" in geo["Member names"]
    assert geo["Obligated"] == pytest.approx(ice_cents(home, "v.family = ?", [GEO]) / 100)
    subawards = frame(app, "Subcontractor")
    count = sql(home, """SELECT count(*) FROM subaward_fact s JOIN award a ON a.key = s.award_key
                         JOIN agency_tiers t ON t.id = a.awarding_id WHERE t.subtier_id = 'subtier:7012'
                         AND s.vendor IS NOT NULL""")[0][0]
    assert len(subawards) == count > 0
    assert "Primes and their subawards" in "\n".join(h.value for h in app.subheader)
    assert all(link is None or link.startswith("https://") for link in subawards["USAspending page"])


def test_a_hostile_name_stays_text_in_the_family_tables(sample):
    app = run("agency", name="ICE")
    families = frame(app, "Member names")
    shown = [name_in(u) for u in families["Family"]]
    assert HOSTILE in shown  # the grid shows it as text
    url = families["Family"][shown.index(HOSTILE)]
    assert "<" not in url and ">" not in url  # percent-encoded in the link
    targets_app = run("targets", agency="ICE")
    assert all("<img" not in m.value for m in targets_app.markdown)
    assert all(not getattr(m.proto, "allow_html", False) for m in targets_app.markdown)


@pytest.fixture(scope="module")
def one_year_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("one_year")
    _ingest(home, "transactions-csv", str(next(p for p in TRANSACTIONS if "FY2021" in p.name)))
    return home


@pytest.mark.parametrize("page, query", [("targets", {"agency": "ICE"}), ("agency", {"name": "ICE"}),
                                         ("targets", {"agency": "CBP"})])
def test_one_fiscal_year_and_empty_stores_render(one_year_home, tmp_path, monkeypatch, page, query):
    for name, value in curated_env(one_year_home).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("KG_STORE", "embedded")
    app = run(page, **query)
    if page == "targets":
        assert "FY2021" in frame(app, "why")["why"][0]
    else:
        assert app.selectbox(key="a_fy").options == ["2021"]
    monkeypatch.setenv("KG_HOME", str(tmp_path / "empty"))
    empty = run(page, **query)
    assert "empty" in empty.warning[0].value


def test_dependence_is_measured_on_recipient_profiles_when_loaded(httpserver, api_responses, tmp_path, monkeypatch):
    """The REAL recorded NASA award and actions, and the REAL recorded recipient profile (FY2025)."""
    from tests.test_usaspending_recipients import load_with_profiles

    monkeypatch.setenv("KG_HOME", str(tmp_path / "kg"))
    monkeypatch.setenv("KG_STORE", "embedded")
    api, _ = load_with_profiles(httpserver, api_responses, tmp_path)
    app = run("targets", agency="8000", today="2025-09-01")
    ranking = frame(app, "why")
    (row,) = ranking.to_dict("records")
    fy2025 = 1600000.0 + 1200000.0 + 282046.29  # the three recorded FY2025 actions
    assert row["dependence"] == pytest.approx(round(fy2025 / api.profile["total_transaction_amount"], 4)
                                              if "total_transaction_amount" in api.profile else
                                              round(fy2025 / 267039000.14, 4))
    assert row["federal total, profile years ($)"] == 267039000.14
    assert row["measured on"].startswith("USAspending recipient profile FY2025–FY2025")
    assert "dependence (0–1)" in ranking.columns and not app.warning
    assert "of its federal obligations in its profile years" in row["why"]
