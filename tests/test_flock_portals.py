"""The Flock portal adapter on the real scrape (../shared/data/flock_transparency_portals), and on damaged copies."""

from __future__ import annotations

import csv
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.local import US_STATES, Deployment, LocalAgency, Policy, SharingLink, jurisdiction_of, state_of
from core.records import Reject
from ingest import flock_portals
from ingest.csvfile import SourceError


@pytest.fixture(scope="module")
def folder(shared_data) -> Path:
    return shared_data / "flock_transparency_portals"


@pytest.fixture(scope="module")
def records(folder):
    return list(flock_portals.read(folder))


def data_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def of(records, kind):
    return [record for record in records if isinstance(record, kind)]


def test_every_row_of_the_four_files_is_one_record(folder, records):
    by_file = Counter(record.prov.source if not isinstance(record, Reject) else record.source for record in records)
    for path in flock_portals.files(folder).values():
        assert by_file[str(path)] == data_rows(path), path.name  # rows in = records + rejects
    assert not of(records, Reject)
    assert len(of(records, LocalAgency)) == 5152
    assert len(of(records, SharingLink)) == 37099
    assert len({(link.owner, link.searcher) for link in of(records, SharingLink)}) == 37099  # no duplicate link
    assert {link.as_of for link in of(records, SharingLink)} == {"2024-04-26"}  # the scrape's date, in its name
    assert len(of(records, Policy)) == 370


def test_each_portal_is_a_flock_deployment_and_an_unreported_count_stays_unreported(records):
    deployments = of(records, Deployment)
    assert len(deployments) == len({d.agency for d in deployments}) == 365
    assert {(d.vendor_name, d.status) for d in deployments} == {("Flock Safety", "active")}
    counted = [d for d in deployments if d.count is not None]
    assert len(counted) == 343 and all(d.count >= 0 for d in counted)  # 22 portals print NA or Data Unavailable
    avon = next(d for d in deployments if d.agency_name == "Avon IN PD")
    assert (avon.count, avon.figures["data_retention_in_days"], avon.as_of, avon.source_url) == (
        6,
        30,
        "2024-04-26T14:11:25Z",
        "https://transparency.flocksafety.com/avon-in-pd",
    )
    assert avon.prov.record == "line 2"
    assert all(d.source_url.startswith("https://transparency.flocksafety.com/") for d in deployments)


def test_policies_keep_their_text_and_date(records):
    policies = of(records, Policy)
    forbidding = [p for p in policies if "immigration" in (p.sections["prohibited_uses"] or "").lower()]
    assert len(forbidding) == 359
    atherton = next(p for p in policies if p.agency_name == "Atherton CA PD")
    assert atherton.updated == "2023-07-27T12:04:07Z"
    assert atherton.sections["prohibited_uses"].startswith("Immigration enforcement")


def test_an_agency_is_its_id_whatever_the_spelling(records):
    agencies = {a.key: a for a in of(records, LocalAgency)}
    spellings = defaultdict(set)
    for link in of(records, SharingLink):
        spellings[link.owner].add(link.owner_name)
        spellings[link.searcher].add(link.searcher_name)
    assert set(spellings) <= set(agencies)  # every link end is a listed agency
    assert all(key.startswith("local:flock:") and key.split(":")[2].isdigit() for key in agencies)
    avon = next(key for key, a in agencies.items() if a.name == "Avon IN PD")
    searched = {link.owner_name for link in of(records, SharingLink) if link.searcher == avon}
    assert len(searched) == 41 and "Green Bay WI PD" in searched  # Avon can search 41 agencies' Flock data


def test_federal_and_state_agencies_among_those_with_access(records):
    agencies = {a.name: a for a in of(records, LocalAgency)}
    assert (agencies["ATF Nashville TN"].jurisdiction, agencies["ATF Nashville TN"].state) == ("federal", "TN")
    assert agencies["FBI"].jurisdiction == "federal"
    assert agencies["US Postal Inspection Service"].jurisdiction == "federal"
    assert (
        agencies["MS Office of Homeland Security"].jurisdiction,
        agencies["MS Office of Homeland Security"].state,
    ) == ("state agency", "MS")
    assert Counter(a.jurisdiction for a in agencies.values())["police department"] > 3000


@pytest.mark.parametrize(
    "name, jurisdiction, state",
    [
        ("Avon IN PD", "police department", "IN"),
        ("Riverside County CA SD", "sheriff", "CA"),
        ("Wagoner CO SO OK", "sheriff", "OK"),
        ("Winston Count MS CO", None, "MS"),
        ("Pueblo CO PD", "police department", "CO"),
        ("WakeMed Campus PD and Public Safety (NC)", "campus", "NC"),
        ("Alabama Law Enforcement Agency (ALEA)", "state agency", "AL"),
        ("Mahoning Valley Law Enforcement TF (OH)", None, "OH"),
        ("Flock Safety - Sales", None, None),
        ("Sioux Falls SD PD", "police department", "SD"),
        ("Pennington County SD SO", "sheriff", "SD"),
        ("Tallapoosa County AL SD", "sheriff", "AL"),
        ("Sylvania Township OH PD", "police department", "OH"),
    ],
)
def test_names_spell_a_jurisdiction_and_a_state(name, jurisdiction, state):
    assert (jurisdiction_of(name), state_of(name)) == (jurisdiction, state)


@settings(max_examples=200, deadline=None)
@given(
    place=st.from_regex(r"[A-Z][a-z]{2,12}( [A-Z][a-z]{2,12})?", fullmatch=True),
    code=st.sampled_from(sorted(set(US_STATES) - {"CO", "SD"})),
    suffix=st.sampled_from(["PD", "SO", "County SO"]),
)
def test_a_name_ending_in_a_state_code_is_in_that_state(place, code, suffix):
    assert state_of(f"{place} {code} {suffix}") == code
    assert state_of(f"{place} CO {code} SO") == code  # "CO" as county gives way


def copy_folder(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / "portals"
    shutil.copytree(folder, target, ignore=shutil.ignore_patterns("README*"))
    for path in target.iterdir():
        path.chmod(0o644)
    return target


def rewrite(path: Path, line: int, column: str, value: str) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[line - 1][rows[0].index(column)] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


@pytest.mark.parametrize(
    "file, column, value, reason",
    [
        ("latest_usage04262023.csv", "number_of_owned_cameras", "six", "'six' is not a count"),
        ("latest_usage04262023.csv", "url", "javascript:alert(1)", "is not a transparency.flocksafety.com portal"),
        ("latest_usage04262023.csv", "updated", "yesterday", "'yesterday' is not an ISO date and time"),
        ("agency_access20240426.csv", "src_agency_id", "x12", "src_agency_id 'x12' is not a numeric agency id"),
        ("agency_policies.csv", "agency", "", "no agency"),
    ],
)
def test_a_bad_value_rejects_its_row_with_line_and_reason(folder, tmp_path, file, column, value, reason):
    damaged = copy_folder(folder, tmp_path)
    rewrite(damaged / file, 3, column, value)
    records = list(flock_portals.read(damaged))
    rejects = of(records, Reject)
    assert [(Path(r.source).name, r.record) for r in rejects] == [(file, "line 3")]
    assert reason in rejects[0].reason
    assert len(records) == 5152 + 37099 + 365 + 370  # counts in = loaded + rejected


def test_a_folder_without_one_of_the_files_names_it(folder, tmp_path):
    damaged = copy_folder(folder, tmp_path)
    (damaged / "agency_policies.csv").unlink()
    with pytest.raises(SourceError, match=r"no agency_policies\*\.csv \(the policies file"):
        list(flock_portals.read(damaged))
    with pytest.raises(SourceError, match="not a folder"):
        list(flock_portals.read(damaged / "agency20240426.csv"))


def test_the_row_order_of_a_file_changes_no_record(folder, tmp_path):
    shuffled = copy_folder(folder, tmp_path)
    path = shuffled / "agency_access20240426.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *reversed(rows)])

    def links(where):
        return sorted(
            (link.owner, link.owner_name, link.searcher, link.searcher_name)
            for link in of(flock_portals.read(where), SharingLink)
        )

    assert links(shuffled) == links(folder)
