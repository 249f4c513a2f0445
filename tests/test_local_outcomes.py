"""Campaign outcomes and local judgements (issue 30), on every store: a survey and a campaign tracker the test
writes (no row of them is real), loaded as `python -m ingest table` loads them.

Burlington NC is in both files (two sources, one name and state: a local match for review); Austin TX's tracker
entry cancels the deployment an earlier entry of the same tracker reported active.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.judgements import append_judgement
from graph.questions.queries import Queries
from graph.store import NotFound
from ingest import table_map
from ingest.load import load
from tests.test_local_value_maps import SURVEY, SURVEY_MAP, SURVEY_VALUES, TRACKER, TRACKER_MAP, write_csv, write_map

ROOT = Path(__file__).resolve().parents[1]
SURVEY_ID = "local:nc-survey:BURLINGTON POLICE DEPARTMENT|NC"
TRACKER_ID = "local:tracker:BURLINGTON POLICE DEPARTMENT|NC"
ENTRIES = [
    *TRACKER["entries"],
    {
        "location": {"city": "Burlington", "state": "NC"},
        "agency": "Burlington Police Department",
        "vendor": "Flock Safety",
        "date": {"iso": "2025-02-01"},
        "status": "deactivated",
        "sources": [{"url": "https://example.org/burlington", "archive": "https://web.archive.org/web/2025/x"}],
    },
    {
        "location": {"city": "Austin", "state": "TX"},
        "agency": "Austin Police Department",
        "vendor": "Flock Safety",
        "date": {"iso": "2022-01-10"},
        "status": "active",
        "sources": [{"url": "https://example.org/austin-2022"}],
    },
]


def write_files(folder: Path, entries: list[dict] = ENTRIES) -> list[tuple[Path, table_map.TableMap]]:
    folder.mkdir(parents=True, exist_ok=True)
    survey = write_csv(folder / "survey.csv", SURVEY)
    tracker = folder / "tracker.json"
    tracker.write_text(json.dumps({"entries": entries}), encoding="utf-8")
    tracker_map = TRACKER_MAP.replace(
        'source_url = "sources.0.url"', 'source_url = "sources.0.url"\narchive_url = "sources.0.archive"'
    )
    return [
        (survey, table_map.load_map(write_map(folder / "survey.toml", SURVEY_MAP + SURVEY_VALUES))),
        (tracker, table_map.load_map(write_map(folder / "tracker.toml", tracker_map))),
    ]


def load_both(store, folder: Path, entries: list[dict] = ENTRIES, tracker_first: bool = False) -> None:
    files = write_files(folder, entries)
    for path, the_map in reversed(files) if tracker_first else files:
        load(
            store,
            table_map.read(path, the_map),
            command="table",
            inputs=[str(path)],
            rejects_dir=folder,
            progress=False,
        )


@pytest.fixture
def judgements(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "judgements.csv"
    monkeypatch.setenv("KG_JUDGEMENTS", str(path))
    return path


def test_outcomes_list_each_record_in_its_own_words_beside_the_agency_s_others(make_store, tmp_path, judgements):
    store = make_store()
    load_both(store, tmp_path / "files")
    answer = Queries(store).outcomes()
    seen = [(r["date"], r["agency"]["name"], r["status"], r["status_as_written"]) for r in answer["outcomes"]]
    assert seen == [
        ("2025-08-26", "Evanston Police Department", "ended", "deactivated"),
        ("2025-05-01", "Denver Police Department", "rejected", "Rejected"),
        ("2025-02-01", "Burlington Police Department", "ended", "deactivated"),
        ("2023-06-13", "Austin Police Department", "cancelled", "cancelled"),
    ]
    assert (
        answer["count"] == 4 and answer["agencies"] == 4 and answer["by_state"] == {"CO": 1, "IL": 1, "NC": 1, "TX": 1}
    )
    austin = answer["outcomes"][3]
    # the earlier "active" record is kept and shown beside the cancellation, neither deleted
    assert [(o["date"], o["status"], o["cited"]["record"]) for o in austin["other_records"]] == [
        ("2022-01-10", "active", "entries[4]")
    ]
    assert austin["cited"]["record"] == "entries[0]" and austin["source_url"] == "https://example.org/austin-council"
    burlington = answer["outcomes"][2]
    assert burlington["archive_url"] == "https://web.archive.org/web/2025/x"
    assert burlington["vendor"]["name"] == "Flock Group, Inc." and burlington["vendor"]["as_written"] == "Flock Safety"

    ask = Queries(store)
    assert [r["agency"]["name"] for r in ask.outcomes(vendor="Flock", state="North Carolina")["outcomes"]] == [
        "Burlington Police Department"
    ]
    assert ask.outcomes(since="2025-03-01")["count"] == 2
    assert [r["status"] for r in ask.outcomes(statuses=("active",))["outcomes"]][:1] == ["active"]
    with pytest.raises(ValueError, match="status 'gone' is not one of"):
        ask.outcomes(statuses=("gone",))
    with pytest.raises(NotFound, match="'Narnia' is not a US state"):
        ask.outcomes(state="Narnia")


def test_a_local_match_judged_the_same_is_one_agency_at_the_next_load(make_store, tmp_path, judgements):
    store = make_store()
    folder = tmp_path / "files"
    load_both(store, folder)
    ask = Queries(store)
    (match,) = ask.review(kind="local")["local_matches"]
    assert {a["id"] for a in match["agencies"]} == {SURVEY_ID, TRACKER_ID} and match["judgement"] is None
    a, b = ask.local_match(match["record"])
    ask.check_judged("local", a, b)
    append_judgement({"kind": "local", "record": b, "target": a, "verdict": "same", "who": "t", "why": "one city"})
    assert ask.review(kind="local")["local_matches"][0]["judgement"]["verdict"] == "same"  # recorded, not yet applied

    load_both(store, folder)  # the next load: nothing new, every table derived again
    ask = Queries(store)
    assert ask.review(kind="local")["local_matches"] == []
    agencies = ask.local_agencies()
    assert TRACKER_ID not in agencies and TRACKER_ID in agencies[SURVEY_ID]["aliases"]
    assert ask.find_local_agency(TRACKER_ID)["id"] == SURVEY_ID  # the other id still finds it
    profile = ask.local_profile(SURVEY_ID)
    assert sorted((d["source"].rsplit("/", 1)[-1], d["record"]) for d in profile["deployments"]) == [
        ("survey.csv", "line 3"),
        ("survey.csv", "line 7"),
        ("tracker.json", "entries[3]"),
    ]
    (burlington,) = ask.outcomes(state="NC")["outcomes"]
    assert burlington["agency"]["id"] == SURVEY_ID
    assert sorted(o["cited"]["record"] for o in burlington["other_records"]) == ["line 3", "line 7"]


def test_a_local_match_judged_not_the_same_stays_apart_and_leaves_the_pending_list(make_store, tmp_path, judgements):
    store = make_store()
    folder = tmp_path / "files"
    load_both(store, folder)
    before = Queries(store).stats()["local"]
    append_judgement(
        {"kind": "local", "record": SURVEY_ID, "target": TRACKER_ID, "verdict": "not_same", "who": "t", "why": "two"}
    )
    load_both(store, folder)  # a rerun of both files (the JSON's entries[i] included) changes no count
    ask = Queries(store)
    assert ask.stats()["local"] == before
    assert {SURVEY_ID, TRACKER_ID} <= set(ask.local_agencies())
    (match,) = ask.review(kind="local")["local_matches"]
    assert match["judgement"]["verdict"] == "not_same"
    assert ask.review(kind="local", pending=True)["local_matches"] == []
    assert ask.review(kind="local")["counts"]["local_matches"] == {"listed": 1, "judged": 1}


def uncited(answer):
    """The answer without its citations' record labels (entries[i] follows the file's order) or file paths."""
    if isinstance(answer, dict):
        return {k: uncited(v) for k, v in answer.items() if k != "cited"}
    if isinstance(answer, list):
        return [uncited(v) for v in answer]
    return answer


def outcomes_of(folder: Path, entries: list[dict]) -> dict:
    from graph.store import open_store

    store = open_store("embedded", home=folder / "kg")
    try:
        load_both(store, folder, entries, tracker_first=True)
        return uncited(Queries(store).outcomes(statuses=("active", "ended", "cancelled", "rejected")))
    finally:
        store.close()


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(list(range(len(ENTRIES)))))
def test_the_order_of_a_tracker_s_entries_changes_no_outcome(tmp_path_factory, order):
    expected = outcomes_of(tmp_path_factory.mktemp("in-order"), ENTRIES)
    assert outcomes_of(tmp_path_factory.mktemp("reordered"), [ENTRIES[i] for i in order]) == expected


def graph_cli(home: Path, judgements: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "graph", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"KG_HOME": str(home), "KG_JUDGEMENTS": str(judgements), "PATH": "/usr/bin:/bin"},
    )


def test_outcomes_and_local_judgements_from_the_command_line(tmp_path):
    from graph.store import open_store

    judgements = tmp_path / "judgements.csv"
    store = open_store("embedded", home=tmp_path / "kg")
    try:
        load_both(store, tmp_path / "files")
    finally:
        store.close()
    listed = graph_cli(tmp_path / "kg", judgements, "outcomes", "--vendor", "Flock", "--status", "ended", "--json")
    assert listed.returncode == 0, listed.stderr
    answer = json.loads(listed.stdout)
    assert [(r["agency"]["name"], r["status_as_written"]) for r in answer["outcomes"]] == [
        ("Evanston Police Department", "deactivated"),
        ("Burlington Police Department", "deactivated"),
    ]
    words = graph_cli(tmp_path / "kg", judgements, "outcomes", "--state", "TX")
    assert words.stdout.splitlines()[0] == (
        "1 record at 1 local agency in TX say a deployment was cancelled, rejected or ended."
    )
    assert "      also 2022-01-10: active; tracker.json entries[4]" in words.stdout
    bad = graph_cli(tmp_path / "kg", judgements, "outcomes", "--since", "last year")
    assert bad.returncode == 2 and "is not an ISO date" in bad.stderr

    record = f"{SURVEY_ID}|{TRACKER_ID}"
    judge = ["review", "--kind", "local", "--record", record, "--verdict", "same", "--who", "me", "--why", "same city"]
    done = graph_cli(tmp_path / "kg", judgements, *judge, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["recorded"]["target"] == TRACKER_ID
    assert judgements.read_text().splitlines()[1].startswith(f"local,{SURVEY_ID},{TRACKER_ID},same,me,")
    unknown = graph_cli(tmp_path / "kg", judgements, *judge[:4], "no|such", *judge[5:])
    assert unknown.returncode == 1 and "no local match 'no|such'" in unknown.stderr


@pytest.fixture(scope="module")
def outcome_home(tmp_path_factory, monkeypatch_module) -> Path:
    """The two files loaded into an embedded store, as the dashboard's (KG_HOME) for this module's page tests."""
    from graph.store import open_store

    home = tmp_path_factory.mktemp("outcomes")
    monkeypatch_module.setenv("KG_JUDGEMENTS", str(home / "judgements.csv"))
    store = open_store("embedded", home=home / "kg")
    try:
        load_both(store, home / "files")
    finally:
        store.close()
    monkeypatch_module.setenv("KG_HOME", str(home / "kg"))
    monkeypatch_module.setenv("KG_STORE", "embedded")
    return home / "kg"


def test_the_local_page_shows_the_outcomes_on_the_map_and_in_a_table(outcome_home):
    from tests.apptest_support import run
    from tests.dashboard_support import saying, table

    app = run("local")
    saying(app.markdown, "4 records at 4 local agencies in 4 states say a deployment was cancelled, rejected or ended")
    shown = table(app, "local-outcomes")
    assert list(shown["Date"]) == ["2025-08-26", "2025-05-01", "2025-02-01", "2023-06-13"]
    assert list(shown["Source's words"]) == ["deactivated", "Rejected", "deactivated", "cancelled"]
    assert list(shown["Status"]) == ["ended", "rejected", "ended", "cancelled"]
    assert shown["Archive page"].tolist()[2] == "https://web.archive.org/web/2025/x"
    assert shown["Other records"].tolist()[3] == "active 2022-01-10 (tracker.json entries[4])"
    saying(app.caption, "Purple dots: records saying a deployment was cancelled, rejected or ended.")


def test_the_vendor_profile_says_where_its_deployments_were_contested(outcome_home):
    from tests.apptest_support import run
    from tests.dashboard_support import saying, table

    app = run("vendor", name="Flock")
    assert "Contested" in [e.value for e in app.subheader]
    saying(app.markdown, "say a deployment of Flock Group, Inc. was cancelled, rejected or ended")
    shown = table(app, "vendor-outcomes")
    assert len(shown) == 4 and "Vendor" not in shown.columns


def test_the_review_page_records_a_local_judgement(outcome_home):
    from tests.apptest_support import run
    from tests.dashboard_support import table

    app = run("review", kind="local")
    listed = table(app, "review-local-matches")
    assert list(listed["first id"]) == [SURVEY_ID] and list(listed["judgement"]) == ["pending"]
    assert app.selectbox(key="r_item").value.split("\x1f") == ["local", SURVEY_ID, TRACKER_ID]
    app.radio(key="r_verdict_local").set_value("not_same")
    app.text_input(key="r_who").input("tester")
    app.text_area(key="r_why").input("the tracker's Burlington is in another county")
    app.button[0].click().run()
    assert not app.error and "judged not_same by tester" in app.success[0].value.replace("\\", "")
    written = (outcome_home.parent / "judgements.csv").read_text().splitlines()
    assert written[1].startswith(f"local,{SURVEY_ID},{TRACKER_ID},not_same,tester,")
