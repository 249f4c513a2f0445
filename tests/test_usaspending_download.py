"""`usaspending-download` against a local server that answers as the bulk-download API does.

The zips it serves are built from the REAL bulk CSV files in ../shared/data/usaspending_bulk_ice_mn/
(unmodified, except where a test says it revises rows); the POST, status and file answers are synthetic,
shaped as contracts/v2/bulk_download/awards.md and download/status.md describe (total_size: the zip's
bytes / 1000, as usaspending_api/download/v2/download_status.py computes it).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from werkzeug import Request, Response

from graph.questions.queries import Queries
from graph.store import open_store
from ingest import cli, usaspending_csv
from ingest.http import ApiError, HttpClient
from ingest.usaspending_download import csv_members, fiscal_years, wait_until_ready

from .test_usaspending_agencies import ReferenceApi

ROOT = Path(__file__).resolve().parents[1]
BULK = "/api/v2/bulk_download/awards/"
STATUS = "/api/v2/download/status/"
ICE_FILES = {
    2021: [
        "umn__Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv",
        "all_after_2020__Contracts_Subawards_2025-03-28_H03M23S17_1.csv",
    ],
    2022: [
        "mn_all__Contracts_PrimeAwardSummaries_2025-03-21_H19M57S23_1.csv",
        "mn_all__Contracts_Subawards_2025-03-21_H19M57S41_1.csv",
    ],
}
STAMP = (2025, 3, 28, 3, 0, 0)


def build_zip(files: dict[str, bytes], stamp=STAMP) -> bytes:
    """A zip as USAspending's are: CSVs named without the folder prefix the shared copies carry."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name.split("__", 1)[-1], date_time=stamp), data)
    return out.getvalue()


def records_in(data: bytes) -> int:
    return sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8-sig")))) - 1


class BulkApi:
    """POST → a file name; status → `running` for `running_polls` polls, then `finished`; the file itself,
    with Range support. `zips` maps fiscal year → zip bytes; `break_first` cuts the first transfer short."""

    def __init__(
        self,
        httpserver,
        api_responses,
        zips: dict[int, bytes],
        rows: dict[int, int],
        running_polls=1,
        break_first=False,
        status_override=None,
    ):
        recorded = json.loads((api_responses / "planetary_usaspending_orm/agency_autocomplete.json").read_text())
        self.reference = ReferenceApi(httpserver, recorded)
        self.server, self.zips, self.rows = httpserver, dict(zips), dict(rows)
        header = (api_responses.parent / "usaspending_bulk_ice_mn" / ICE_FILES[2021][0]).read_bytes().split(b"\n")[0]
        self.header_only = header + b"\n"
        self.running_polls, self.break_first, self.status_override = running_polls, break_first, status_override
        self.bodies, self.polls, self.ranges, self.generated = [], {}, [], 0
        httpserver.expect_request(BULK, method="POST").respond_with_handler(self.start)
        httpserver.expect_request(STATUS, method="GET").respond_with_handler(self.status)
        httpserver.expect_request(re.compile(r"^/files/.+\.zip$"), method="GET").respond_with_handler(self.file)

    def name_for(self, year: int) -> str:
        return f"ICE_FY{year}_PrimeTransactionsAndSubawards_{self.generated}.zip"

    def start(self, request: Request) -> Response:
        body = request.get_json()
        self.bodies.append(body)
        start, end = body["filters"]["date_range"]["start_date"], body["filters"]["date_range"]["end_date"]
        year = int(start[:4]) + 1
        assert start == f"{year - 1}-10-01" and end <= f"{year}-09-30"
        self.generated += 1
        name = self.name_for(year)
        return Response(
            json.dumps(
                {
                    "status_url": self.server.url_for(f"{STATUS}?file_name={name}"),
                    "file_name": name,
                    "file_url": self.server.url_for(f"/files/{name}"),
                    "download_request": body,
                }
            ),
            content_type="application/json",
        )

    def year_of(self, name: str) -> int:
        return int(name.split("_FY")[1][:4])

    def status(self, request: Request) -> Response:
        name = request.args["file_name"]
        self.polls[name] = self.polls.get(name, 0) + 1
        if self.status_override:
            return Response(json.dumps(self.status_override), content_type="application/json")
        data = self.zip_for(self.year_of(name))
        running = self.polls[name] <= self.running_polls
        body = {
            "status": "running" if running else "finished",
            "message": None,
            "file_name": name,
            "file_url": self.server.url_for(f"/files/{name}"),
            "total_size": None if running else len(data) / 1000,
            "total_columns": None if running else 286,
            "total_rows": None if running else self.rows[self.year_of(name)],
            "seconds_elapsed": "1.5",
        }
        return Response(json.dumps(body), content_type="application/json")

    def zip_for(self, year: int) -> bytes:
        """The zip of a year; a year the test gave none of holds the header of a prime award file only."""
        if year not in self.zips:
            self.zips[year] = build_zip({ICE_FILES[2021][0]: self.header_only})
            self.rows[year] = 0
        return self.zips[year]

    def file(self, request: Request) -> Response:
        data = self.zip_for(self.year_of(request.path.rsplit("/", 1)[-1]))
        asked = request.headers.get("Range")
        self.ranges.append(asked)
        if asked:
            start = int(asked.split("=")[1].rstrip("-"))
            return Response(
                data[start:],
                status=206,
                content_type="application/zip",
                headers={"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"},
            )
        if self.break_first and len(self.ranges) == 1:
            # the first transfer stops halfway: the server says the whole length but sends half of it
            half = data[: len(data) // 2]
            response = Response(half, content_type="application/zip")
            response.headers["Content-Length"] = str(len(data))
            return response
        return Response(data, content_type="application/zip")


@pytest.fixture
def ice_zips(shared_data):
    folder = shared_data / "usaspending_bulk_ice_mn"
    raw = {year: {name: (folder / name).read_bytes() for name in names} for year, names in ICE_FILES.items()}
    return (
        {year: build_zip(files) for year, files in raw.items()},
        {year: sum(records_in(data) for data in files.values()) for year, files in raw.items()},
        raw,
    )


def download(home: Path, httpserver, *extra: str, monkeypatch) -> dict:
    monkeypatch.setenv("KG_HOME", str(home))
    argv = [
        "usaspending-download",
        "--awarding-agency",
        "ICE",
        "--fy",
        "2021-2022",
        "--base-url",
        httpserver.url_for("/").rstrip("/"),
        "--poll-seconds",
        "0.01",
        "--no-progress",
        "--json",
        *extra,
    ]
    args = cli.build_parser().parse_args(argv)
    return cli.run_load(args)


def expected_counts(folder: Path) -> tuple[int, int]:
    read = rejected = 0
    for names in ICE_FILES.values():
        for name in names:
            for record in usaspending_csv.read(folder / name):
                read += 1
                rejected += type(record).__name__ == "Reject"
    return read, rejected


def test_every_row_of_the_served_files_loads_and_the_counts_add_up(
    httpserver, api_responses, ice_zips, shared_data, tmp_path, monkeypatch
):
    zips, rows, _ = ice_zips
    api = BulkApi(httpserver, api_responses, zips, rows, running_polls=2)

    # the command a newcomer types, in a process of its own: summary JSON on stdout, progress and logs on stderr
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ingest",
            "usaspending-download",
            "--awarding-agency",
            "ICE",
            "--fy",
            "2021-2022",
            "--base-url",
            httpserver.url_for("/").rstrip("/"),
            "--poll-seconds",
            "0.01",
            "--json",
        ],
        cwd=ROOT,
        env={**os.environ, "KG_HOME": str(tmp_path / "kg")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout)
    assert "ICE_FY2021" in done.stderr  # the progress bar names the zip it is fetching

    read, rejected = expected_counts(shared_data / "usaspending_bulk_ice_mn")
    assert summary["rows_read"] == read == sum(rows.values())
    assert summary["rows_loaded"] + summary["rows_rejected"] == summary["rows_read"]
    assert summary["rows_rejected"] == rejected
    assert [(z["rows_reported"], z["rows_read"]) for z in summary["zips"]] == [(rows[2021],) * 2, (rows[2022],) * 2]
    assert sum(f["rows_read"] for f in summary["files"]) == read
    assert len(summary["files"]) == 4
    # one request per fiscal year, each within the API's one-year limit, for ICE as the API names it
    assert [b["filters"]["date_range"] for b in api.bodies] == [
        {"start_date": "2020-10-01", "end_date": "2021-09-30"},
        {"start_date": "2021-10-01", "end_date": "2022-09-30"},
    ]
    assert all(
        b["filters"]["agencies"]
        == [
            {
                "type": "awarding",
                "tier": "subtier",
                "toptier_name": "Department of Homeland Security",
                "name": "U.S. Immigration and Customs Enforcement",
            }
        ]
        for b in api.bodies
    )
    assert all(b["filters"]["prime_award_types"] == ["A", "B", "C", "D"] for b in api.bodies)
    assert all(count == 3 for count in api.polls.values())  # running, running, finished
    store = open_store("embedded", home=tmp_path / "kg")
    try:
        run = store.runs()[-1]
        assert run["request"]["awarding_agency"] == "ICE" and run["request"]["fy"] == "2021-2022"
        awards = Queries(store).stats()["nodes"]["Award"]
        assert awards == run["awards"] > 1300
    finally:
        store.close()


def test_loading_the_same_download_again_changes_no_count(httpserver, api_responses, ice_zips, tmp_path, monkeypatch):
    zips, rows, _ = ice_zips
    api = BulkApi(httpserver, api_responses, zips, rows)
    first = download(tmp_path / "kg", httpserver, monkeypatch=monkeypatch)
    again = download(tmp_path / "kg", httpserver, monkeypatch=monkeypatch)

    assert len(api.bodies) == 2  # the rerun picked up the downloads already requested, not new ones
    assert {k: again[k] for k in ("rows_read", "rows_loaded", "awards")} == {
        k: first[k] for k in ("rows_read", "rows_loaded", "awards")
    }
    assert again["changes"] == 0 and first["changes"] > 0
    store = open_store("embedded", home=tmp_path / "kg")
    try:
        assert Queries(store).changes()["count"] == 0
    finally:
        store.close()


def test_a_revised_download_lists_exactly_the_revised_rows(httpserver, api_responses, ice_zips, tmp_path, monkeypatch):
    zips, rows, raw = ice_zips
    api = BulkApi(httpserver, api_responses, zips, rows)
    download(tmp_path / "kg", httpserver, monkeypatch=monkeypatch)
    # USAspending revised two awards of FY2021 (lines 2 and 4 of the prime award file): a new obligated total
    name = ICE_FILES[2021][0]
    table = list(csv.reader(io.StringIO(raw[2021][name].decode("utf-8-sig"))))
    column = table[0].index("total_obligated_amount")
    keys = []
    for line in (2, 4):
        table[line - 1][column] = "99999.00"
        keys.append(table[line - 1][table[0].index("contract_award_unique_key")])
    revised = io.StringIO()
    csv.writer(revised, lineterminator="\n").writerows(table)
    api.zips = {**zips, 2021: build_zip({**raw[2021], name: revised.getvalue().encode()}, stamp=(2025, 4, 4, 3, 0, 0))}

    summary = download(tmp_path / "kg", httpserver, "--cache-hours", "0", monkeypatch=monkeypatch)

    store = open_store("embedded", home=tmp_path / "kg")
    try:
        listed = Queries(store).changes()["changes"]
    finally:
        store.close()
    assert summary["changes"] == len(listed) == 2
    assert sorted((c["change"], c["award_key"], c["field"], c["after"], c["record"]) for c in listed) == sorted(
        ("changed_amount", key, "obligated", "99999.00", f"line {line}")
        for key, line in zip(keys, (2, 4), strict=False)
    )
    assert all(c["permalink"].startswith("https://www.usaspending.gov/award/") for c in listed)


def test_a_broken_transfer_resumes_where_it_stopped(httpserver, api_responses, ice_zips, tmp_path, monkeypatch):
    zips, rows, _ = ice_zips
    api = BulkApi(httpserver, api_responses, {2021: zips[2021]}, rows, break_first=True)
    client = HttpClient(httpserver.url_for("/"), sleep=lambda s: None, timeout=2)
    ready = wait_until_ready(client, api.name_for(2021), "FY2021", poll=0.01)

    path = client.download(ready.url, tmp_path / "a.zip", expected_bytes=ready.expected_bytes, progress=False)

    assert path.read_bytes() == zips[2021]
    assert api.ranges[0] is None and api.ranges[1] == f"bytes={len(zips[2021]) // 2}-"


def test_a_size_other_than_the_status_reported_is_refused(httpserver, tmp_path):
    httpserver.expect_request("/files/x.zip").respond_with_data(b"PK" + b"0" * 5000, content_type="application/zip")
    client = HttpClient(httpserver.url_for("/"), sleep=lambda s: None)
    with pytest.raises(ApiError, match=r"received 5,002 bytes but the download status reported 9,000"):
        client.download("/files/x.zip", tmp_path / "x.zip", expected_bytes=9000, progress=False)
    assert not (tmp_path / "x.zip").exists() and not (tmp_path / "x.zip.part").exists()


def test_a_download_stuck_running_gives_up_with_the_file_name(httpserver, api_responses):
    BulkApi(
        httpserver,
        api_responses,
        {},
        {},
        status_override={"status": "running", "file_name": "ICE_FY2021_1.zip", "message": None, "file_url": None},
    )
    client = HttpClient(httpserver.url_for("/"), sleep=lambda s: None)
    clock = iter(range(0, 10_000, 30))
    with pytest.raises(ApiError, match=r"ICE_FY2021_1.zip \(FY2021\) is still running after \d+s; rerun the same"):
        wait_until_ready(
            client, "ICE_FY2021_1.zip", "FY2021", poll=30, timeout=120, sleep=lambda s: None, clock=lambda: next(clock)
        )


def test_a_failed_download_says_why(httpserver, api_responses):
    BulkApi(
        httpserver,
        api_responses,
        {},
        {},
        status_override={
            "status": "failed",
            "message": "Query timed out",
            "file_name": "ICE_FY2021_1.zip",
            "file_url": None,
        },
    )
    client = HttpClient(httpserver.url_for("/"), sleep=lambda s: None)
    with pytest.raises(ApiError, match=r"could not generate ICE_FY2021_1.zip \(FY2021\): Query timed out"):
        wait_until_ready(client, "ICE_FY2021_1.zip", "FY2021", poll=0.01)


def test_a_corrupt_zip_is_named_and_deleted(tmp_path):
    path = tmp_path / "ICE_FY2021_1.zip"
    path.write_bytes(build_zip({"Contracts_Subawards_1.csv": b"a,b\n1,2\n"})[:-40])  # its directory cut off
    with pytest.raises(cli.SourceError, match=r"ICE_FY2021_1.zip is not a readable zip .* deleted; rerun"):
        csv_members(path)
    assert not path.exists()


def test_a_zip_without_csv_is_not_a_usaspending_download(tmp_path):
    path = tmp_path / "other.zip"
    path.write_bytes(build_zip({"photo.jpg": b"\xff\xd8"}))
    with pytest.raises(cli.SourceError, match=r"other.zip is not a USAspending download: it holds no CSV file \(photo"):
        csv_members(path)


def test_a_csv_of_unknown_layout_in_the_zip_is_named_and_nothing_of_it_loads(
    httpserver, api_responses, ice_zips, tmp_path, monkeypatch
):
    zips, rows, raw = ice_zips
    odd = build_zip({**raw[2021], "zz_Notes_1.csv": b"recipient_name,award_id_piid,note\nACME,X1,hello\n"})
    BulkApi(httpserver, api_responses, {2021: odd, 2022: zips[2022]}, {2021: rows[2021] + 1, 2022: rows[2022]})
    with pytest.raises(cli.SourceError, match=r"zz_Notes_1.csv: unknown CSV layout"):
        download(tmp_path / "kg", httpserver, monkeypatch=monkeypatch)
    store = open_store("embedded", home=tmp_path / "kg")
    try:
        sources = {r["source"] for r in store._rows("SELECT DISTINCT source FROM record")}
    finally:
        store.close()
    # the files before it in the zip loaded whole, each in its own transaction; nothing of the odd one
    assert {Path(s).name for s in sources} == {name.split("__")[1] for name in ICE_FILES[2021]}


def test_a_redirect_to_another_host_is_not_followed(httpserver):
    httpserver.expect_request("/api/v2/download/status/").respond_with_data(
        "", status=302, headers={"Location": "http://198.51.100.7/steal"}
    )
    client = HttpClient(httpserver.url_for("/"), sleep=lambda s: None)
    with pytest.raises(ApiError, match=r"redirected to http://198.51.100.7/steal, a host other than the configured"):
        client.get_json("/api/v2/download/status/", {"file_name": "x.zip"}, cache=False)


def test_a_file_on_a_host_the_user_did_not_name_is_not_fetched(httpserver, tmp_path):
    client = HttpClient(httpserver.url_for("/"), sleep=lambda s: None)
    with pytest.raises(
        ApiError, match=r"http://198.51.100.7/x.zip is not on .*not fetched \(pass --files-host https://HOST"
    ):
        client.download("http://198.51.100.7/x.zip", tmp_path / "x.zip", progress=False)


def test_an_html_page_served_as_200_is_retried_then_named(httpserver):
    httpserver.expect_request("/api/v2/download/status/").respond_with_data(
        "<html><body>Service temporarily unavailable</body></html>", content_type="text/html"
    )
    waits = []
    client = HttpClient(httpserver.url_for("/"), sleep=waits.append, retries=3)
    with pytest.raises(ApiError, match=r"answered 200 with text/html, not JSON"):
        client.get_json("/api/v2/download/status/", cache=False)
    assert waits == [1.0, 2.0]


def test_a_truncated_json_body_is_retried(httpserver):
    answers = iter(['{"status": "finis', json.dumps({"status": "finished"})])
    httpserver.expect_request("/api/v2/download/status/").respond_with_handler(
        lambda request: Response(next(answers), content_type="application/json")
    )
    client = HttpClient(httpserver.url_for("/"), sleep=lambda s: None)
    assert client.get_json("/api/v2/download/status/", cache=False) == {"status": "finished"}


def test_a_hang_past_the_timeout_is_retried_then_named(httpserver):
    import time

    def slow(request):
        time.sleep(1.5)
        return Response("{}", content_type="application/json")

    httpserver.expect_request("/api/v2/download/status/").respond_with_handler(slow)
    client = HttpClient(httpserver.url_for("/"), sleep=lambda s: None, timeout=0.3, retries=2)
    with pytest.raises(ApiError, match=r"cannot reach .*no answer within 0.3s"):
        client.get_json("/api/v2/download/status/", cache=False)


@pytest.mark.parametrize("text, years", [("2021", [2021]), ("2019,2021", [2019, 2021]), ("2007-2009", [2008, 2009])])
def test_fiscal_years(text, years):
    assert fiscal_years(text) == years


def test_fiscal_years_refused_with_the_forms_that_work():
    with pytest.raises(cli.SourceError, match=r"give fiscal years as 2021, 2008-2026 or 2019,2021"):
        fiscal_years("last year")


def test_refresh_asks_again_from_the_last_action_date(httpserver, api_responses, ice_zips, tmp_path, monkeypatch):
    from ingest.refresh import plans

    zips, rows, _ = ice_zips
    BulkApi(httpserver, api_responses, zips, rows)
    first = download(tmp_path / "kg", httpserver, monkeypatch=monkeypatch)
    store = open_store("embedded", home=tmp_path / "kg")
    try:
        runs = store.runs()
    finally:
        store.close()

    (argv,) = plans(runs)
    year = int(first["last_action_date"][:4]) + (first["last_action_date"][5:7] >= "10")
    assert argv[:3] == ["usaspending-download", "--awarding-agency", "ICE"]
    assert argv[argv.index("--fy") + 1].startswith(f"{year}-")
    assert argv[argv.index("--base-url") + 1] == httpserver.url_for("/").rstrip("/")


def test_refresh_runs_the_recorded_download_again_up_to_today(
    httpserver, api_responses, ice_zips, tmp_path, monkeypatch
):
    from datetime import date

    zips, rows, _ = ice_zips
    api = BulkApi(httpserver, api_responses, zips, rows, running_polls=0)  # ready at once: refresh polls every 10 s
    first = download(tmp_path / "kg", httpserver, monkeypatch=monkeypatch)
    api.bodies.clear()

    summary = cli.run_load(cli.build_parser().parse_args(["refresh", "--no-progress"]))

    assert summary["refreshed"] == 1
    last = first["last_action_date"]
    start_fy = int(last[:4]) + (last[5:7] >= "10")
    today = date.today()
    this_fy = today.year + (today.month >= 10)
    assert [b["filters"]["date_range"]["start_date"] for b in api.bodies] == [
        f"{year - 1}-10-01" for year in range(start_fy, this_fy + 1)
    ]
    assert api.bodies[-1]["filters"]["date_range"]["end_date"] == min(date(this_fy, 9, 30), today).isoformat()
    store = open_store("embedded", home=tmp_path / "kg")
    try:
        runs = store.runs()
        assert [r["command"] for r in runs] == ["usaspending-download"] * 2
        assert Queries(store).stats()["nodes"]["Award"] == first["awards"]  # nothing duplicated
    finally:
        store.close()


def test_the_award_data_archive_full_and_delta_files_load(httpserver, api_responses, ice_zips, tmp_path, monkeypatch):
    zips, rows, raw = ice_zips
    BulkApi(httpserver, api_responses, {}, {})
    files = {
        "FY2021_070_Contracts_Full_20250106.zip": zips[2021],
        "FY(All)_070_Contracts_Delta_20250106.zip": zips[2022],
    }
    asked = []

    def monthly(request: Request) -> Response:
        body = request.get_json()
        asked.append(body)
        listed = [
            {
                "agency_name": "Department of Homeland Security",
                "agency_acronym": "DHS",
                "fiscal_year": 2021,
                "type": "contracts",
                "updated_date": "2025-01-06",
                "file_name": name,
                "url": httpserver.url_for(f"/archive/{name}"),
            }
            for name in files
        ]
        return Response(json.dumps({"monthly_files": listed}), content_type="application/json")

    httpserver.expect_request("/api/v2/bulk_download/list_monthly_files/", method="POST").respond_with_handler(monthly)
    httpserver.expect_request(re.compile(r"^/archive/.+\.zip$")).respond_with_handler(
        lambda request: Response(files[request.path.rsplit("/", 1)[-1]], content_type="application/zip")
    )

    summary = download(tmp_path / "kg", httpserver, "--archive", "--delta", monkeypatch=monkeypatch)

    assert asked == [
        {"agency": 1070, "fiscal_year": 2021, "type": "contracts"},
        {"agency": 1070, "fiscal_year": 2022, "type": "contracts"},
    ]  # DHS's id in the toptier list
    assert sorted(z["zip"] for z in summary["zips"]) == sorted(files)
    assert summary["rows_read"] == sum(rows.values())
    assert summary["rows_read"] == summary["rows_loaded"] + summary["rows_rejected"]


def test_a_busy_file_server_is_waited_for_as_it_asks(httpserver, tmp_path):
    answers = iter(
        [
            Response("busy", status=503, headers={"Retry-After": "7"}),
            Response(b"PK-zip-bytes", content_type="application/zip"),
        ]
    )
    httpserver.expect_request("/files/y.zip").respond_with_handler(lambda request: next(answers))
    waits = []
    client = HttpClient(httpserver.url_for("/"), sleep=waits.append)
    path = client.download("/files/y.zip", tmp_path / "y.zip", progress=False)
    assert path.read_bytes() == b"PK-zip-bytes" and waits == [7.0]


def test_a_failed_download_is_asked_for_anew_on_the_rerun(httpserver, api_responses, tmp_path, monkeypatch):
    api = BulkApi(
        httpserver,
        api_responses,
        {},
        {},
        status_override={"status": "failed", "message": "Query timed out", "file_name": "x.zip", "file_url": None},
    )
    with pytest.raises(ApiError, match="could not generate"):
        download(tmp_path / "kg", httpserver, monkeypatch=monkeypatch)
    with pytest.raises(ApiError, match="could not generate"):
        download(tmp_path / "kg", httpserver, monkeypatch=monkeypatch)
    assert len(api.bodies) == 2  # not the failed file again: a new request each time
    assert not list((tmp_path / "kg" / "downloads" / "requests").glob("*.json"))
