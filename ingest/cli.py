"""`python -m ingest`: load public procurement records into the graph.

Logs and progress go to stderr; the run summary goes to stdout (as JSON with --json).
A user mistake (missing file, unknown layout, unreachable server) is one line on stderr and exit 1; an
agency name that matches nothing or several agencies lists the candidates on stderr and exits 2.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from core.records import Reject, Subaward, Transaction
from graph.console import OneLineParser, number, print_json
from graph.settings import kg_home
from graph.store import STORES, StoreUnavailable, disk_advice, disk_error, open_store

from . import clean, fpds_atom, normalized_csv, transactions_csv, usaspending_csv
from .csvfile import SourceError
from .encoding import UTF8, detect
from .load import Loader, load
from .paging import MAX_PAGES

FILE_SOURCES = {
    "usaspending-csv": usaspending_csv.read,
    "transactions-csv": transactions_csv.read,
    "normalized": normalized_csv.read,
    "fpds-atom": fpds_atom.read,
    "fpds-atom-vehicles": fpds_atom.read_summaries,
}
DECODED_SOURCES = {
    "usaspending-csv",
    "transactions-csv",
}  # text files of unknown origin; ours and XML say their encoding
_ATOM_ENTRY = re.compile(rb"<(?:[\w.-]+:)?entry[\s>]")
log = logging.getLogger("ingest")
DURABLE_SECONDS = 60.0  # API loads commit what they read at most this often


def count_rows(paths: list[Path], command: str) -> int:
    """Rows estimate for the progress bar's ETA: data lines of a CSV, entries of an Atom feed."""
    total = 0
    for path in paths:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        total += len(_ATOM_ENTRY.findall(data)) if command.startswith("fpds-atom") else max(data.count(b"\n") - 1, 0)
    return total


def check_files(paths: list[Path]) -> None:
    for path in paths:
        if not path.is_file():
            raise SourceError(f"{path}: no such file (check the path; nothing was loaded)")


def file_records(
    source: str, paths: list[Path], header_from: Path | None, encoding: str | None = None, decoded: dict | None = None
) -> Iterator:
    """The records of each file in turn; a CSV source's encoding is settled per file first (`decoded` keeps it)."""
    reader = FILE_SOURCES[source]
    for path in paths:
        chosen = detect(path, encoding) if source in DECODED_SOURCES else None
        if chosen and chosen != UTF8:
            log.warning("%s: not UTF-8; read as %s (%s)", path, chosen, "as declared" if encoding else "detected")
        if decoded is not None and chosen:
            decoded[str(path)] = chosen
        yield from reader(path, header_from, chosen)


def iso_date(text: str) -> str:
    try:
        value = clean.date(text)
    except clean.BadValue as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if value is None:
        raise argparse.ArgumentTypeError("empty date")
    return value


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        choices=sorted(STORES),
        default="embedded",
        help="where to load (default: the embedded store under KG_HOME)",
    )
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="if another load is writing to the store, stop (exit 1) instead of waiting for it",
    )
    parser.add_argument("--json", action="store_true", help="print the run summary as JSON on stdout")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    parser.add_argument("-v", "--verbose", action="store_true", help="more logging on stderr")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="a judgement (data/judgements.csv) naming a record "
        "the store does not hold is an error (by default it is warned about and counted as pending)",
    )


def _encoding(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--encoding",
        metavar="NAME",
        help="text encoding of CSV files that are not UTF-8 (e.g. cp1252); by default each file is "
        "checked and, if not UTF-8, its encoding detected; the run summary reports it",
    )


def _covers(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--covers",
        action="append",
        default=[],
        metavar="AGENCY:FY-FY[:STATUS]",
        help="what these files hold whole, e.g. ICE:2021-2026 (status complete by default; or "
        "as_loaded, partial, truncated); without it their agency-years read as partial",
    )
    parser.add_argument(
        "--coverage",
        type=Path,
        metavar="FILE",
        help="a coverage declarations file (source,agency,fy_from,fy_to,status,note), e.g. data/sample/coverage.csv",
    )


def declared_coverage(args) -> list[dict]:
    """The --covers and --coverage declarations of a file load, checked before any file is read."""
    from core.coverage import parse_spec, read_declarations

    found = [parse_spec(spec) for spec in args.covers]
    return found + (read_declarations(args.coverage) if args.coverage else [])


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m ingest", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    helps = {
        "usaspending-csv": "USAspending bulk downloads: contract prime award summaries, transactions, subawards",
        "transactions-csv": "flattened spending_by_transaction search-result exports",
        "normalized": "normalized record files written by `normalize` (e.g. the bundled sample in data/sample)",
        "fpds-atom": "FPDS ATOM feed files (saved ezsearch FEEDS/ATOM answers): one contract action per entry",
        "fpds-atom-vehicles": "FPDS ATOM feed files of contract vehicles: each entry as the award's summary as of "
        "that action (ceiling, last date to order), never as spending",
    }
    for name, text in helps.items():
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        command.add_argument(
            "--header-from",
            type=Path,
            metavar="FILE",
            help="header for files that lost their header row: a CSV of the same layout "
            "or a two-column data dictionary (letter,name)",
        )
        _encoding(command)
        _covers(command)
        _common(command)
    api = commands.add_parser(
        "usaspending-api",
        help="the USAspending REST API (spending_by_award + award detail)",
        description="Search awards through the USAspending API, fetch each award's detail "
        "and subawards, and load them. Resumes after an interruption.",
    )
    api.add_argument("--awarding-agency", metavar="NAME|CODE", help="awarding agency (toptier or subtier)")
    api.add_argument("--funding-agency", metavar="NAME|CODE", help="funding agency (toptier or subtier)")
    api.add_argument("--recipient", metavar="TEXT", help="recipient name or UEI search text")
    api.add_argument("--start", metavar="YYYY-MM-DD", type=iso_date, help="time period start")
    api.add_argument("--end", metavar="YYYY-MM-DD", type=iso_date, help="time period end")
    api.add_argument(
        "--award-types",
        default="contracts",
        metavar="GROUP|CODES",
        help="one group of award types: contracts (default: A,B,C,D), idvs, grants, direct_payments, "
        "loans, other, or codes of one group, comma-separated (e.g. IDV_A,IDV_B)",
    )
    api.add_argument("--base-url", default="https://api.usaspending.gov", help="API server (tests use a local one)")
    api.add_argument("--page-size", type=number(int, 1, 100), default=100, help="results per search page (max 100)")
    api.add_argument(
        "--max-pages",
        type=number(int, 1, 10**6),
        default=MAX_PAGES,
        metavar="N",
        help=f"stop with an error after N search pages (default {MAX_PAGES:,}); a repeated page, or an "
        f"empty one that claims more, stops the run too",
    )
    api.add_argument("--no-subawards", action="store_true", help="skip each award's subawards")
    api.add_argument(
        "--workers",
        type=int,
        default=4,
        choices=range(1, 11),
        metavar="1..10",
        help="award details fetched at once (default 4); records keep the search's order",
    )
    api.add_argument(
        "--commit-every",
        type=number(float, 0, 86400),
        default=DURABLE_SECONDS,
        metavar="SECONDS",
        help=f"commit what was read at most this often (default {DURABLE_SECONDS:g}; 0: after every page); "
        f"an interrupted run resumes from the last commit",
    )
    api.add_argument("--cache-dir", type=Path, help="on-disk response cache (default KG_HOME/http-cache)")
    api.add_argument(
        "--cache-hours",
        type=number(float, 0, 10**5),
        default=24.0,
        help="reuse cached answers younger than this (default 24; 0 fetches everything again)",
    )
    _common(api)
    download = commands.add_parser(
        "usaspending-download",
        help="USAspending bulk downloads (one per fiscal year) or Award Data Archive files",
        description="Ask USAspending to generate a bulk award download per fiscal year (or take the Award Data "
        "Archive's ready-made files), wait for it, stream the zip to KG_HOME/downloads and load every "
        "CSV in it, each file in one store transaction. A rerun resumes the same download.",
    )
    download.add_argument("--awarding-agency", metavar="NAME|CODE", help="awarding agency (toptier or subtier)")
    download.add_argument("--funding-agency", metavar="NAME|CODE", help="funding agency (toptier or subtier)")
    download.add_argument("--fy", required=True, metavar="YEARS", help="fiscal years: 2021, 2008-2026 or 2019,2021")
    download.add_argument(
        "--award-types",
        choices=("contracts", "idvs"),
        default="contracts",
        help="contracts (A-D, the default) or idvs (indefinite delivery vehicles)",
    )
    download.add_argument("--subawards", action="store_true", help="also the subcontracts reported under them")
    download.add_argument(
        "--archive",
        action="store_true",
        help="the Award Data Archive's Full file per fiscal year instead of a custom download "
        "(whole toptier agencies, contracts and IDVs)",
    )
    download.add_argument("--delta", action="store_true", help="with --archive: the agency's Delta files too")
    download.add_argument(
        "--base-url", default="https://api.usaspending.gov", help="API server (tests use a local one)"
    )
    download.add_argument(
        "--files-host",
        action="append",
        default=[],
        metavar="URL",
        help="another origin the API may serve its files from (https://files.usaspending.gov "
        "always is one); repeatable",
    )
    download.add_argument(
        "--poll-seconds", type=number(float, 0.001, 3600), default=10, help="first wait between status checks"
    )
    download.add_argument(
        "--wait-minutes", type=number(float, 0.1, 10**4), default=60, help="give up on a download not ready by then"
    )
    download.add_argument("--cache-dir", type=Path, help="on-disk response cache (default KG_HOME/http-cache)")
    download.add_argument(
        "--cache-hours",
        type=number(float, 0, 10**5),
        default=24.0,
        help="reuse a download requested (and answers cached) less than this long ago (default 24)",
    )
    _common(download)
    recipients = commands.add_parser(
        "usaspending-recipients",
        help="USAspending recipient profiles: each vendor's obligations from every agency "
        "per fiscal year (the denominator of dependence on the Targets page)",
        description="For the vendors in the store with a UEI (or those named), fetch their USAspending recipient "
        "profile per fiscal year (POST /api/v2/recipient/, GET /api/v2/recipient/<id>/?year=) and store "
        "each year's total with its retrieval time.",
    )
    recipients.add_argument(
        "--vendor",
        action="append",
        default=[],
        metavar="NAME",
        help="only this vendor's family (part of a name; repeatable); default: every vendor",
    )
    recipients.add_argument("--fy", metavar="YEARS", help="fiscal years (default: those the store's actions span)")
    recipients.add_argument("--base-url", default="https://api.usaspending.gov", help="API server")
    recipients.add_argument("--cache-dir", type=Path, help="on-disk response cache (default KG_HOME/http-cache)")
    recipients.add_argument(
        "--cache-hours", type=number(float, 0, 10**5), default=24.0, help="reuse cached answers this long"
    )
    _common(recipients)
    flock = commands.add_parser(
        "flock-portals",
        help="Flock Safety transparency portals (the N&O scrape's four CSVs): deployments, "
        "data-sharing links, policies",
        description="Load a folder holding agency*.csv, agency_access*.csv, latest_usage*.csv and "
        "agency_policies*.csv: local agencies, who can search whose Flock data, camera counts and "
        "retention, and policy text, each cited to its file and line.",
    )
    flock.add_argument("directory", type=Path, metavar="DIR")
    _common(flock)
    table = commands.add_parser(
        "table",
        help="any CSV, XLSX, JSON or JSON Lines file through a map (data/maps/ has examples; docs/map-format.md "
        "documents maps)",
        description="Load a spreadsheet or JSON file a reporter holds (a FOIA response, purchase orders, an agenda "
        "export, a campaign tracker): "
        "the TOML map says which relationship each row makes (uses, contract, shares-with) and which "
        "column or constant gives each field.",
    )
    table.add_argument("path", type=Path, metavar="FILE")
    table.add_argument("--map", type=Path, required=True, metavar="MAP.toml", help="the column map")
    table.add_argument("--sheet", metavar="NAME", help="the sheet of an XLSX workbook with several")
    table.add_argument(
        "--dry-run",
        action="store_true",
        help="print what the map makes of the first rows (JSON lines on stdout) and list the values a "
        "[values.FIELD] table still has to map; load nothing",
    )
    table.add_argument(
        "--rows",
        type=number(int, 1, 10**6),
        default=5,
        metavar="N",
        help="with --dry-run: how many rows to show (default 5)",
    )
    _encoding(table)
    _common(table)
    refresh = commands.add_parser(
        "refresh",
        help="re-run every download and API search the store's run log records, from its last action date",
        description="For each usaspending-download and usaspending-api load in the store's run log, load again "
        "from the last action date it loaded to today (what is already held is not duplicated).",
    )
    _common(refresh)
    normalize = commands.add_parser(
        "normalize",
        help="write normalized records to one CSV (how data/sample was made)",
        description="Read source files and write their normalized records, with provenance, to --out. "
        "Rows whose recipient, parent or sub-recipient name matches --match are kept.",
    )
    normalize.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    normalize.add_argument(
        "--source",
        choices=sorted([*FILE_SOURCES, "flock-portals"]),
        default="usaspending-csv",
        help="the files' kind; flock-portals: PATH is the folder of the portal scrape, written as "
        "normalized local records",
    )
    normalize.add_argument("--header-from", type=Path, metavar="FILE")
    _encoding(normalize)
    normalize.add_argument("--match", metavar="REGEX", help="keep only records whose party names match")
    normalize.add_argument(
        "--or-products",
        action="store_true",
        help="with --match, also keep every record of an award whose descriptions name a maker's "
        "product (data/product_makers.csv): the sales through resellers",
    )
    normalize.add_argument("--out", type=Path, required=True, metavar="FILE")
    normalize.add_argument("--json", action="store_true")
    normalize.add_argument("-v", "--verbose", action="store_true")
    return parser


def _names(record) -> list[str]:
    award = (
        record.prime if isinstance(record, Subaward) else (record.award if isinstance(record, Transaction) else record)
    )
    parties = [award.recipient] + ([record.sub] if isinstance(record, Subaward) else [])
    return [n for p in parties for n in (p.name, p.parent_name) if n]


def _award_of(record):
    return (
        record.prime if isinstance(record, Subaward) else (record.award if isinstance(record, Transaction) else record)
    )


def _product_awards(args) -> set[str]:
    """Keys of the awards with a record whose description (or its award's) names a maker's product."""
    from core.products import Matcher, load_rules

    matcher, keys = Matcher(load_rules()), set()
    for record in file_records(args.source, args.paths, args.header_from, args.encoding):
        if isinstance(record, Reject):
            continue
        award = _award_of(record)
        own = record.description if isinstance(record, (Transaction, Subaward)) else None
        psc = " ".join(filter(None, (award.psc, award.psc_description)))
        naics = " ".join(filter(None, (award.naics, award.naics_description)))
        if matcher.match((own, award.description), psc, naics):
            keys.add(award.key)
    return keys


def run_normalize(args) -> dict:
    if args.source == "flock-portals":
        return _normalize_local(args)
    check_files(args.paths)
    try:
        pattern = re.compile(args.match, re.IGNORECASE) if args.match else None
    except re.error as error:
        raise SourceError(f"--match {args.match!r} is not a regular expression: {error}") from None
    counts = {"rows_read": 0, "rows_rejected": 0, "rows_skipped": 0}
    decoded: dict[str, str] = {}
    products = _product_awards(args) if pattern and args.or_products else set()

    def kept():
        for record in file_records(args.source, args.paths, args.header_from, args.encoding, decoded):
            counts["rows_read"] += 1
            if isinstance(record, Reject):
                counts["rows_rejected"] += 1
            elif (
                pattern
                and not any(pattern.search(name) for name in _names(record))
                and _award_of(record).key not in products
            ):
                counts["rows_skipped"] += 1
            else:
                yield record

    written = normalized_csv.write(kept(), args.out)
    return {**counts, "rows_written": written, "out": str(args.out), "encodings": decoded}


def run_load(args) -> dict:
    from graph.attribution import rules_and_judgements

    rules_and_judgements()  # a bad rule or judgement line stops the load before any file is read
    if args.command == "refresh":
        from .refresh import run_refresh

        return run_refresh(args, build_parser(), run_load)
    if args.command == "usaspending-download":
        if not (args.awarding_agency or args.funding_agency):
            raise SourceError("give --awarding-agency or --funding-agency: USAspending's bulk download needs an agency")
    elif args.command in LOCAL_SOURCES:
        return _load_local(args)
    elif args.command in FILE_SOURCES:
        check_files(args.paths)
        args.declared = declared_coverage(args)
        if args.header_from is not None and not args.header_from.is_file():
            raise SourceError(f"--header-from {args.header_from}: no such file")
    elif args.command == "usaspending-api":
        if args.start and args.end and args.start > args.end:
            raise SourceError(f"--start {args.start} is after --end {args.end}")
        from .usaspending_api import AWARD_TYPE_GROUPS, award_type_codes

        chosen = args.award_types.strip()
        try:
            args.award_types = award_type_codes(AWARD_TYPE_GROUPS.get(chosen.lower()) or chosen.split(","))
        except ValueError as error:
            raise SourceError(f"--award-types {chosen}: {error}") from None
    store = open_store(args.store)
    store.strict = args.strict  # judgements about records not held: an error, else a warning and a count
    try:
        return _load_into(store, args)
    finally:
        store.close()


def _load_into(store, args) -> dict:
    home = kg_home()
    options = {
        "command": args.command,
        "rejects_dir": home / "rejects",
        "progress": not args.no_progress,
        "wait": not args.no_wait,
    }
    if args.command == "usaspending-download":
        from .download_load import load_downloads

        return load_downloads(store, args, options, home)
    if args.command == "usaspending-recipients":
        return _load_recipients(store, args, options, home)
    if args.command != "usaspending-api":
        decoded: dict[str, str] = {}
        records = file_records(args.command, args.paths, args.header_from, args.encoding, decoded)
        covers = {"covers": args.declared} if args.declared else {}
        return load(
            store,
            records,
            inputs=[str(p) for p in args.paths],
            total=count_rows(args.paths, args.command),
            extra={"encodings": decoded, **covers},
            **options,
        )
    from .http import HttpClient
    from .usaspending_api import iter_records

    request = {
        "awarding_agency": args.awarding_agency,
        "funding_agency": args.funding_agency,
        "recipient": args.recipient,
        "start": args.start,
        "end": args.end,
        "award_types": ",".join(args.award_types),
        "base_url": args.base_url,
        "page_size": args.page_size,
        "no_subawards": args.no_subawards,
    }
    loader = Loader(store, inputs=[args.base_url], extra={"request": request}, **options)
    client = HttpClient.for_command(args, home)
    records = iter_records(
        client,
        awarding_agency=args.awarding_agency,
        funding_agency=args.funding_agency,
        recipient=args.recipient,
        start=args.start,
        end=args.end,
        award_types=args.award_types,
        page_size=args.page_size,
        checkpoint=home / "usaspending-api.checkpoint.json",
        with_subawards=not args.no_subawards,
        on_page_done=durable_every(loader, args.commit_every),
        workers=args.workers,
        max_pages=args.max_pages,
    )
    return loader.run(records)


LOCAL_SOURCES = ("flock-portals", "table")


def _normalize_local(args) -> dict:
    """The portal scrape's records, every one, as normalized local records with their provenance (data/sample)."""
    from . import flock_portals, normalized_local

    if len(args.paths) != 1:
        raise SourceError("--source flock-portals takes one folder (the one holding the four portal CSVs)")
    counts = {"rows_read": 0, "rows_rejected": 0}

    def kept():
        for record in flock_portals.read(args.paths[0]):
            counts["rows_read"] += 1
            if isinstance(record, Reject):
                counts["rows_rejected"] += 1
            else:
                yield record

    written = normalized_local.write(kept(), args.out)
    return {**counts, "rows_written": written, "out": str(args.out)}


def _local_records(args):
    """(records, inputs, rows estimate) of a local source; checks the folder or the map before any store opens."""
    if args.command == "flock-portals":
        from . import flock_portals

        paths = flock_portals.files(args.directory)
        total = sum(max(path.read_bytes().count(b"\n") - 1, 0) for path in paths.values())
        return flock_portals.read(args.directory), [str(path) for path in paths.values()], total
    from . import table_map

    chosen = table_map.load_map(args.map)
    if not args.path.is_file():
        raise SourceError(f"{args.path}: no such file (check the path; nothing was loaded)")
    return table_map.read(args.path, chosen, args.sheet, args.encoding), [str(args.path), str(args.map)], None


def _decoded(args) -> dict[str, str]:
    """{file: the encoding it is read in} of a local source's text files, for the summary's `encodings`."""
    from . import flock_portals, table_map

    if args.command == "table":
        chosen = table_map.encodings(args.path, args.encoding)
    else:
        chosen = {str(path): detect(path) for path in flock_portals.files(args.directory).values()}
    for path, encoding in chosen.items():
        if encoding != UTF8:
            log.warning(
                "%s: not UTF-8; read as %s (%s)",
                path,
                encoding,
                "as declared" if getattr(args, "encoding", None) else "detected",
            )
    return chosen


def _load_local(args) -> dict:
    records, inputs, total = _local_records(args)
    if getattr(args, "dry_run", False):
        return {**_dry_run(records, args.rows), "unmapped": _unmapped(args)}
    store = open_store(args.store)
    store.strict = args.strict
    try:
        options = {
            "command": args.command,
            "rejects_dir": kg_home() / "rejects",
            "progress": not args.no_progress,
            "wait": not args.no_wait,
        }
        return load(store, records, inputs=inputs, total=total, extra={"encodings": _decoded(args)}, **options)
    finally:
        store.close()


def _dry_run(records, rows: int) -> dict:
    """The records (and rejects) the map makes of the first `rows` data rows, one JSON object a line on stdout."""
    import dataclasses

    seen, made = set(), {"records": 0, "rejects": 0}
    for record in records:
        prov = record if isinstance(record, Reject) else record.prov
        line = prov.record
        if line not in seen and len(seen) == rows:
            break
        seen.add(line)
        if isinstance(record, Reject):
            made["rejects"] += 1
            shown = {"reject": {"record": record.record, "reason": record.reason}}
        else:
            made["records"] += 1
            fields = {k: v for k, v in dataclasses.asdict(record).items() if k != "prov" and v not in (None, {}, [])}
            if "where" in fields:  # the agency as the row describes it, cited by the row itself
                fields["where"] = {k: v for k, v in fields["where"].items() if k != "prov" and v is not None}
            shown = {type(record).__name__: fields, "from": prov.record}
        print(json.dumps(shown, sort_keys=True, default=str))
    return {"dry_run": True, "rows_shown": len(seen), **made}


def _unmapped(args) -> dict:
    """The whole file's values that a [values.FIELD] table still has to map, told on stderr as TOML to paste."""
    from . import table_map

    found = table_map.unmapped(args.path, table_map.load_map(args.map), args.sheet, args.encoding)
    for name, listed in found.items():
        lines = [
            f'{json.dumps(value)} = ""    # {rows} row{"s" * (rows != 1)}' for value, rows in listed["values"].items()
        ]
        log.warning(
            "column %r (%s): %d value%s not in its vocabulary; add to %s:\n%s\n%s",
            listed["column"],
            name,
            len(lines),
            "s" * (len(lines) != 1),
            args.map,
            listed["table"],
            "\n".join(lines),
        )
    return found


def _load_recipients(store, args, options: dict, home: Path) -> dict:
    from graph.questions.queries import Queries

    from .http import HttpClient
    from .usaspending_download import fiscal_years
    from .usaspending_recipients import profiles

    ask = Queries(store)
    if args.vendor:
        members = [m for name in args.vendor for m in store.fetch_members(ask.resolve_family(name)[0])]
        vendors = sorted({(m["id"], m["uei"]) for m in members if m.get("uei")})
        without = len({m["id"] for m in members if not m.get("uei")})
    else:
        index = list(store.vendor_index())
        vendors = sorted((vid, uei) for vid, uei, _, _ in index if uei)
        without = len(index) - len(vendors)
    if args.fy:
        years = fiscal_years(args.fy)
    else:
        facets = ask.facets()
        if facets.get("fy_min") is None:
            raise SourceError("the store holds no dated action to take fiscal years from; give --fy")
        years = list(range(facets["fy_min"], facets["fy_max"] + 1))
    if not vendors:
        raise SourceError(
            "no vendor with a UEI to look up"
            + (f" among {', '.join(args.vendor)}" if args.vendor else " in the store: load awards first")
        )
    log.warning(
        "usaspending-recipients: %d vendor(s) with a UEI, FY%d-%d (%d without a UEI left out)",
        len(vendors),
        years[0],
        years[-1],
        without,
    )
    client = HttpClient.for_command(args, home)
    extra = {
        "request": {"vendor": args.vendor, "fy": f"{years[0]}-{years[-1]}", "base_url": args.base_url},
        "vendors_asked": len(vendors),
        "vendors_without_uei": without,
    }
    loader = Loader(store, inputs=[args.base_url], extra=extra, total=len(vendors) * len(years), **options)
    return loader.run(profiles(client, vendors, years))


def durable_every(loader: Loader, seconds: float):
    """A page-done callback committing what was read at most every `seconds`: each commit derives every figure,
    so committing each page of 100 awards would cost more than fetching them. An interrupt loses at most that
    much work, which the checkpoint makes the rerun fetch again."""
    last = [time.monotonic()]

    def page_done(page: int) -> bool:
        if time.monotonic() - last[0] < seconds:
            return False
        loader.flush(durable=True)
        last[0] = time.monotonic()
        return True

    return page_done


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from core.coverage import CoverageError
    from core.products import BadTable

    from .http import ApiError
    from .usaspending_agencies import AgencyChoice

    try:
        summary = run_normalize(args) if args.command == "normalize" else run_load(args)
    except AgencyChoice as error:
        print(f"error: {error}", file=sys.stderr)
        for candidate in error.candidates:
            print(f"  {json.dumps(candidate)}", file=sys.stderr)
        return 2
    except (SourceError, ApiError, StoreUnavailable, BadTable, CoverageError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # outside the store: the rejects file, a download, a checkpoint
        if disk_error(error) is None:
            raise
        print(
            f"error: cannot write {error.filename or 'a file'}: {disk_error(error)}; nothing of this run was "
            f"committed after its last commit; {disk_advice(disk_error(error))}, then rerun",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print(
            "interrupted: the store holds this run whole if it had finished committing, else what it held "
            "before, plus what an API load had committed (every --commit-every seconds) and the files a download "
            "had finished; run the same command again to complete it: nothing is duplicated",
            file=sys.stderr,
        )
        return 130
    if args.json:
        print_json(summary)
    else:
        for key, value in summary.items():
            print(f"{key}: {value}")
    return 0
