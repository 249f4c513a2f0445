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

from dashboard.network import short_money
from dashboard.network_view import GROUP_PREFIX, MAX_NODES
from tests.apptest_support import iframe_html, run
from tests.dashboard_support import HOSTILE, HOSTILE_UEI, ROOT, _ingest

SAMPLE_FILES = sorted((ROOT / "data" / "sample").glob("*.csv*"))
NODE = re.compile(r'nodes = new vis\.DataSet\((\[.*?\])\);', re.S)


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
    assert drawn == set(order[:len(drawn)])  # the largest families, no other
    labels = {n["label"] for n in nodes}
    for name, head in (("Palantir Technologies Inc.", "org:palantir-technologies-inc"),
                       ("The GEO Group, Inc.", "org:the-geo-group-inc"), ("CoreCivic, Inc.", None),
                       ("Amazon.com, Inc.", "org:amazon-com-inc")):
        if head is None or head in drawn:
            assert name in labels, name
    palantir = next(n for n in nodes if n["id"] == "Vendor:org:palantir-technologies-inc")
    assert f"${totals['org:palantir-technologies-inc'] / 100:,.2f}" in palantir["title"]
    groups = [n for n in nodes if n["id"].startswith(GROUP_PREFIX)]
    assert groups, "the vendors left out are grouped"
    for group in groups:
        agency = group["id"][len(GROUP_PREFIX):].split(":", 1)[1]
        left = {v: c for (v, a), c in pairs.items() if a == agency and family.get(v, v) not in drawn}
        cents = sum(left.values())
        assert group["label"] == f"{len(left):,} other vendors, {short_money(cents / 100)}"
        assert f"${cents / 100:,.2f}" in group["title"]  # exact in the tooltip
    assert "window.parent" in page and "node.url" in page  # a click opens the profile
    assert palantir["url"] == "vendor?name=org%3Apalantir-technologies-inc"
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
    table = app.dataframe[0].value
    assert len(table) == 50 and table["obligated"].is_monotonic_decreasing
    second = run(agency="7012", page="2").dataframe[0].value
    assert not set(table["key"]) & set(second["key"])
    assert table["obligated"].min() >= second["obligated"].max()


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


@pytest.mark.parametrize("name, keep", [
    ("one_year", lambda row: fiscal_year(row) == 2024),
    ("one_vendor", lambda row: "PALANTIR" in (row.get("recipient_name") or "").upper()),
    ("empty", lambda row: False),
])
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
    assert "not among the top families by money: drawn as well" in " ".join(c.value for c in app.caption).replace("\\", "")

