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
from streamlit import dataframe_util

from core.wording import short_money
from dashboard.render.profile_links import name_in
from tests.apptest_support import download, frame, run, serve
from tests.dashboard_support import HOSTILE, TRANSACTIONS, _ingest, curated_env, opens_with, saying

GEO = "org:the-geo-group-inc"


@pytest.fixture
def sample(home, monkeypatch):
    return serve(home, monkeypatch)


def shown(app, column: str):
    """The first table with this column as the reader sees it: the display values the page's Styler wrote (number
    columns hold numbers underneath, a gap as +infinity, shown as the column's words)."""
    element = next(d for d in app.dataframe if column in d.value.columns)
    return dataframe_util.convert_arrow_bytes_to_pandas_df(element.proto.arrow_data.styler.display_values)


def sql(home: Path, query: str, params=()):
    with duckdb.connect(str(home / "store.duckdb"), read_only=True) as con:
        return con.execute(query, list(params)).fetchall()


def ice_cents(home: Path, where: str, params=()) -> int:
    return sql(
        home,
        f"""SELECT coalesce(sum(f.cents), 0) FROM fact f JOIN vendor v ON v.id = f.recipient
                         WHERE f.awarding_subtier = 'subtier:7012' AND {where}""",
        params,
    )[0][0]


TODAY = "2025-09-30"
PALANTIR = "org:palantir-technologies-inc"


@pytest.fixture(scope="module")
def ice_targets(home):
    """One run of the targets page for ICE in its default sector, the technology lens (shared by the tests)."""
    with pytest.MonkeyPatch.context() as patch:
        serve(home, patch)
        app = run("targets", agency="ICE", today=TODAY)
        files = {
            "csv": download(app, "Ranking, the page's columns (CSV)"),
            "xlsx": download(app, "Ranking, calendar and settings (XLSX)"),
        }
    return app, files


def test_the_lens_is_the_default_and_ranks_palantir_not_geo_group(ice_targets, home):
    app, _ = ice_targets
    ranking = frame(app, "why")
    names = [name_in(url) for url in ranking["family"]]
    assert "Palantir Technologies Inc." in names[:3] and "The GEO Group, Inc." not in names
    assert "Amazon.com, Inc." in names[:20]
    answer = saying(app.main.markdown, "In the technology lens, a campaign on ICE would press ")
    assert opens_with(app, answer)
    assert answer.value.replace("\\", "").startswith("**In the technology lens, a campaign on ICE would press ")
    assert app.radio(key="f_sector").value == "technology" and app.button(key="lens_off")
    palantir, seen = ranking.iloc[names.index("Palantir Technologies Inc.")], shown(app, "why")
    lens = ice_cents(home, "v.family = ? AND f.category IN ('surveillance', 'data', 'cloud')", [PALANTIR])
    assert palantir["obligated"] == pytest.approx(lens / 100) and lens > 0  # a number underneath, shown short
    assert seen["obligated"][names.index("Palantir Technologies Inc.")] == short_money(lens / 100)
    assert seen["dependence"][names.index("Palantir Technologies Inc.")] == "not measured"  # no recipient profile
    assert palantir["categories"].startswith("data and analytics $") and "sold by Palantir" in palantir["categories"]
    assert palantir["why"].startswith("Palantir Technologies Inc. ranks ")
    assert "https://www.usaspending.gov/award/" in palantir["citations"]
    amazon = seen.iloc[names.index("Amazon.com, Inc.")]  # ranks on AWS sold through resellers, never summed
    assert amazon["obligated"] == "none of its own" and amazon["via resellers"].startswith("$")
    assert "via FOUR POINTS TECHNOLOGY, L.L.C. $" in amazon["citations"]  # its figure cites the resellers' awards
    reasons = "\n".join(m.value for m in app.markdown)
    assert "Palantir Technologies Inc\\. ranks 1st" in reasons and "](https://www.usaspending.gov/award/" in reasons


def test_number_columns_sort_by_value_with_their_words_after_every_number(ice_targets):
    """A click on a header sorts the values underneath: numbers (never text like "$5.1M" < "$51K"), and a gap as
    +infinity, so its words ("none of its own", "not measured") come after every number."""
    app, _ = ice_targets
    ranking, seen = frame(app, "why"), shown(app, "why")
    for column, words in (
        ("obligated", "none of its own"),
        ("via resellers", "none"),
        ("dependence", "not measured"),
        ("options", "none reported"),
    ):
        assert ranking[column].dtype.kind == "f", column
        order = ranking[column].sort_values(kind="stable").index
        gaps = [i for i in order if seen[column][i] == words]
        assert gaps == list(order[len(order) - len(gaps) :]), column  # the words last
        numbers = [ranking[column][i] for i in order if seen[column][i] != words]
        assert numbers == sorted(numbers) and all(n != float("inf") for n in numbers), column
    assert any(seen["via resellers"] == "none") and any(seen["via resellers"] != "none")
    dated = [d for d in seen["next decision"] if d != "none in the window"]
    assert all(d[:10] == d[:10].strip() and d[4] == "-" for d in dated)  # ISO dates first: text sort is date order


def test_families_without_a_profile_are_named_with_the_command_that_fetches_them(ice_targets):
    app, _ = ice_targets
    (code,) = app.code
    assert code.value.startswith("python -m ingest usaspending-recipients --vendor 'Palantir Technologies Inc.'")
    heading = next(h.value for h in app.subheader if h.value.startswith("Dependence not measured"))
    assert "families have no recipient profile" in heading
    assert set(shown(app, "why")["dependence"]) == {"not measured"}


def test_all_purchases_is_one_click_away_and_kept_in_the_url(home, ice_targets):
    with pytest.MonkeyPatch.context() as patch:
        serve(home, patch)
        app = run("targets", agency="ICE", today=TODAY, sector="all")
        ranking = frame(app, "why")
        names = [name_in(url) for url in ranking["family"]]
        assert "The GEO Group, Inc." in names[:5] and "Palantir Technologies Inc." in names
        answer = saying(app.main.markdown, "Across all purchases, a campaign on ICE")
        assert opens_with(app, answer) and answer.value.startswith("**Across all purchases, a campaign on ICE")
        geo = ranking.iloc[names.index("The GEO Group, Inc.")]
        assert geo["obligated"] == pytest.approx(ice_cents(home, "v.family = ?", [GEO]) / 100)  # every family's own
        assert "obligated by ICE in all purchases" in geo["why"] and "summed over" in geo["why"]
        lens, _ = ice_targets  # the switch back to the lens, then the lens's own button to all purchases
        app.button(key="lens_on").click().run()
        switched = [name_in(url) for url in frame(app, "why")["family"]]
        assert "The GEO Group, Inc." not in switched and switched == [name_in(u) for u in frame(lens, "why")["family"]]


def test_downloads_carry_the_pages_columns(ice_targets):
    import openpyxl

    app, files = ice_targets
    ranking = frame(app, "why")
    rows = list(csv.DictReader(io.StringIO(files["csv"].decode("utf-8"))))
    assert list(rows[0].keys()) == list(ranking.columns)
    assert [r["id"] for r in rows] == list(ranking["id"])
    first = rows[0]
    assert first["family"] == name_in(ranking["family"][0]) and first["dependence"] == "not measured"
    assert float(first["obligated"]) == ranking["obligated"][0]  # the exact number in the file
    assert (
        first["vehicles (open ceiling, not spending)"] == shown(app, "why")["vehicles (open ceiling, not spending)"][0]
    )
    assert first["why"] == ranking["why"][0] and first["citations"] == ranking["citations"][0]
    book = openpyxl.load_workbook(io.BytesIO(files["xlsx"]), read_only=True)
    assert book.sheetnames == ["targets", "renewal calendar", "about"]
    sheet = list(book["targets"].iter_rows(values_only=True))
    assert list(sheet[0]) == list(ranking.columns)
    assert [r[list(sheet[0]).index("id")] for r in sheet[1:]] == list(ranking["id"])
    about = dict(list(book["about"].iter_rows(values_only=True))[1:])
    assert about["sector"].startswith("technology lens") and about["today"] == TODAY
    assert about["command fetching their profiles"] == app.code[0].value


def test_top_vendors_of_a_fiscal_year_with_the_change_from_the_year_before(sample, home):
    app = run("agency", name="ICE", fy="2025")
    top, seen = frame(app, "Change"), shown(app, "Change")
    assert app.selectbox(key="a_fy").value == 2025
    families = dict(sql(home, "SELECT id, coalesce(family, id) FROM vendor"))
    by_year: dict[tuple[str, int], int] = {}
    for recipient, year, cents in sql(
        home,
        """SELECT recipient, fiscal_year, sum(cents) FROM fact
            WHERE awarding_subtier = 'subtier:7012' AND split AND fiscal_year IN (2024, 2025) GROUP BY ALL""",
    ):
        key = (families[recipient], year)
        by_year[key] = by_year.get(key, 0) + (cents or 0)
    expected = sorted(
        ((cents, fid) for (fid, year), cents in by_year.items() if year == 2025), key=lambda c: (-c[0], c[1])
    )
    assert len(top) == min(25, len(expected))
    for (at, row), (cents, fid) in zip(top.iterrows(), expected, strict=False):
        assert row["FY2025"] == pytest.approx(cents / 100)
        assert row["Family"].startswith(f"/vendor?name={quote(fid, safe='')}")
        if (fid, 2024) in by_year:  # a number underneath even in a column with a "new" in it
            assert row["Change"] == pytest.approx((cents - by_year[(fid, 2024)]) / 100)
        else:
            assert row["Change"] == row["FY2024"] == float("inf")  # sorts after every number, shown in words
            assert seen["Change"][at] == "new" and seen["FY2024"][at] == "none in FY2024 (new)"
    default = run("agency", name="ICE")
    assert default.selectbox(key="a_fy").value == sql(home, "SELECT max(fiscal_year) FROM fact WHERE split")[0][0]


def test_agency_page_shows_vendors_as_families_and_the_primes_subawards(sample, home):
    app = run("agency", name="ICE")
    families = frame(app, "Member names")
    geo = families.iloc[[name_in(u) for u in families["Family"]].index("The GEO Group, Inc.")]
    assert "B.I. INCORPORATED" in geo["Member names"]
    assert geo["Obligated"] == pytest.approx(ice_cents(home, "v.family = ?", [GEO]) / 100)
    subawards = frame(app, "Subcontractor")
    count = sql(
        home,
        """SELECT count(*) FROM subaward_fact s JOIN award a ON a.key = s.award_key
                         JOIN agency_tiers t ON t.id = a.awarding_id WHERE t.subtier_id = 'subtier:7012'
                         AND s.vendor IS NOT NULL""",
    )[0][0]
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
def one_year_home(tmp_path_factory, shared_data):
    home = tmp_path_factory.mktemp("one_year")
    _ingest(home, "transactions-csv", str(next(p for p in TRANSACTIONS if "FY2021" in p.name)))
    return home


@pytest.mark.parametrize(
    "page, query",
    [
        ("targets", {"agency": "ICE", "sector": "all"}),
        ("agency", {"name": "ICE"}),
        ("targets", {"agency": "CBP", "sector": "all"}),
    ],
)
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
    load_with_profiles(httpserver, api_responses, tmp_path)
    app = run("targets", agency="8000", today="2025-09-01", sector="all")
    ranking = frame(app, "why")
    (row,) = ranking.to_dict("records")
    fy2025 = 1600000.0 + 1200000.0 + 282046.29  # the three recorded FY2025 actions
    assert row["dependence"] == pytest.approx(round(fy2025 / 267039000.14, 4))
    assert "of its federal obligations from" in row["why"] and "not measured" not in row["why"]
    assert not app.code and "Every ranked family's dependence is measured" in "\n".join(c.value for c in app.caption)
