"""Every dashboard page, run by Streamlit's AppTest on the bundled sample: what each page shows.

Figures are the store's answers on the sample (the same `python -m graph vendor Palantir` prints);
the hostile record checks that a name made of HTML stays text. Makers' products sold through others
(Amazon Web Services resold by Four Points Technology) are checked on the real ICE/CBP transaction export.
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.render.profile_links import name_in
from tests.apptest_support import APP, frame, iframe_html, run, texts
from tests.dashboard_support import (
    FOUR_POINTS_AWARD,
    HOSTILE,
    curated_env,
    load_transactions,
    opens_with,
    saying,
    table,
)


@pytest.fixture(scope="module")
def resold_home(tmp_path_factory, shared_data):
    return load_transactions(tmp_path_factory.mktemp("resold"))


@pytest.fixture
def resold(resold_home, monkeypatch):
    """The transaction export's store for one test (its own rules and judgements files)."""
    for name, value in curated_env(resold_home).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("KG_STORE", "embedded")
    return resold_home


def test_network_whole_graph_draws_the_watch_list_offline(home):
    app = run("network", sector="all")  # every purchase (the landing opens on the technology lens)
    page = iframe_html(app)
    for name in (
        "Palantir Technologies Inc.",
        "The GEO Group, Inc.",
        "CoreCivic, Inc.",
        "U.S. Immigration and Customs Enforcement",
    ):  # the top families, labelled (tests/test_dashboard_network.py)
        assert f'"label": "{name}"' in page
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page, re.I)
    assert "cdn.jsdelivr" not in page and "bootstrap" not in page.lower()
    assert "new vis.Network" in page and 'id="legend"' in page
    assert "vendor families drawn (largest obligated first), 4 agencies" in texts(app)


def test_network_filters_come_from_the_url_and_go_back_to_it(home):
    app = run("network", agency="7012", vendor="Palantir", fy_from="2020")
    page = iframe_html(app)
    assert '"label": "Palantir Technologies Inc."' in page
    assert '"label": "PALANTIR USG, INC."' not in page  # its one award ran FY2017-2018
    assert '"label": "The GEO Group, Inc."' not in page
    assert "Agency:subtier:7012" in page
    assert app.query_params["agency"] == "7012" and app.query_params["vendor"] == "Palantir"
    app.sidebar.text_input(key="f_vendor").set_value("Clearview").run()
    page = iframe_html(app)
    assert '"label": "Clearview AI, Inc."' in page and "Palantir" not in page
    assert app.query_params["vendor"] == "Clearview"
    assert "Awards behind this view" in texts(app)


def test_network_expands_a_vendor_into_its_awards(home):
    app = run("network", agency="7012", vendor="Palantir", expand="Vendor:org:palantir-technologies-inc")
    page = iframe_html(app)
    assert "Award:CONT_AWD_70CTD022FR0000170_7012_GS35F0086U_4730" in page


def test_vendor_profile_palantir(home):
    app = run("vendor", name="Palantir")
    shown = texts(app)
    assert "Palantir Technologies Inc" in app.header[0].value
    assert [m.value for m in app.metric] == ["$329.20M", "$58.79M", "$133.26M", "12"]  # compact on the cards
    helps = {m.label: m.proto.help for m in app.metric}
    assert "exactly $329,201,440.48" in helps["Obligated (money committed)"]  # and exact beside them
    assert "Obligated (money committed)" in shown and "Potential value (base + all options)" in shown
    # the answer in one sentence, before any caveat, with the years it spans and the gap inside them
    answer = saying(app.main.markdown, "Palantir Technologies Inc.: $329.20M obligated by ICE")
    assert opens_with(app, answer) and answer.value.replace("\\", "") == (
        "**Palantir Technologies Inc.: $329.20M obligated by ICE in 12 awards, FY2013–FY2026 (FY2019–20 not loaded).**"
    )
    links = frame(app, "Link")  # the family tree's links, each with its source
    assert set(links["Basis"]) == {"curated", "record"} and "vendor_families.csv" in links["Source file and line"][0]
    assert "└─ PALANTIR USG, INC." in "\n".join(t.value for t in app.text)
    subsidiaries = frame(app, "UEI")
    assert "PALANTIR USG, INC." in set(subsidiaries["Name"])
    agencies = frame(app, "Tier")
    assert list(agencies["Code"]) == ["7012"] and agencies["Obligated"][0] == pytest.approx(329201440.48)
    awards = frame(app, "What was bought")
    assert list(awards.columns[:4]) == ["Award", "Vendor", "Obligated", "Awarding agency"]  # the key columns first
    assert len(awards) == 12 and awards["USAspending page"][0].startswith(
        "https://www.usaspending.gov/award/CONT_AWD_70CTD022"
    )
    citation = app.code[0].value
    assert citation.startswith(
        "PALANTIR TECHNOLOGIES INC. — U.S. Immigration and Customs Enforcement, award 70CTD022FR0000170: "
        "“INVESTIGATIVE CASE MANAGEMENT (ICM) OPERATIONS AND MAINTENANCE (O&M) SUPPORT SERVICES "
        "AND CUSTOM ENHANCEMENTS”; $150,703,824.61 obligated (sum of 14 action(s) loaded)"
    )
    assert "https://www.usaspending.gov/award/CONT_AWD_70CTD022FR0000170_7012_GS35F0086U_4730/" in citation
    assert "CBP_ICE_FY2026_Contract_Obligations.csv, line 4631" in citation  # the award's latest record
    # every action behind the total, each with its file and line; they add up to it
    behind = citation.split("Behind the obligated total: ", 1)[1].rstrip(".").split("; ")
    assert (
        len(behind) == 14
        and "2025-07-22 -$18,000.00 (mod P00010, CBP_ICE_FY2025_Contract_Obligations.csv, line 10670)" in behind
    )
    listed = [re.search(r" (-?)\$([\d,.]+)(?: net)? \(", line).groups() for line in behind]
    listed = [float(sign + digits.replace(",", "")) for sign, digits in listed]
    assert round(sum(listed), 2) == 150703824.61
    actions = frame(app, "Modification")
    assert len(actions) == 14 and round(actions["Obligated"].sum(), 2) == 150703824.61
    chosen = run("vendor", name="Palantir", award="CONT_AWD_70CTD026FC0000012_7012_70RTAC26A00000001_7001")
    assert re.search(r"award 70CTD026FC0000012: “[^”]+”; \$86,271,599\.30 obligated", chosen.code[0].value)


def test_agency_profile_ice(home):
    app = run("agency", name="ICE")
    assert "U.S. Immigration and Customs Enforcement" in app.header[0].value.replace("\\", "")
    # every ICE award of the bundle ($23,861,507,717.09: the sum of their obligated, summary else actions, in SQL
    # over the store) plus the hostile test record's $12,345.67
    obligated = next(m for m in app.metric if m.label == "Obligated (money committed)")
    assert obligated.value == "$23.86B"
    assert "exactly $23,861,520,062.76" in obligated.proto.help
    answer = saying(app.main.markdown, "ICE obligated $23.86B in ")
    assert opens_with(app, answer) and answer.value.replace("\\", "").startswith("**ICE obligated $23.86B in ")
    assert "FY2013–FY2026 (FY2019–20 not loaded)" in answer.value.replace("\\", "")
    children = frame(app, "Tier")
    assert "70CDCR" in set(children["Code"])
    families = frame(app, "Member names")  # vendors as families: GEO Group's members' ICE money together
    assert name_in(families["Family"][0]) == "The GEO Group, Inc."
    assert families["Obligated"][0] == pytest.approx(4804761815.55)
    assert "Palantir Technologies Inc." in {name_in(link) for link in families["Family"]}
    assert "report an end date (current or potential)" in texts(app)  # the coverage beside the totals


def test_paths_palantir_to_ice(home):
    app = run("paths", a="Palantir", b="ICE")
    answer = saying(app.main.markdown, "family $329.20M in 12 awards")
    assert opens_with(app, answer)  # the answer first, before any evidence or caveat
    headline = answer.value.replace("\\", "")
    assert headline.startswith(
        "#### U.S. Immigration and Customs Enforcement awarded the Palantir Technologies Inc. "
        "family $329.20M in 12 awards, FY2013–FY2026 (FY2019–20 not loaded): a direct tie"
    )
    # then the direct ties: the same money and awards as the vendor profile's ICE row, by year and office
    shown = texts(app).replace("\\", "")
    assert (
        "U.S. Immigration and Customs Enforcement awarded contract actions to the Palantir Technologies Inc. family: "
        "$329,201,440.48 obligated in 12 awards (44 actions), FY2013–FY2026."
    ) in shown
    offices = frame(app, "Office")
    assert offices["Office"].iloc[-1] == "office not named in the records"  # the FY2021+ exports name none
    assert offices["Obligated"].iloc[-1] == "$318,692,423.00" and len(offices) == 5  # with ICE's 4 named offices
    hops = frame(app, "What the records say")  # the family's own registration adds no hop
    assert list(hops["What the records say"]) == [
        "U.S. Immigration and Customs Enforcement awarded PALANTIR TECHNOLOGIES INC. $318.69M in 8 awards"
    ]
    assert "another registration of Palantir Technologies Inc. (source: vendor_families.csv)" in shown
    assert hops["Permalink"][0].startswith("https://www.usaspending.gov/award/") and hops["Awards"][0] == 8
    cited = frame(app, "Award")
    assert len(cited) == 5 and all(link.startswith("https://www.usaspending.gov/award/") for link in cited["Permalink"])
    drawn = iframe_html(app)  # the chain as a small graph, the amount written on each hop
    assert re.search(r"awarded \$[\d.]+M in 8 award\(s\)", drawn)


def test_targets_ranking_and_renewals(home):
    """All purchases (the lens is the default: tests/test_dashboard_targets.py): GEO Group (with B.I.
    Incorporated inside) leads ICE; its money is its members' ICE actions and award rests ($4,804,761,815.55 by
    SQL over the store, see tests/test_brief.py); with every other weight at 0 the score is exposure alone."""
    app = run("targets", agency="ICE", today="2025-01-01", months="24", sector="all")
    ranking = table(app, "targets-ranking")
    top = ranking.iloc[0]
    assert name_in(top["family"]) == "The GEO Group, Inc." and "summed over" in top["why"]
    assert top["obligated"] == pytest.approx(4804761815.55)
    assert "renewal calendar:" in texts(app).lower()
    for name in ("dependence", "growth", "contracts", "renewals", "options"):
        app.number_input(key=f"t_w_{name}").set_value(0.0).run()
    reweighted = table(app, "targets-ranking")
    assert name_in(reweighted["family"][0]) == "The GEO Group, Inc." and reweighted["score"][0] == 1.0
    assert app.query_params["w_renewals"] == "0.0" and app.query_params["sector"] in ("all", ["all"])


def test_sources_lists_the_load_and_the_caveats(home):
    app = run("sources")
    runs = table(app, "sources-loads")
    # the bundle (federal, local and contract-vehicle rows) + the hostile row
    assert list(runs["rows read"]) == [65007 + 42986 + 593 + 1] and list(runs["rows rejected"]) == [0]
    assert "ice_bulk_downloads_2025.csv" in runs["inputs"][0]
    assert "Obligated is not value" in texts(app)


def test_empty_store_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_HOME", str(tmp_path))
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert "make load" in app.warning[0].value


def test_hostile_name_stays_text(home):
    app = run("vendor", name="<img src=x")
    assert not app.exception
    assert app.header[0].value.replace("\\", "") == HOSTILE.replace("<", "&lt;").replace(">", "&gt;")
    assert HOSTILE in app.code[0].value  # st.code shows text verbatim
    assert all(not getattr(m.proto, "allow_html", False) for m in app.markdown)
    network = run("network", vendor="<img src=x")
    page = iframe_html(network)
    assert HOSTILE not in page  # in the data JSON as \u003cimg…, in the tooltip as &lt;img…
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in page


def test_sources_shows_what_changed_for_the_watch_list(home):
    from core.curated import load_watchlist

    app = run("sources")
    changes = frame(app, "Watching")
    watched = {entry["name"] for entry in load_watchlist()}
    assert set(changes["Watching"]) <= watched and "Palantir Technologies" in set(changes["Watching"])
    palantir = changes[changes["Watching"] == "Palantir Technologies"]
    assert set(palantir["Change"]) >= {"new_award", "new_vendor"}
    assert all(
        str(link).startswith("https://www.usaspending.gov/award/") for link in palantir["USAspending page"].dropna()
    )
    assert palantir["Source file and line"].str.contains(r"\.csv, line \d+").all()
    assert "python -m graph changes --since" in texts(app)


# -- makers' products sold through others (the transaction export) --------------------------------------


def test_vendor_profile_keeps_sold_through_others_apart(resold):
    app = run("vendor", name="Amazon")
    shown = texts(app)
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Obligated (money committed)"] == "$8.89k"  # AWS's own CBP award
    assert metrics["Obligated directly (its family's own awards)"] == "$8.89k"
    assert metrics["Sold through others (attributed from award descriptions)"] == "$452.82M"
    helps = {m.label: m.proto.help for m in app.metric}
    assert "exactly $452,820,512.13" in helps["Sold through others (attributed from award descriptions)"]
    assert "never added together" in shown and "Not part of the maker's own obligations" in shown
    resellers = table(app, "vendor-resellers")
    assert resellers["reseller"][0] == "FOUR POINTS TECHNOLOGY, L.L.C."
    assert resellers["obligated (attributed)"][0] == pytest.approx(405266917.60)
    assert resellers["actions"][0] == 68 and resellers["products"][0] == "Amazon Web Services"
    actions = table(app, "vendor-attributed-actions")
    assert len(actions) == 100 and actions["amount"].is_monotonic_decreasing
    top = actions.iloc[0]
    assert top["reseller"] == "FOUR POINTS TECHNOLOGY, L.L.C." and top["agency"] == "U.S. Customs and Border Protection"
    assert top["matched"] == "AMAZON WEB SERVICES" and "INCREASE AMAZON WEB SERVICES OPTIONAL UNITS" in top["text"]
    assert top["award"] == FOUR_POINTS_AWARD and top["judgement"] == "pending" and top["confidence"] == 0.9
    assert all(link.startswith("https://www.usaspending.gov/award/") for link in actions["permalink"])


def test_vendor_without_products_sold_through_others_gets_one_line(resold):
    app = run("vendor", name="FOUR POINTS TECHNOLOGY")
    assert "Sold through others" not in [h.value for h in app.subheader]
    assert any("no contract action recorded under another vendor" in c.value for c in app.caption)


def test_agency_profile_lists_makers_sold_directly_and_through_others(resold):
    app = run("agency", name="ICE")
    makers = next(d.value for d in app.dataframe if "maker" in d.value.columns)
    amazon = makers[makers["maker"] == "Amazon.com, Inc."].iloc[0]
    assert amazon["sold directly ($)"] == 0.0 and amazon["direct awards"] == 0
    assert amazon["through others ($, attributed from award descriptions)"] == pytest.approx(51671339.71)
    assert amazon["actions through others"] == 10 and amazon["awards through others"] == 6
    assert amazon["resellers"].startswith("FOUR POINTS TECHNOLOGY, L.L.C. (Amazon Web Services)")
    assert "Makers: sold directly and through others" in [h.value for h in app.subheader]


def test_network_draws_the_resellers_layer_from_the_url(resold):
    plain = iframe_html(run("network", agency="7014"))
    assert "legend-resellers" not in plain and f'"color": "{network_colour()}"' not in plain
    app = run("network", agency="7014", resellers="True")
    page = iframe_html(app)
    assert "legend-resellers" in page and f'"color": "{network_colour()}", "dashes": true' in page
    assert '"from": "Vendor:org:amazon-com-inc", "label": "Amazon Web Services $353.63M"' in page.replace("\n", "")
    assert "attributed from award descriptions" in texts(app)
    assert app.query_params["resellers"] == "True"
    app.sidebar.checkbox(key="f_resellers").uncheck().run()
    assert "resellers" not in app.query_params and "legend-resellers" not in iframe_html(app)


def network_colour() -> str:
    from dashboard.render.pyvis_network import RESELLER_COLOUR

    return RESELLER_COLOUR


def test_paths_follow_products_sold_through_resellers(resold):
    app = run("paths", a="Amazon", b="ICE")
    hops = frame(app, "What the records say")
    assert list(hops["What the records say"]) == [
        "U.S. Immigration and Customs Enforcement bought Amazon.com, Inc.'s "
        "products through other vendors: $51.67M (attributed from award "
        "descriptions)"
    ]
    assert hops["Obligated"][0] == "$51,671,339.71"
    route = hops["Through others (attributed from award descriptions)"][0]
    assert route.startswith("Amazon Web Services via FOUR POINTS TECHNOLOGY, L.L.C., $51,639,537, 8 actions")
    records = table(app, "paths-chain-1-through-others")
    assert set(records["reseller"]) == {"FOUR POINTS TECHNOLOGY, L.L.C.", "BLUE TECH INC."} and len(records) == 7
    assert all(link.startswith("https://www.usaspending.gov/award/") for link in records["permalink"])
    direct = run("paths", a="Amazon", b="ICE", follow="False")  # AWS's own CBP award reaches ICE only through CBP
    saying(direct.main.markdown, "through an office that dealt with both sides")  # one Markdown of its own says it
    assert not [d for d in direct.dataframe if "What the records say" in d.value.columns]  # not shown as a path
    asked = run("paths", a="Amazon", b="ICE", follow="False", shared="True")
    relations = list(frame(asked, "What the records say")["What the records say"])
    assert relations[0] == "AMAZON WEB SERVICES, INC. is a subsidiary of Amazon.com, Inc."
    assert not any("through other vendors" in r for r in relations)


def test_review_lists_attributions_and_merges_with_their_evidence(resold):
    app = run("review")
    attributions = table(app, "review-attributions")
    assert attributions["award"][0] == FOUR_POINTS_AWARD and attributions["maker"][0] == "Amazon.com, Inc."
    assert attributions["recipient (reseller)"][0] == "FOUR POINTS TECHNOLOGY, L.L.C."
    assert attributions["obligated (attributed)"][0] == pytest.approx(205047324.62)
    assert attributions["obligated (attributed)"].is_monotonic_decreasing and len(attributions) == 18
    assert set(attributions["judgement"]) == {"pending"}
    evidence = table(app, "review-attribution-evidence")
    assert "INCREASE AMAZON WEB SERVICES OPTIONAL UNITS" in evidence["text"][0]
    merges = table(app, "review-merges")
    assert merges["reported party"][0] == "LEIDOS, INC." and merges["vendor id"][0] == "name:LEIDOS"
    assert merges["match"][0] == "name only" and merges["permalink"][0].startswith("https://www.usaspending.gov/")
    assert "python -m graph attribute" in texts(app)
    assert app.selectbox(key="r_item").value.split("\x1f") == ["attribution", FOUR_POINTS_AWARD, "org:amazon-com-inc"]
    merges_only = run("review", kind="merge", pending="True")
    assert "Attributions" not in " ".join(h.value for h in merges_only.subheader)
    assert merges_only.selectbox(key="r_item").value.startswith("merge\x1f")


def test_review_form_reports_a_bad_judgement_and_writes_nothing(resold):
    app = run("review")
    app.radio(key="r_verdict_attribution").set_value("wrong")
    app.text_input(key="r_who").input("tester")
    app.button[0].click().run()  # no "why": the judgements file says what is missing
    assert not app.success and "say why" in app.error[0].value
    assert not (resold / "judgements.csv").exists()


@pytest.fixture(scope="module")
def one_year_home(tmp_path_factory, shared_data):
    """A store holding one fiscal year (the FY2021 export only): the fiscal-year slider has no range."""
    from tests.dashboard_support import TRANSACTIONS, _ingest

    home = tmp_path_factory.mktemp("one_year")
    _ingest(home, "transactions-csv", str(next(p for p in TRANSACTIONS if "FY2021" in p.name)))
    return home


@pytest.mark.parametrize(
    "page, query",
    [
        ("network", {}),
        ("network", {"agency": "7012"}),
        ("vendor", {"name": "GEO GROUP"}),
        ("agency", {"name": "ICE"}),
        ("paths", {"a": "GEO GROUP", "b": "ICE"}),
        ("targets", {"agency": "ICE"}),
        ("sources", {}),
        ("review", {}),
    ],
)
def test_a_one_fiscal_year_store_renders_every_page(one_year_home, monkeypatch, page, query):
    for name, value in curated_env(one_year_home).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("KG_STORE", "embedded")
    app = run(page, **query)  # no exception (issue 11: the slider raised StreamlitInvalidMinMaxError)
    if page == "network":
        assert any("Fiscal year 2021" in c.value for c in app.sidebar.caption)


def test_the_agency_filter_finds_an_agency_by_its_abbreviation(home):
    app = run("network")
    labels = [app.sidebar.selectbox[0].format_func(option) for option in app.sidebar.selectbox[0].options]
    first = next(label for label in labels if "ICE" in label)  # what the selectbox search matches, in its order
    assert first.startswith("U.S. Immigration and Customs Enforcement (ICE, 7012, subtier")


def test_the_sidebar_navigation_keeps_the_vendor_and_the_agency(home):
    """A page opened from the sidebar has an empty URL: it starts from the vendor and agency last shown."""
    app = run("vendor", name="Palantir")
    app.query_params.clear()
    app.switch_page("views/agency.py").run()
    assert app.text_input(key="a_name").value == ""  # no agency shown yet
    app.text_input(key="a_name").set_value("ICE").run()
    app.query_params.clear()
    app.switch_page("views/paths.py").run()
    assert not app.exception, [e.message for e in app.exception]
    assert (app.text_input(key="p_a").value, app.text_input(key="p_b").value) == ("Palantir", "ICE")
    assert "awarded contract actions to the Palantir Technologies Inc. family" in texts(app).replace("\\", "")
    app.query_params.clear()
    app.switch_page("views/targets.py").run()
    assert app.text_input(key="t_agency").value == "ICE"
