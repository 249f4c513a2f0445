"""Issue 10: the makers behind resellers, from the real FY2021–2026 ICE/CBP transaction exports.

The rule table (data/product_makers.csv) is checked whole; the traps the issue names stay unattributed;
recall and precision are measured on descriptions labelled by hand (tests/product_labels.csv); judgements
override the rules on the next `attribute` run and a rejected attribution never comes back.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.curated import load_families
from core.judgements import append_judgement, load_judgements
from core.products import BadTable, Matcher, load_rules
from graph.questions.queries import Queries
from graph.store import NotFound, open_store
from ingest import transactions_csv
from ingest.load import load

ROOT = Path(__file__).resolve().parents[1]
TX = "spending_by_transaction_ice_cbp_fy2021_2026"
LABELS = Path(__file__).with_name("product_labels.csv")
RULE_HEADER = "id,maker,product,pattern,exclude,psc,naics,confidence,source\n"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_rules())


def makers(matcher: Matcher, text: str, psc: str | None = None) -> set[str]:
    names = {rule.maker: rule.maker_name for rule in matcher.rules}
    return {names[m.rule.maker] for m in matcher.match((text,), psc)}


# ------------------------------------------------------------------------------------------ the rule table


def test_every_rule_names_a_known_maker_and_a_source():
    families = load_families()
    rules = load_rules(families=families)
    assert len(rules) >= 40
    known = {family.id for family in families.values()}
    assert all(rule.maker in known and rule.source and 0 < rule.confidence <= 1 for rule in rules)
    covered = {rule.maker_name for rule in rules}
    for maker in (
        "Amazon.com, Inc.",
        "Microsoft Corporation",
        "Alphabet Inc.",
        "Palantir Technologies Inc.",
        "Clearview AI, Inc.",
        "Babel Street, Inc.",
        "Motorola Solutions, Inc.",
        "RELX PLC",
        "Thomson Reuters Corporation",
        "Oracle Corporation",
        "Venntel, Inc.",
    ):
        assert maker in covered, maker


@pytest.mark.parametrize(
    "row, says",
    [
        ('bad,"Amazon.com, Inc.",AWS,AWS(,,,,0.9,note', "line 2: column 'pattern' is not a valid regular expression"),
        ("x,Nobody Inc.,Thing,THING,,,,0.9,note", "line 2: unknown maker 'Nobody Inc.'"),
        ('x,"Amazon.com, Inc.",AWS,AWS,,,,1.5,note', "line 2: confidence must be a number in (0, 1]"),
        ('x,"Amazon.com, Inc.",AWS,AWS,,,,0.9,', "line 2: rule 'x' gives no source"),
        ('x,"Amazon.com, Inc.",AWS,AWS,"[",,,0.9,note', "line 2: column 'exclude' is not a valid regular expression"),
        ('x,"Amazon.com, Inc.",AWS,A?,,,,0.9,note', "line 2: pattern 'A?' matches empty text"),
    ],
)
def test_a_bad_rule_names_the_file_and_line(tmp_path, row, says):
    path = tmp_path / "rules.csv"
    path.write_text(RULE_HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(BadTable) as error:
        load_rules(path)
    assert str(path) in str(error.value) and says in str(error.value)


def test_a_repeated_rule_id_is_refused(tmp_path):
    path = tmp_path / "rules.csv"
    path.write_text(RULE_HEADER + 'a,"Amazon.com, Inc.",AWS,AWS,,,,0.9,n\na,"Amazon.com, Inc.",AWS,AWS,,,,0.9,n\n')
    with pytest.raises(BadTable, match="line 3: rule id 'a' is already used on line 2"):
        load_rules(path)


# ------------------------------------------------------------------------------------------ the matcher


@pytest.mark.parametrize(
    "text, psc",
    [
        ("ANNUAL SUBSCRIPTION TO KHARON CLEARVIEW", None),
        ("GOTHAM SATELLITE SERVICES", None),
        ("DHS ICE HSI RAVEN PROGRAM", None),
        ("CLEAR TRASH BAGS 33 GALLON", "8105 BAGS AND SACKS"),
        ("PURCHASE OF CLEAR PLASTIC BAGS", None),
    ],
)
def test_the_naive_traps_are_not_attributed(matcher, text, psc):
    found = makers(matcher, text, psc)
    assert not found & {"Clearview AI, Inc.", "Palantir Technologies Inc.", "Thomson Reuters Corporation"}, found


def test_products_are_matched_on_word_boundaries_in_any_case(matcher):
    assert "Amazon.com, Inc." in makers(matcher, "Cloud hosting on Amazon Web Services for ICE")
    assert not makers(matcher, "DRAWSTRING BAGS") & {"Amazon.com, Inc."}
    assert "Babel Street, Inc." in makers(matcher, "BABEL STREET LICENSES")


def test_the_award_description_is_read_when_the_action_names_nothing(matcher):
    found = matcher.match(("EXERCISE OPTION PERIOD 2", "THE PURPOSE OF THIS ORDER IS TO PROCURE AMAZON WEB SERVICES."))
    assert [(m.rule.maker_name, m.field, m.span) for m in found] == [
        ("Amazon.com, Inc.", "award description", "AMAZON WEB SERVICES")
    ]


def labelled() -> list[dict]:
    with LABELS.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_recall_and_precision_on_hand_labelled_descriptions(matcher):
    rows = labelled()
    expected: dict[str, set[str]] = {}
    psc = {row["description"]: row["psc"] or None for row in rows}  # the record's product code, where a rule needs it
    for row in rows:
        expected.setdefault(row["description"], set())
        if row["maker"].strip():
            expected[row["description"]].add(row["maker"].strip())
    positives = sum(len(m) for m in expected.values())
    assert positives >= 30 and len(expected) >= 40
    found = {text: makers(matcher, text, psc[text]) for text in expected}
    hits = sum(len(found[t] & expected[t]) for t in expected)
    wrong = sorted((t, sorted(found[t] - expected[t])) for t in expected if found[t] - expected[t])
    assert not wrong, f"attributed to a maker the labels do not name: {wrong}"
    assert hits / positives >= 0.9, f"recall {hits}/{positives}"


# ------------------------------------------------------------------------------------- on the real exports


def tx_records(shared: Path):
    for path in sorted((shared / TX).glob("*.csv")):
        yield from transactions_csv.read(path)


@pytest.fixture(scope="module")
def tx_home(shared_data, tmp_path_factory):
    """The six FY2021–2026 exports in one embedded store (no judgements), copied by each test that writes."""
    home = tmp_path_factory.mktemp("attribution")
    store = open_store("embedded", home=home / "kg")
    load(store, tx_records(shared_data), command="test", inputs=[TX], rejects_dir=home / "rejects", progress=False)
    store.close()
    return home / "kg"


@pytest.fixture
def tx_store(tx_home, tmp_path, monkeypatch):
    monkeypatch.setenv("KG_JUDGEMENTS", str(tmp_path / "judgements.csv"))
    shutil.copytree(tx_home, tmp_path / "kg")
    store = open_store("embedded", home=tmp_path / "kg")
    yield store
    store.close()


def reseller(answer: dict, name: str) -> dict:
    return next(r for r in answer["through_others"]["resellers"] if (r["name"] or "").startswith(name))


def test_amazon_through_four_points_and_booz_allen(tx_store):
    amazon = Queries(tx_store).vendor_family("Amazon")
    through = amazon["through_others"]
    four_points, booz = reseller(amazon, "FOUR POINTS TECHNOLOGY"), reseller(amazon, "BOOZ ALLEN HAMILTON")
    assert four_points["obligated"] > 250_000_000 and four_points["actions"] >= 14
    assert booz["obligated"] > 40_000_000
    record = four_points["records"][0]
    assert "AMAZON WEB SERVICES" in record["text"].upper() and record["permalink"].startswith("https://")
    assert record["matched"] and record["rule"] and record["found_in"] in ("action description", "award description")
    assert through["label"] == "attributed from award descriptions"
    assert through["obligated"] == pytest.approx(sum(r["obligated"] or 0 for r in through["resellers"]))
    # the maker's own money stays its own: nothing attributed is added to it
    assert amazon["direct"]["obligated"] == amazon["total_obligated"] < 1_000_000


def test_the_path_from_amazon_to_ice_goes_through_the_reseller(tx_store):
    chains = Queries(tx_store).paths("Amazon", "ICE")
    hops = [hop for chain in chains for hop in chain if hop.get("through_others")]
    assert hops and "via FOUR POINTS TECHNOLOGY" in hops[0]["through_others"]["route"]
    assert all(
        hop["rel"] != "THROUGH_OTHERS"
        for chain in Queries(tx_store).paths("Amazon", "ICE", through_others=False)
        for hop in chain
    )


def test_the_traps_stay_unattributed_in_the_store(tx_store):
    for maker, trap in (("Clearview AI", "KHARON"), ("Palantir", "SATELLITE"), ("Palantir", "RAVEN")):
        for entry in Queries(tx_store).vendor_family(maker)["through_others"]["resellers"]:
            assert not any(trap in (r["text"] or "").upper() for r in entry["records"]), (maker, trap)


def test_a_direct_sale_is_not_an_attribution(tx_store):
    for name in ("Cellebrite", "Motorola Solutions"):
        family = Queries(tx_store).vendor_family(name)
        members = {family["id"], *(s["id"] for s in family["subsidiaries"])}
        assert not members & {r["id"] for r in family["through_others"]["resellers"]}


def test_the_agency_profile_keeps_direct_and_through_others_apart(tx_store):
    ice = Queries(tx_store).agency_profile("ICE", limit=5)
    amazon = next(m for m in ice["makers"] if m["name"] == "Amazon.com, Inc.")
    assert amazon["through_others"]["obligated"] > 0
    assert any(r["name"].startswith("FOUR POINTS") for r in amazon["through_others"]["resellers"])
    assert set(amazon["sold_directly"]) == {"obligated", "awards", "basis"}


def test_the_network_layer_runs_maker_to_reseller_to_agency(tx_store):
    network = Queries(tx_store).subgraph(agency="ICE", through_others=True)
    layer = network["through_others"]
    legs = {(e["type"], e["source"], e["target"]) for e in layer["edges"]}
    maker = "Vendor:org:amazon-com-inc"
    resellers = {target for kind, source, target in legs if kind == "THROUGH_RESELLER" and source == maker}
    assert resellers and any(("RESOLD_TO", r, "Agency:subtier:7012") in legs for r in resellers)
    assert "through_others" not in Queries(tx_store).subgraph(agency="ICE")


def four_points_award(store) -> str:
    return reseller(Queries(store).vendor_family("Amazon"), "FOUR POINTS TECHNOLOGY")["records"][0]["award_key"]


def test_a_rejected_attribution_never_comes_back(tx_store, tmp_path, shared_data):
    award = four_points_award(tx_store)
    append_judgement(
        {
            "kind": "attribution",
            "record": award,
            "target": "Amazon.com, Inc.",
            "verdict": "wrong",
            "who": "test reviewer",
            "why": "checking that a rejection holds",
        }
    )
    tx_store.attribute()
    gone = Queries(tx_store).vendor_family("Amazon")["through_others"]
    assert award not in {r["award_key"] for x in gone["resellers"] for r in x["records"]}
    before = Queries(tx_store).stats()
    load(tx_store, tx_records(shared_data), command="again", inputs=[TX], rejects_dir=tmp_path / "r", progress=False)
    assert Queries(tx_store).stats() == before  # loading twice changes no count, and the rejection holds
    assert award not in {
        r["award_key"]
        for x in Queries(tx_store).vendor_family("Amazon")["through_others"]["resellers"]
        for r in x["records"]
    }
    queue = Queries(tx_store).review(kind="attribution")
    assert all(
        entry["record"] != award or entry["maker"]["id"] != "org:amazon-com-inc" for entry in queue["attributions"]
    )


def test_a_confirmed_attribution_stays_without_a_rule(tx_store, tmp_path, monkeypatch):
    award = four_points_award(tx_store)
    append_judgement(
        {
            "kind": "attribution",
            "record": award,
            "target": "Amazon.com, Inc.",
            "verdict": "correct",
            "who": "test reviewer",
            "why": "the order procures Amazon Web Services",
        }
    )
    empty = tmp_path / "no_rules.csv"
    empty.write_text(RULE_HEADER, encoding="utf-8")
    monkeypatch.setenv("KG_PRODUCT_RULES", str(empty))
    tx_store.attribute()
    through = Queries(tx_store).vendor_family("Amazon")["through_others"]
    records = [r for x in through["resellers"] for r in x["records"]]
    assert records and {r["award_key"] for r in records} == {award}
    assert all(r["rule"] == "judgement" and r["judgement"]["verdict"] == "correct" for r in records)


def test_a_judgement_naming_an_unknown_record_applies_nothing(tx_store):
    before = Queries(tx_store).review()
    append_judgement(
        {
            "kind": "attribution",
            "record": "CONT_AWD_NO_SUCH_AWARD",
            "target": "Amazon.com, Inc.",
            "verdict": "wrong",
            "who": "t",
            "why": "typo",
        }
    )
    with pytest.raises(BadTable, match=r"judgements.csv line 2: no action or award with key 'CONT_AWD_NO_SUCH_AWARD'"):
        tx_store.attribute(strict=True)  # `graph attribute --strict`; without it, a warning and a count
    assert Queries(tx_store).review() == before


def test_a_bad_judgement_line_names_the_file_and_line(tmp_path):
    path = tmp_path / "judgements.csv"
    path.write_text(
        "kind,record,target,verdict,who,when,why\n"
        "attribution,CONT_AWD_X,Amazon.com Inc,wrong,me,2026-12-02,typo in the maker\n"
    )
    with pytest.raises(BadTable, match=r"judgements.csv line 2: unknown maker 'Amazon.com Inc'"):
        load_judgements(path)
    path.write_text('kind,record,target,verdict,who,when,why\nattribution,K,"Amazon.com, Inc.",maybe,me,2026-12-02,x\n')
    with pytest.raises(BadTable, match="line 2: a attribution judgement's verdict is correct or wrong"):
        load_judgements(path)


def test_a_merge_judged_not_the_same_splits_the_vendor(tx_store):
    merges = Queries(tx_store).review(kind="merge")["merges"]
    assert merges and all(m["match"] == "name only" for m in merges)
    merge = merges[0]
    append_judgement(
        {
            "kind": "merge",
            "record": merge["record"],
            "target": merge["vendor"]["id"],
            "verdict": "not_same",
            "who": "test reviewer",
            "why": "checking that a split holds",
        }
    )
    tx_store.attribute()
    after = Queries(tx_store).review(kind="merge")["merges"]
    assert (merge["record"], merge["vendor"]["id"]) not in {(m["record"], m["vendor"]["id"]) for m in after}


# ------------------------------------------------------------------------------------------ the CLI


def graph_cli(home: Path, judgements: Path, *args: str, code: int = 0) -> subprocess.CompletedProcess:
    env = {**os.environ, "KG_HOME": str(home), "KG_JUDGEMENTS": str(judgements)}
    result = subprocess.run([sys.executable, "-m", "graph", *args], capture_output=True, text=True, env=env, cwd=ROOT)
    assert result.returncode == code, result.stderr
    return result


def test_vendor_json_and_review_from_the_command_line(tx_home, tmp_path):
    home, judgements = tmp_path / "kg", tmp_path / "judgements.csv"
    shutil.copytree(tx_home, home)
    amazon = json.loads(graph_cli(home, judgements, "vendor", "Amazon", "--json").stdout)
    names = {r["name"] for r in amazon["through_others"]["resellers"]}
    assert any(n.startswith("FOUR POINTS") for n in names) and any(n.startswith("BOOZ ALLEN") for n in names)
    assert "through others" in graph_cli(home, judgements, "paths", "Amazon", "ICE").stdout
    queue = json.loads(graph_cli(home, judgements, "review", "--json", "--limit", "3").stdout)
    assert len(queue["attributions"]) == 3 and queue["attributions"][0]["evidence"]
    entry = queue["attributions"][0]
    refused = graph_cli(
        home,
        judgements,
        "review",
        "--record",
        "CONT_AWD_NOPE",
        "--maker",
        entry["maker"]["name"],
        "--verdict",
        "wrong",
        "--who",
        "me",
        "--why",
        "x",
        code=1,
    )
    assert "no action or award with key 'CONT_AWD_NOPE'" in refused.stderr and not judgements.exists()
    graph_cli(
        home,
        judgements,
        "review",
        "--record",
        entry["record"],
        "--maker",
        entry["maker"]["name"],
        "--verdict",
        "wrong",
        "--who",
        "cli reviewer",
        "--why",
        "checked by eye",
    )
    assert entry["record"] in judgements.read_text()
    report = json.loads(graph_cli(home, judgements, "attribute", "--json").stdout)
    assert report["mentions"] > 0 and report["judgements_pending"] == 0
    after = json.loads(graph_cli(home, judgements, "review", "--json").stdout)
    assert (entry["record"], entry["maker"]["id"]) not in {
        (e["record"], e["maker"]["id"]) for e in after["attributions"]
    }


def test_a_bad_rule_file_stops_a_load_before_it_reads(excerpts, tmp_path):
    rules = tmp_path / "rules.csv"
    rules.write_text(RULE_HEADER + 'x,"Amazon.com, Inc.",AWS,AWS(,,,,0.9,note\n')
    env = {**os.environ, "KG_HOME": str(tmp_path / "kg"), "KG_PRODUCT_RULES": str(rules)}
    result = subprocess.run(
        [sys.executable, "-m", "ingest", "transactions-csv", str(sorted((excerpts / TX).glob("*.csv"))[0])],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode == 1 and f"{rules} line 2" in result.stderr
    assert not (tmp_path / "kg" / "store.duckdb").exists()


def test_unknown_records_cannot_be_judged(tx_store):
    with pytest.raises(NotFound):
        Queries(tx_store).check_judged("attribution", "CONT_AWD_NOPE", "org:amazon-com-inc")
    with pytest.raises(NotFound):
        Queries(tx_store).check_judged("merge", "NOBODY||", "name:NOBODY")


def test_the_duckdb_screen_lets_through_every_text_a_rule_matches(matcher, shared_data):
    """The store screens texts with DuckDB's RE2 before Python tries the rules: it must never drop a match."""
    import duckdb

    from core.products import screen_pattern

    con = duckdb.connect()
    con.execute(f"""CREATE TABLE t AS SELECT DISTINCT coalesce("Transaction Description", '') AS text
                    FROM read_csv('{shared_data / TX}/*.csv')""")
    texts = [row[0] for row in con.execute("SELECT text FROM t").fetchall()] + [r["description"] for r in labelled()]
    con.execute("CREATE OR REPLACE TABLE t AS SELECT unnest(?::VARCHAR[]) AS text", [texts])
    screened = {
        row[0]
        for row in con.execute(
            "SELECT text FROM t WHERE regexp_matches(text, ?)", [screen_pattern(matcher.rules)]
        ).fetchall()
    }
    matched = {text for text in texts if matcher.match((text,))}
    assert matched and matched <= screened
    # and each rule's own screen: the rules DuckDB says are worth trying find what trying every rule finds
    from graph.attribution import _candidates

    candidates = _candidates(con, matcher.rules, screened)
    for text in screened:
        assert matcher.match((text,), candidates=(candidates[text],)) == matcher.match((text,)), text


def test_the_curated_judgements_file_is_valid():
    judged = load_judgements(ROOT / "data" / "judgements.csv")
    assert all(j.who and j.why and j.when for j in judged.values())
