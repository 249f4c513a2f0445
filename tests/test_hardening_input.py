"""Issue 28: user-edited rules that cannot hang, code pages that tell the truth, cut-off files, judgements about
records not held, and a damaged JSON answer. Every input is built inside the test from real rows of
../shared/data (a few copied into a temporary file)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.products import RULE_COLUMNS, BadTable, Matcher, load_rules, screen_pattern
from core.records import Reject
from ingest import flock_portals, table_map, transactions_csv, usaspending_csv
from ingest.csvfile import SourceError
from tests.dashboard_support import ROOT
from tests.test_hostile import cli_load, real_rows, write_rows  # noqa: F401 (cli_load is a fixture)

FLOCK = "flock_transparency_portals"
BULK = "usaspending_bulk_ice_mn"
PRIME = "umn__Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv"
MAPS = ROOT / "data" / "maps"
# real names, as their owners spell them: what a Windows-1252 spreadsheet holds and an ASCII export loses
NAMES = [
    "NATIONAL SHERIFFS’ ASSOCIATION",
    "SOCIÉTÉ GÉNÉRALE",
    "ESPAÑOLA NM PD",
    "MÜNCHENER RÜCKVERSICHERUNG",
    "ØRSTED NORTH AMERICA INC.",
]
CUT = "file ends inside this row"


def real_lines(path: Path, count: int) -> list[list[str]]:
    """The header and the first `count` data rows of a real file."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [row for _, row in zip(range(count + 1), csv.reader(handle), strict=False)]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


# -- 1+2: rules that cannot hang -------------------------------------------------------------------------------------


def rules_file(path: Path, pattern: str, exclude: str = "") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(RULE_COLUMNS)
        writer.writerow(["aws-support", "Amazon.com, Inc.", "AWS support", pattern, exclude, "", "", "0.9", "a test"])
    return path


def long_description(shared_data) -> str:
    """Real action descriptions run together, without the word the backtracking rule looks for."""
    rows = real_rows(shared_data, 400)
    words = " ".join(row[8] for row in rows[1:]).replace("SUPPORT", "")
    return words + " " + words.replace(" ", "")  # and one very long word: the worst case for (\w+\s?)+


BOUNDED = """
import sys, time
from core.products import Matcher, load_rules
text = open(sys.argv[2], encoding="utf-8").read()
matcher = Matcher(load_rules(sys.argv[1]))
started = time.perf_counter()
assert matcher.match((text, text)) == []
assert [m.span[-7:] for m in matcher.match((text + " ICE SUPPORT",))] == ["SUPPORT"]
print(time.perf_counter() - started)
"""


def test_a_backtracking_rule_matches_in_bounded_time_in_python_and_duckdb(shared_data, tmp_path):
    import duckdb

    rules = rules_file(tmp_path / "rules.csv", r"(?:\w+\s?)+SUPPORT")
    text = long_description(shared_data)
    assert len(text) > 20_000
    (tmp_path / "text.txt").write_text(text, encoding="utf-8")
    try:  # in a child: a backtracking engine would never come back
        done = subprocess.run(
            [sys.executable, "-c", BOUNDED, str(rules), str(tmp_path / "text.txt")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("matching one rule against one description took over 30 s")
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) < 2.0
    screen = screen_pattern(load_rules(rules))
    started = time.perf_counter()
    assert duckdb.connect().execute("SELECT regexp_matches(?, ?)", [text, screen]).fetchone() == (False,)
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize(
    "pattern, feature",
    [
        ("(?>AMAZON WEB SERVICES)", "an atomic group (?>…)"),
        ("AWS(?= SUPPORT)", "a lookahead (?=…)"),
        ("(?<!NO )AWS", "a negative lookbehind (?<!…)"),
        (r"(AWS) \1", r"a backreference \1"),
    ],
)
def test_a_pattern_re2_cannot_read_is_one_error_naming_file_line_and_feature(tmp_path, pattern, feature):
    path = rules_file(tmp_path / "rules.csv", pattern)
    with pytest.raises(BadTable) as error:
        load_rules(path)
    message = str(error.value)
    assert message.startswith(f"{path} line 2: column 'pattern' uses {feature}") and "\n" not in message
    exclusion = rules_file(tmp_path / "exclusion.csv", "AWS", exclude=pattern)
    with pytest.raises(BadTable, match=rf"line 2: column 'exclude' uses {feature[:12]}"):
        load_rules(exclusion)


def test_the_screen_duckdb_runs_finds_exactly_the_texts_the_rules_match(shared_data):
    import duckdb

    matcher = Matcher(load_rules(ROOT / "data" / "product_makers.csv"))
    texts = sorted({row[8] for row in real_rows(shared_data, 3000)[1:] if row[8]})
    con = duckdb.connect()
    screened = {
        row[0]
        for row in con.execute(
            "SELECT t FROM (SELECT unnest(?::VARCHAR[]) AS t) WHERE regexp_matches(t, ?)",
            [texts, screen_pattern(matcher.rules)],
        ).fetchall()
    }
    in_python = {text for text in texts if matcher._screen.search(text)}
    assert screened and screened == in_python


def test_attribute_with_a_rule_re2_refuses_is_one_line_and_leaves_no_copy(cli_load, excerpts, tmp_path, capsys):
    from graph.cli import main as graph

    path = write_rows(tmp_path / "three.csv", real_rows(excerpts, 3))
    code, summary, err = cli_load("transactions-csv", str(path))
    assert code == 0, err
    rules_file(cli_load.home / "product_makers.csv", "(?>AMAZON WEB SERVICES)")
    assert graph(["attribute", "--store", cli_load.kind]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "product_makers.csv line 2: column 'pattern' uses an atomic group" in err, err
    assert not list(cli_load.home.glob("*.loading"))
    code, _, err = cli_load("transactions-csv", str(path))
    assert code == 1 and err.count("\n") == 1 and "atomic group (?>…)" in err and "line 2" in err, err


# -- 3: code pages ---------------------------------------------------------------------------------------------------


def test_a_cp1252_transactions_export_keeps_its_names_and_reports_its_code_page(cli_load, excerpts, tmp_path):
    rows = real_rows(excerpts, len(NAMES))
    for row, name in zip(rows[1:], NAMES, strict=False):
        row[2] = name
    path = tmp_path / "cp1252.csv"
    path.write_bytes(csv_bytes(rows, "cp1252"))
    assert [r.award.recipient.name for r in transactions_csv.read(path)] == NAMES
    code, summary, err = cli_load("transactions-csv", str(path))
    assert code == 0, err
    assert summary["encodings"] == {str(path): "cp1252"} and summary["rows_loaded"] == len(NAMES)


def test_a_cp1252_bulk_download_keeps_its_names(cli_load, excerpts, tmp_path):
    rows = real_lines(excerpts / BULK / PRIME, len(NAMES))
    column = rows[0].index("recipient_name")
    for row, name in zip(rows[1:], NAMES, strict=False):
        row[column] = name
    path = tmp_path / "prime_cp1252.csv"
    path.write_bytes(csv_bytes(rows, "cp1252"))
    assert [r.recipient.name for r in usaspending_csv.read(path)] == NAMES
    code, summary, err = cli_load("usaspending-csv", str(path))
    assert code == 0, err
    assert summary["encodings"] == {str(path): "cp1252"}


def flock_folder(shared_data, folder: Path, names: list[str], encoding: str = "cp1252") -> Path:
    """The four portal files, a few real rows each; the usage file's agencies renamed to `names`."""
    folder.mkdir()
    source = shared_data / FLOCK
    for name in ("agency20240426.csv", "agency_access20240426.csv", "agency_policies.csv"):
        (folder / name).write_bytes(csv_bytes(real_lines(source / name, 3)))
    usage = real_lines(source / "latest_usage04262023.csv", len(names))
    for row, name in zip(usage[1:], names, strict=False):
        row[1] = name
    (folder / "latest_usage04262023.csv").write_bytes(csv_bytes(usage, encoding))
    return folder


def test_cp1252_flock_portals_and_table_keep_their_names_and_report_their_code_page(cli_load, excerpts, tmp_path):
    folder = flock_folder(excerpts, tmp_path / "flock", NAMES)
    usage = folder / "latest_usage04262023.csv"
    deployments = [r for r in flock_portals.read(folder) if type(r).__name__ == "Deployment"]
    assert [d.agency_name for d in deployments] == NAMES
    code, summary, err = cli_load("flock-portals", str(folder))
    assert code == 0, err
    assert summary["encodings"][str(usage)] == "cp1252"
    assert set(summary["encodings"].values()) == {"cp1252", "utf-8-sig"}
    the_map = table_map.load_map(MAPS / "flock_usage.toml")
    assert [r.agency_name for r in table_map.read(usage, the_map)] == NAMES
    code, summary, err = cli_load("table", str(usage), "--map", str(MAPS / "flock_usage.toml"))
    assert code == 0, err
    assert summary["encodings"] == {str(usage): "cp1252"}  # was null


def test_a_file_neither_utf8_nor_cp1252_stops_naming_byte_line_column_and_encoding(cli_load, excerpts, tmp_path):
    rows = real_rows(excerpts, 3)
    data = csv_bytes(rows).split(b"\r\n")
    data[2] = data[2].replace(b",", b",\x81", 1)  # 0x81: not UTF-8, and no character in Windows-1252
    path = tmp_path / "cp437.csv"
    path.write_bytes(b"\r\n".join(data))
    column = data[2].index(b"\x81") + 1
    code, _, err = cli_load("transactions-csv", str(path))
    assert code == 1 and err.count("\n") == 1, err
    assert f"line 3 (column {column}," in err and "b'\\x81'" in err and "--encoding" in err
    assert "neither as UTF-8 nor as Windows-1252" in err
    with pytest.raises(SourceError, match=r"line 3 \(column \d+, .* --encoding"):
        list(table_map.read(path, table_map.load_map(MAPS / "flock_usage.toml")))
    assert list(transactions_csv.read(path, None, "cp437"))  # named, it loads


# -- 4: cut-off files ------------------------------------------------------------------------------------------------


def cut_cases(shared_data, tmp_path):
    """(loader, path of the file, its rows) per CSV loader: 3 real rows, the last without its line break."""
    tx = csv_bytes(real_rows(shared_data, 3)).rstrip(b"\r\n")
    prime = csv_bytes(real_lines(shared_data / BULK / PRIME, 3)).rstrip(b"\r\n")
    usage = csv_bytes(real_lines(shared_data / FLOCK / "latest_usage04262023.csv", 3)).rstrip(b"\r\n")
    the_map = table_map.load_map(MAPS / "flock_usage.toml")

    def flock(path):
        folder = path.parent
        for name in ("agency20240426.csv", "agency_access20240426.csv", "agency_policies.csv"):
            (folder / name).write_bytes(csv_bytes(real_lines(shared_data / FLOCK / name, 2)))
        return [
            r
            for r in flock_portals.read(folder)
            if isinstance(r, Reject) and r.source == str(path) or type(r).__name__ == "Deployment"
        ]

    return {
        "transactions-csv": (lambda path: list(transactions_csv.read(path)), "tx.csv", tx),
        "usaspending-csv": (lambda path: list(usaspending_csv.read(path)), "prime.csv", prime),
        "table": (lambda path: list(table_map.read(path, the_map)), "usage.csv", usage),
        "flock-portals": (flock, "latest_usage04262023.csv", usage),
    }


LOADERS = ["transactions-csv", "usaspending-csv", "table", "flock-portals"]


@pytest.mark.parametrize("loader", LOADERS)
def test_a_well_formed_last_line_without_its_line_break_still_loads(excerpts, tmp_path, loader):
    read, name, data = cut_cases(excerpts, tmp_path)[loader]
    path = tmp_path / name
    path.write_bytes(data)
    records = read(path)
    assert len(records) == 3 and not [r for r in records if isinstance(r, Reject)]


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("cut", ["inside a value", "inside a quote"])
def test_a_file_cut_inside_its_last_row_is_one_reject_saying_so(excerpts, tmp_path, loader, cut):
    read, name, data = cut_cases(excerpts, tmp_path)[loader]
    head, _, last = data.rpartition(b"\r\n")
    if cut == "inside a value":  # cut a third of the way into the last line: a check of that row fails
        last = last[: len(last) // 3]
    else:  # a quoted cell left open by the cut
        cells = next(csv.reader([last.decode()]))
        position = max(range(len(cells)), key=lambda i: len(cells[i]))  # the longest cell: cut inside it
        opened = cells[:position] + ['"' + cells[position][: len(cells[position]) // 2]]
        last = ",".join(opened).encode()
    path = tmp_path / name
    path.write_bytes(head + b"\r\n" + last)
    records = read(path)
    rejects = [r for r in records if isinstance(r, Reject)]
    assert len(records) == 3 and len(rejects) == 1, [getattr(r, "reason", r) for r in records]
    assert rejects[0].reason.startswith(CUT) and rejects[0].record == "line 4"


def test_the_issue_example_a_parent_piid_cut_short_is_rejected(excerpts, tmp_path):
    rows = real_rows(excerpts, 3)
    data = csv_bytes(rows).rstrip(b"\r\n")
    path = tmp_path / "cut.csv"
    path.write_bytes(data[:-10])  # inside the parent PIID of the last row's Generated Award ID
    *kept, last = transactions_csv.read(path)
    assert isinstance(last, Reject) and last.reason.startswith(CUT) and "parts" in last.reason
    assert not any(isinstance(r, Reject) for r in kept)


# -- 6: judgements about records not held, and user-edited tables with a bad byte ------------------------------------

JUDGEMENT_HEADER = "kind,record,target,verdict,who,when,why\n"


def test_a_judgement_about_a_record_not_held_warns_and_counts_and_strict_stops_both(
    cli_load, excerpts, tmp_path, caplog, capsys
):
    from graph.cli import main as graph

    elsewhere = real_rows(excerpts, 10)[10][9]  # a real award that the loaded rows do not hold
    path = write_rows(tmp_path / "three.csv", real_rows(excerpts, 3))
    (cli_load.home / "judgements.csv").write_text(
        JUDGEMENT_HEADER + f'attribution,{elsewhere},"Amazon.com, Inc.",wrong,a reviewer,2026-12-01,not AWS\n',
        encoding="utf-8",
    )
    code, summary, err = cli_load("transactions-csv", str(path))
    assert code == 0, err
    assert summary["judgements_pending"] == 1
    assert "1 judgement(s)" in caplog.text and "line 2" in caplog.text
    caplog.clear()
    assert graph(["attribute", "--store", cli_load.kind, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["judgements_pending"] == 1
    assert "1 judgement(s)" in caplog.text
    code, _, err = cli_load("transactions-csv", str(path), "--strict")
    assert code == 1 and err.count("\n") == 1 and f"no action or award with key {elsewhere!r}" in err, err
    assert graph(["attribute", "--store", cli_load.kind, "--strict"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"no action or award with key {elsewhere!r}" in err, err
    assert not list(cli_load.home.glob("*.loading"))


def latin1_line(path: Path, line: str) -> Path:
    """A table whose second line holds one Latin-1 byte (ü as 0xfc)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(1, line)
    path.write_bytes("".join(lines).encode("latin-1"))
    return path


def test_a_bad_byte_in_a_user_edited_table_names_the_file_and_line_wherever_it_is_read(
    excerpts, tmp_path, monkeypatch, capsys
):
    from core.curated import load_families
    from core.judgements import load_judgements
    from graph.cli import main as graph
    from ingest.cli import main as ingest

    judgements = tmp_path / "judgements.csv"
    judgements.write_text(JUDGEMENT_HEADER, encoding="utf-8")
    latin1_line(judgements, "merge,MÜLLER GMBH||,org:x,not_same,a reviewer,2026-12-01,two firms\n")
    with pytest.raises(BadTable, match=rf"^{judgements} line 2: byte 0xdc \(column 8\) is not UTF-8"):
        load_judgements(judgements)
    rules = latin1_line(rules_file(tmp_path / "rules.csv", "AWS"), 'x,"Amazon.com, Inc.",Prüfung,AWS,,,,0.9,note\n')
    with pytest.raises(BadTable, match=rf"^{rules} line 2: byte 0xfc"):
        load_rules(rules)
    families = tmp_path / "vendor_families.csv"
    families.write_bytes((ROOT / "data" / "vendor_families.csv").read_bytes())
    latin1_line(families, "Müller GmbH,alias,^MULLER GMBH$,a note\n")
    with pytest.raises(BadTable, match=rf"^{families} line 2: byte 0xfc"):
        load_families(families)
    the_map = tmp_path / "usage.toml"
    the_map.write_bytes((MAPS / "flock_usage.toml").read_bytes())
    latin1_line(the_map, "# Müller\n")
    with pytest.raises(BadTable, match=rf"^{the_map} line 2: byte 0xfc"):
        table_map.load_map(the_map)
    # and from the command lines: one line, exit 1
    home = tmp_path / "kg"
    monkeypatch.setenv("KG_HOME", str(home))
    monkeypatch.setenv("KG_JUDGEMENTS", str(judgements))
    monkeypatch.setenv("KG_PRODUCT_RULES", str(ROOT / "data" / "product_makers.csv"))
    usage = tmp_path / "latest_usage.csv"
    usage.write_bytes(csv_bytes(real_lines(excerpts / FLOCK / "latest_usage04262023.csv", 2)))
    assert ingest(["table", str(usage), "--map", str(MAPS / "flock_usage.toml"), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{judgements} line 2: byte 0xdc" in err, err
    assert graph(["attribute"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{judgements} line 2: byte 0xdc" in err, err
    monkeypatch.setenv("KG_JUDGEMENTS", str(tmp_path / "none.csv"))
    assert ingest(["table", str(usage), "--map", str(the_map), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{the_map} line 2: byte 0xfc" in err, err


# -- 8: a damaged JSON answer ----------------------------------------------------------------------------------------


def test_a_malformed_json_answer_names_the_byte(excerpts, httpserver):
    from ingest.http import ApiError, HttpClient

    body = (excerpts / "usaspending_api_responses" / "layonez_bid_buster" / "03-award-detail-sample.json").read_bytes()
    json.loads(body)
    cut = body[: len(body) // 2]
    try:
        json.loads(cut)
    except json.JSONDecodeError as error:
        byte = len(cut.decode("utf-8", "replace")[: error.pos].encode("utf-8"))
    httpserver.expect_request("/api/v2/awards/x/").respond_with_data(cut, content_type="application/json")
    with pytest.raises(ApiError, match=rf"the body is not valid JSON \(byte {byte}\)"):
        HttpClient(httpserver.url_for("/"), retries=1).get_json("/api/v2/awards/x/", cache=False)
