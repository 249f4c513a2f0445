"""The Network page's default drawing (issue 11): the top vendor families, all labelled, the rest grouped per
agency into "N other vendors, $X", checked against sums taken straight from the store's fact table with
DuckDB; the same drawing twice; stores of one fiscal year, none and one vendor; hostile names stay text."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections import defaultdict

import duckdb
import pytest

from dashboard.render.pyvis_network import short_money
from dashboard.shaping.network import GROUP_PREFIX, MAX_NODES
from graph.questions.queries import Queries
from tests.apptest_support import frame, iframe_html
from tests.apptest_support import run as run_page
from tests.dashboard_support import HOSTILE, HOSTILE_UEI, ROOT, _ingest, opens_with, saying


def run(page: str = "network", timeout: int = 180, /, **query):
    """The page over every purchase (these tests check the whole drawing; the landing opens on the technology
    lens, tests/test_sector_lens.py)."""
    return run_page(page, timeout, **{"sector": "all", **query})


SAMPLE_FILES = sorted((ROOT / "data" / "sample").glob("*.csv.gz"))  # the rows (coverage.csv declares, holds none)
NODE = re.compile(r"nodes = new vis\.DataSet\((\[.*?\])\);", re.S)


def drawn_nodes(page: str) -> list[dict]:
    return json.loads(NODE.search(page).group(1))


def store_sums(home) -> tuple[dict, dict]:
    """From the fact table itself: cents per (vendor, sub-agency) and each vendor's family now."""
    con = duckdb.connect(str(home / "store.duckdb"), read_only=True)
    try:
        pairs = con.execute("""SELECT recipient, awarding_subtier, sum(cents) FROM fact
                               WHERE recipient IS NOT NULL AND awarding_subtier IS NOT NULL GROUP BY ALL""").fetchall()
        family = dict(con.execute("SELECT id, coalesce(family, id) FROM vendor").fetchall())
    finally:
        con.close()
    return {(v, a): int(c or 0) for v, a, c in pairs}, family


def test_default_view_labels_the_top_families_and_groups_the_rest(home):
    app = run()
    page = iframe_html(app)
    nodes = drawn_nodes(page)
    assert 0 < len(nodes) <= MAX_NODES
    assert all(n["label"] and n["font"]["size"] > 0 for n in nodes)  # every node labelled
    pairs, family = store_sums(home)
    totals: dict[str, int] = defaultdict(int)
    for (vendor, _), cents in pairs.items():
        totals[family.get(vendor, vendor)] += cents
    order = sorted(totals, key=lambda f: (-totals[f], f))
    drawn = {n["id"].split(":", 1)[1] for n in nodes if n["id"].startswith("Vendor:")}
    assert drawn == set(order[: len(drawn)])  # the largest families, no other
    labels = {n["label"] for n in nodes}
    for name, head in (
        ("Palantir Technologies Inc.", "org:palantir-technologies-inc"),
        ("The GEO Group, Inc.", "org:the-geo-group-inc"),
        ("CoreCivic, Inc.", None),
        ("Amazon.com, Inc.", "org:amazon-com-inc"),
    ):
        if head is None or head in drawn:
            assert name in labels, name
    palantir = next(n for n in nodes if n["id"] == "Vendor:org:palantir-technologies-inc")
    assert f"${totals['org:palantir-technologies-inc'] / 100:,.2f}" in palantir["title"]
    groups = [n for n in nodes if n["id"].startswith(GROUP_PREFIX)]
    assert groups, "the vendors left out are grouped"
    for group in groups:
        agency = group["id"][len(GROUP_PREFIX) :].split(":", 1)[1]
        left = {v: c for (v, a), c in pairs.items() if a == agency and family.get(v, v) not in drawn}
        cents = sum(left.values())
        assert group["label"] == f"{len(left):,} other vendors, {short_money(cents / 100)}"
        assert f"${cents / 100:,.2f}" in group["title"]  # exact in the tooltip
    assert "window.parent" in page and "node.url" in page  # a click opens the profile
    assert palantir["url"] == "vendor?name=Palantir+Technologies+Inc."  # a name the profile finds it by
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page, re.I)


def test_the_drawing_is_the_same_on_two_runs(home):
    first, second = drawn_nodes(iframe_html(run())), drawn_nodes(iframe_html(run()))
    assert [(n["id"], n["x"], n["y"]) for n in first] == [(n["id"], n["x"], n["y"]) for n in second]


def test_show_more_draws_the_next_families(home):
    default = {n["id"] for n in drawn_nodes(iframe_html(run()))}
    more = {n["id"] for n in drawn_nodes(iframe_html(run(more="25")))}
    added = {i for i in more - default if i.startswith("Vendor:")}
    assert len(added) == 25 and default - more <= {i for i in default if i.startswith(GROUP_PREFIX)}


def test_search_focuses_a_drawn_node(home):
    app = run(find="Palantir")
    assert app.selectbox(key="n_focus").value == "Vendor:org:palantir-technologies-inc"
    assert app.query_params["focus"] == "Vendor:org:palantir-technologies-inc"
    page = iframe_html(app)
    assert 'var id = "Vendor:org:palantir-technologies-inc";' in page and "network.focus(id" in page


def test_ego_network_of_a_family_and_of_an_agency(home):
    one = drawn_nodes(iframe_html(run(mode="ego", ego="Vendor:org:palantir-technologies-inc", hops="1")))
    assert {n["id"] for n in one} == {"Vendor:org:palantir-technologies-inc", "Agency:subtier:7012"}
    two = drawn_nodes(iframe_html(run(mode="ego", ego="Vendor:org:palantir-technologies-inc", hops="2")))
    assert "Vendor:org:the-geo-group-inc" in {n["id"] for n in two} and len(two) <= MAX_NODES
    assert any(n["id"] == GROUP_PREFIX + "Agency:subtier:7012" for n in two)
    ice = drawn_nodes(iframe_html(run(mode="ego", ego="Agency:subtier:7012")))
    assert "Vendor:org:palantir-technologies-inc" in {n["id"] for n in ice} and len(ice) <= MAX_NODES


def test_awards_are_paged(home):
    app = run(agency="7012")
    table = frame(app, "Award key")
    assert len(table) == 50 and table["Obligated"].is_monotonic_decreasing
    second = frame(run(agency="7012", page="2"), "Award key")
    assert not set(table["Award key"]) & set(second["Award key"])
    assert table["Obligated"].min() >= second["Obligated"].max()


def test_subaward_layer_is_dashed_and_kept_apart(home):
    app = run(subawards="True")
    page = iframe_html(app)
    subs = re.findall(r'"label": "subaward [^"]*"', page)
    captions = "\n".join(c.value for c in app.caption)
    assert "Subawards, dashed" in captions and "not added to the obligated figures" in captions
    if subs:
        assert "legend-subawards" in page and '"dashes": [6, 4]' in page


def test_hostile_name_stays_text(home):
    app = run(vendor="<img src=x")
    page = iframe_html(app)
    node = next(n for n in drawn_nodes(page) if n["id"] == f"Vendor:uei:{HOSTILE_UEI}")
    assert node["label"].startswith("<img src=x")  # canvas text, drawn as its characters
    assert "<img" not in page  # in the page's script it is \u003cimg: no tag, no end of script
    found = run(vendor="<img src=x", find="<img")
    assert found.selectbox(key="n_focus").value == f"Vendor:uei:{HOSTILE_UEI}"
    assert "<img" not in iframe_html(found)
    assert HOSTILE.startswith("<img src=x")


def filtered_store(folder, keep) -> object:
    """A store loaded from the bundled rows that `keep(row)` accepts (plain CSV copies of the sample files)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for source in SAMPLE_FILES:
        opener = gzip.open if source.suffix == ".gz" else open
        with opener(source, "rt", newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            rows = [row for row in reader if keep(row)]
            columns = reader.fieldnames
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
        path = folder / source.name.removesuffix(".gz")
        path.write_text(out.getvalue(), encoding="utf-8")
        files.append(str(path))
    home = folder / "kg"
    _ingest(home, "normalized", *files)
    return home


def fiscal_year(row) -> int | None:
    day = row.get("action_date") or ""
    return int(day[:4]) + (1 if day[5:7] >= "10" else 0) if len(day) >= 7 else None


@pytest.mark.parametrize(
    "name, keep",
    [
        ("one_year", lambda row: fiscal_year(row) == 2024),
        ("one_vendor", lambda row: "PALANTIR" in (row.get("recipient_name") or "").upper()),
        ("empty", lambda row: False),
    ],
)
def test_small_stores_render(tmp_path, monkeypatch, name, keep):
    home = filtered_store(tmp_path / name, keep)
    monkeypatch.setenv("KG_HOME", str(home))
    monkeypatch.setenv("KG_STORE", "embedded")
    app = run()
    if name == "empty":  # no award loaded: the page says so (or the store reports itself empty)
        said = [w.value for w in app.warning] + [i.value for i in app.info]
        assert any("is empty" in t or "No award matches" in t for t in said), said
        return
    nodes = drawn_nodes(iframe_html(app))
    assert nodes and all(n["label"] for n in nodes)
    if name == "one_vendor":
        assert "Vendor:org:palantir-technologies-inc" in {n["id"] for n in nodes}
        assert not any(n["id"].startswith(GROUP_PREFIX) for n in nodes)
    run(mode="ego", ego=nodes[0]["id"], hops="2")


def test_search_draws_a_family_outside_the_top_ones_and_centres_on_it(home):
    """Amazon's own obligations do not place it among the top families; searching for it draws it anyway."""
    amazon = "Vendor:org:amazon-com-inc"
    top = [n["id"] for n in drawn_nodes(iframe_html(run()))]
    assert amazon not in top
    app = run(find="Amazon")
    assert app.query_params["focus"] == amazon
    nodes = {n["id"]: n for n in drawn_nodes(iframe_html(app))}
    assert nodes[amazon]["label"] == "Amazon.com, Inc."
    assert "not among the top families by money: drawn as well" in " ".join(c.value for c in app.caption).replace(
        "\\", ""
    )


# -- issue 26: the network, polished --------------------------------------------------------------------------------
from dashboard.render import pyvis_network as network  # noqa: E402
from dashboard.shaping import network as network_view  # noqa: E402

AMAZON, PALANTIR, ICE = "Vendor:org:amazon-com-inc", "Vendor:org:palantir-technologies-inc", "Agency:subtier:7012"


@pytest.fixture(scope="module")
def bundle(home):
    """The bundle's store, its whole subgraph with the through-resellers layer, and its vendors with aliases."""
    from graph.store import open_store

    store = open_store("embedded", home=home)
    try:
        yield (
            store,
            Queries(store).subgraph(through_others=True),
            [e for e in Queries(store).entities() if e["kind"] == "Vendor"],
        )
    finally:
        store.close()


def ego_view(graph: dict, ego: str, hops: int = 1, resellers: bool = False) -> dict:
    """A one-entity view as the page builds it (the layer kept to the entity, vendors joined to drawn families)."""
    view = network_view.top_view(graph, scope=network_view.ego_scope(graph, ego, hops), pinned=ego)
    if resellers:
        layer = network_view.layer_scope(graph["through_others"], graph, ego)
        view = network.with_resellers(view, layer, network_view.family_heads(graph))
    return view


def test_label_widths_are_arial_widths():
    """Widths Chromium measured for two of the bundle's labels (vis-network's own label boxes)."""
    assert abs(network_view.text_width("Palantir Technologies Inc.", 12) - 136.75) < 2
    assert abs(network_view.text_width("U.S. Immigration and Customs Enforcement", 14) - 273.88) < 3


def test_nodes_never_stack_and_no_label_or_node_covers_another(bundle):
    _, graph, _ = bundle
    views = {
        "default": network_view.top_view(graph),
        "more": network_view.top_view(graph, more=50),
        "Amazon": ego_view(graph, AMAZON),
        "Amazon, resellers": ego_view(graph, AMAZON, resellers=True),
        "Palantir": ego_view(graph, PALANTIR),
        "Palantir, 2 hops": ego_view(graph, PALANTIR, 2),
        "ICE": ego_view(graph, ICE),
        "ICE, resellers": ego_view(graph, ICE, resellers=True),
    }
    for name, view in views.items():
        where = network_view.layout(view)
        assert set(where) == {n["id"] for n in view["nodes"]}, name
        boxes = network_view.node_boxes(view)
        assert network_view.overlaps(where, boxes) == [], name
        ids = sorted(where)
        closest = min(
            (((where[a][0] - where[b][0]) ** 2 + (where[a][1] - where[b][1]) ** 2) ** 0.5, a, b)
            for i, a in enumerate(ids)
            for b in ids[i + 1 :]
        )
        assert closest[0] >= 30, (name, closest)
        for group in (n for n in view["nodes"] if n["kind"] == "Group"):  # a group never covers a named vendor
            left, top, right, bottom = boxes[group["id"]]
            gx, gy = where[group["id"]]
            for node in view["nodes"]:
                if node["kind"] == "Vendor":
                    x, y = where[node["id"]]
                    assert not (gx + left <= x <= gx + right and gy + top <= y <= gy + bottom), (name, node["id"])
    amazon = network_view.layout(views["Amazon"])
    assert set(amazon) == {AMAZON, ICE, "Agency:subtier:7014"}  # ICE and CBP: once on one spot, now apart
    assert (
        abs(amazon[ICE][0] - amazon["Agency:subtier:7014"][0]) + abs(amazon[ICE][1] - amazon["Agency:subtier:7014"][1])
        > 100
    )


def test_resellers_layer_keeps_to_the_entity(bundle):
    _, graph, _ = bundle
    heads = network_view.family_heads(graph)
    whole = network.with_resellers(network_view.top_view(graph), graph["through_others"], heads)
    amazon = ego_view(graph, AMAZON, resellers=True)
    layer = [e for e in amazon["edges"] if e["type"] in network.RESELLER_EDGES]
    assert layer and len(amazon["nodes"]) < 20 and len(amazon["nodes"]) < len(whole["nodes"]) // 5
    assert {e["maker"] for e in layer} == {"org:amazon-com-inc"}  # its products, through its resellers
    resold = {e["source"] for e in layer if e["type"] == "RESOLD_TO"}
    assert resold == {e["target"] for e in layer if e["type"] == "THROUGH_RESELLER"}
    assert len(resold) >= 5
    assert network_view.layer_scope(graph["through_others"], graph, PALANTIR)["edges"] == []  # none of its own
    ice = network_view.layer_scope(graph["through_others"], graph, ICE)
    assert ice["edges"] and {e["target"] for e in ice["edges"] if e["type"] == "RESOLD_TO"} == {ICE}
    for sold in (e for e in ice["edges"] if e["type"] == "THROUGH_RESELLER"):  # summed over ICE's links alone
        legs = [
            e
            for e in ice["edges"]
            if e["type"] == "RESOLD_TO" and e["maker"] == sold["maker"] and e["source"] == sold["target"]
        ]
        assert round(sold["obligated"] or 0, 2) == round(sum(e["obligated"] or 0 for e in legs), 2)
        assert sold["actions"] == sum(e["actions"] for e in legs)
    drawn = {n["id"] for n in whole["nodes"]}
    for node in whole["nodes"]:  # a reseller whose family is drawn joins that node: no second node for it
        if node.get("shown_for", "").startswith("the through-resellers layer"):
            assert heads.get(node["id"], node["id"]) not in drawn - {node["id"]}


def test_a_click_opens_the_profile_by_a_name_that_finds_the_family(bundle):
    store, graph, vendors = bundle
    view = network_view.top_view(graph)
    named = network_view.unique_names(view["nodes"], vendors)
    assert PALANTIR in named and len(named) > len(view["nodes"]) // 2
    urls = network_view.with_urls(view, {}, named)["nodes"]
    palantir = next(n for n in urls if n["id"] == PALANTIR)
    assert palantir["url"] == "vendor?name=Palantir+Technologies+Inc."
    for node in urls:
        if node["id"] in named:  # the name in the box finds the family the click was on
            assert "Vendor:" + Queries(store).resolve_family(node["name"])[0] == node["id"], node["name"]


def test_the_entity_picker_ranks_names_first(bundle):
    _, graph, vendors = bundle
    from dashboard.views.network import picker_entries

    fams = network_view.families(graph)
    agencies = [
        {**n, "abbreviation": {"Agency:subtier:7012": "ICE", "Agency:subtier:7014": "CBP"}.get(n["id"])}
        for n in graph["nodes"]
        if n["kind"] == "Agency"
    ]
    entries = picker_entries(agencies, fams, network_view.ranked(fams), vendors)
    amazon = network_view.rank_entities("Amazon", entries)
    assert amazon[0] == AMAZON
    assert not any("WASTE MANAGEMENT" in (fams[h]["name"] or "") for h in amazon if h in fams)
    assert network_view.rank_entities("ICE", entries)[0] == ICE  # its abbreviation, a whole word
    names = {e["id"]: e["names"][0] or "" for e in entries}
    tiers = []  # each choice's tier, in the order offered: never a lower tier before a higher one
    for eid in network_view.rank_entities("secure", entries):
        name = names[eid].casefold()
        tiers.append(
            0
            if re.search(r"(?<!\w)secure(?!\w)", name)
            else 1
            if name.startswith("secure")
            else 2
            if "secure" in name
            else 3
        )
    assert tiers == sorted(tiers) and tiers
    assert len(network_view.rank_entities("", entries)) == len(entries)


def test_the_page_opens_with_its_answer_and_keeps_caveats_in_an_expander(home):
    app = run()
    answer = saying(app.main.markdown, "got the most")
    assert opens_with(app, answer)
    first = answer.value.replace("\\", "")
    pairs, family = store_sums(home)
    totals: dict[str, int] = defaultdict(int)
    for (vendor, _), cents in pairs.items():
        totals[family.get(vendor, vendor)] += cents
    top = min(totals, key=lambda f: (-totals[f], f))
    assert first.startswith("**") and "got the most" in first and short_money(totals[top] / 100) in first
    assert "vendor families drawn" in " ".join(c.value for c in app.expander[0].caption)
    ice = run(mode="ego", ego=ICE, resellers="True")
    assert opens_with(ice, saying(ice.main.markdown, "got the most from U.S. Immigration and Customs Enforcement"))
    assert "Through resellers of this entity" in " ".join(c.value for c in ice.expander[0].caption)


@pytest.mark.parametrize(
    "query, said",
    [
        ({"mode": "ego", "ego": "Vendor:org:no-such-company"}, "names no vendor family or agency"),
        ({"fy_from": "1990"}, "is below"),
        ({"fy_to": "2090"}, "is above"),
        ({"vendor": "zzqx no such vendor"}, "no vendor name or alias contains"),
        ({"expand": "Vendor:org:no-such-company"}, "is not a vendor family drawn here"),
        ({"focus": "Vendor:org:no-such-company"}, "is not a node of this drawing"),
    ],
)
def test_bad_links_say_so(home, query, said):
    app = run(**query)
    shown = " ".join([w.value for w in app.warning] + [i.value for i in app.info] + [e.value for e in app.error])
    assert said in shown.replace("\\", ""), shown


def test_typing_a_name_in_the_picker_draws_that_entity(home):
    app = run(mode="ego")
    app.text_input(key="n_ego_q").input("Amazon").run()
    picker = app.selectbox(key="n_ego:amazon")
    assert picker.value == AMAZON and app.query_params["ego"] == AMAZON
    assert not any("WASTE MANAGEMENT" in o for o in picker.options)
    assert {n["id"] for n in drawn_nodes(iframe_html(app))} >= {AMAZON, ICE}
