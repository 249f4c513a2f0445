"""USAspending bulk downloads: a custom award download per fiscal year, or the Award Data Archive's files.

`POST /api/v2/bulk_download/awards/` starts generating a zip; its date range may span at most 366 days
(usaspending_api/download/v2/request_validations.py), so there is one request per fiscal year.
`GET /api/v2/download/status/?file_name=` says when it is ready and how large it is (`total_size`, the
zip's bytes / 1000). The zip is streamed to KG_HOME/downloads and each CSV in it is read by the bulk-CSV
adapter (`ingest.usaspending_csv`), which tells prime transactions, award summaries and subawards apart
by their header. The Award Data Archive (`POST /api/v2/bulk_download/list_monthly_files/`) lists ready
made zips per toptier agency and fiscal year (`Full`), plus the agency's `Delta` files.

A requested download is remembered (KG_HOME/downloads/requests/) so an interrupted run picks up the same
file instead of asking the API to generate it again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from core.keys import fiscal_year

from .api_values import obj, text
from .csvfile import SourceError
from .http import ApiError, HttpClient
from .usaspending_agencies import toptier_agencies

log = logging.getLogger(__name__)

BULK = "/api/v2/bulk_download/awards/"
STATUS = "/api/v2/download/status/"
ARCHIVE = "/api/v2/bulk_download/list_monthly_files/"
FILES_HOST = "https://files.usaspending.gov"  # where the API's generated files live
EARLIEST_FY = 2008  # the first fiscal year USAspending holds contract actions for (from 2007-10-01)
PRIME_TYPES = {
    "contracts": ["A", "B", "C", "D"],
    "idvs": ["IDV_A", "IDV_B", "IDV_B_A", "IDV_B_B", "IDV_B_C", "IDV_C", "IDV_D", "IDV_E"],
}
READY, RUNNING, FAILED = "finished", ("ready", "running"), "failed"


@dataclass(frozen=True)
class Ready:
    """A zip the API has ready: where to fetch it, how big it is, how many rows it holds (None: not said)."""

    file_name: str
    url: str
    expected_bytes: float | None
    rows: int | None
    label: str  # what it holds, for messages: "FY2021 contracts of …"
    job: Path | None = None  # the record of our request for it (dropped when the file is gone or failed)


class DownloadFailed(ApiError):
    """USAspending could not generate the file: asking for the same one again will not help."""


def fiscal_years(text_value: str, today: date | None = None) -> list[int]:
    """'2021', '2008-2026' or '2019,2021': the years, each a full fiscal year of at most 366 days."""
    today = today or date.today()
    latest = fiscal_year(today.isoformat())
    years: set[int] = set()
    for part in text_value.replace(" ", "").split(","):
        first, _, last = part.partition("-")
        try:
            low, high = int(first), int(last or first)
        except ValueError:
            raise SourceError(f"--fy {text_value}: give fiscal years as 2021, 2008-2026 or 2019,2021") from None
        if low > high:
            raise SourceError(f"--fy {text_value}: {low} is after {high}")
        years.update(range(low, high + 1))
    kept = sorted(y for y in years if EARLIEST_FY <= y <= latest)
    if len(kept) < len(years):
        log.warning(
            "--fy %s: USAspending holds contract actions for fiscal years %d-%d; asking for %s",
            text_value,
            EARLIEST_FY,
            latest,
            ", ".join(map(str, kept)) or "none",
        )
    if not kept:
        raise SourceError(f"--fy {text_value}: no fiscal year in {EARLIEST_FY}-{latest}, the years USAspending covers")
    return kept


def fy_range(year: int, today: date | None = None) -> tuple[str, str]:
    today = today or date.today()
    end = min(date(year, 9, 30), today)
    return f"{year - 1}-10-01", end.isoformat()


def request_body(agencies: list[dict], award_types: str, year: int, subawards: bool, today: date | None = None) -> dict:
    start, end = fy_range(year, today)
    filters = {
        "prime_award_types": PRIME_TYPES[award_types],
        "date_type": "action_date",
        "date_range": {"start_date": start, "end_date": end},
        "agencies": agencies,
    }
    if subawards:
        filters["sub_award_types"] = ["procurement"]
    return {"filters": filters, "file_format": "csv"}


def requested(client: HttpClient, body: dict, jobs: Path, max_age: float) -> tuple[str, Path]:
    """The file name of the download this request generates, and the record of it: one asked for earlier
    (younger than `max_age` seconds, so a rerun resumes it), else a new one."""
    key = hashlib.sha256(f"{client.base_url}\n{json.dumps(body, sort_keys=True)}".encode()).hexdigest()[:24]
    job = jobs / f"{key}.json"
    if job.exists() and time.time() - job.stat().st_mtime <= max_age:
        try:
            return json.loads(job.read_text(encoding="utf-8"))["file_name"], job
        except (OSError, ValueError, KeyError):
            log.warning("ignoring unreadable download record %s", job)
    answer = obj(client.post_json(BULK, body, cache=False))
    file_name = text(answer.get("file_name"))
    if not file_name:
        raise ApiError(
            f"{client.url(BULK)} answered without a file_name ({json.dumps(answer)[:200]}); check "
            f"--base-url points at the USAspending API",
            url=client.url(BULK),
        )
    for message in answer.get("messages") or []:
        log.warning("%s says: %s", client.url(BULK), message)
    jobs.mkdir(parents=True, exist_ok=True)
    job.write_text(json.dumps({"file_name": file_name, "request": body, "answer": answer}), encoding="utf-8")
    return file_name, job


def wait_until_ready(
    client: HttpClient,
    file_name: str,
    label: str,
    *,
    poll: float = 10,
    timeout: float = 3600,
    sleep=time.sleep,
    clock=time.monotonic,
) -> Ready:
    """Poll the status until the file is finished, waiting a little longer each time (at most a minute)."""
    started, wait = clock(), poll
    url = client.url(STATUS, {"file_name": file_name})
    while True:
        status = obj(client.get_json(STATUS, {"file_name": file_name}, cache=False))
        state = text(status.get("status"))
        if state == READY:
            file_url = text(status.get("file_url"))
            if not file_url:
                raise ApiError(f"{url} says {file_name} is finished but gives no file_url", url=url)
            size = status.get("total_size")
            rows = status.get("total_rows")
            return Ready(
                file_name,
                file_url,
                float(size) * 1000 if isinstance(size, (int, float)) else None,
                rows if isinstance(rows, int) else None,
                label,
            )
        if state == FAILED:
            raise DownloadFailed(
                f"USAspending could not generate {file_name} ({label}): "
                f"{text(status.get('message')) or 'no reason given'}; rerun later, or narrow the request",
                url=url,
            )
        if state not in RUNNING:
            raise ApiError(
                f"{url} answered status {state!r}, not one of finished, running, ready or failed; check "
                f"--base-url points at the USAspending API",
                url=url,
            )
        elapsed = clock() - started
        if elapsed + wait > timeout:
            raise ApiError(
                f"{file_name} ({label}) is still {state} after {elapsed:.0f}s; rerun the same command later "
                f"to pick up this download (or give --wait-minutes more)",
                url=url,
            )
        log.info("%s: %s for %.0fs, asking again in %.0fs", file_name, state, elapsed, wait)
        sleep(wait)
        wait = min(wait * 1.5, 60.0)


def custom_downloads(
    client: HttpClient,
    agencies: list[dict],
    years: list[int],
    award_types: str,
    subawards: bool,
    jobs: Path,
    max_age: float,
    **waiting,
) -> Iterator[Ready]:
    names = ", ".join(f"{a['type']} {a['name']}" for a in agencies)
    for year in years:
        body = request_body(agencies, award_types, year, subawards)
        label = f"FY{year} {award_types} of {names}"
        file_name, job = requested(client, body, jobs, max_age)
        try:
            ready = wait_until_ready(client, file_name, label, **waiting)
        except DownloadFailed:
            job.unlink(missing_ok=True)  # the rerun asks USAspending to generate it again
            raise
        yield replace(ready, job=job)


def archive_files(client: HttpClient, agency: dict, years: list[int], delta: bool) -> list[Ready]:
    """The Award Data Archive's contract zips for a toptier agency: a Full file per year, and the Delta files."""
    toptiers = toptier_agencies(client)
    name = agency.get("toptier_name") or agency["name"]
    match = [t for t in toptiers if t["name"] == name and t.get("agency_id") is not None]
    if not match:
        raise ApiError(
            f"{name!r} has no agency id in {client.url('/api/v2/references/toptier_agencies/')}; the "
            f"archive cannot be asked for it",
            url=client.url(ARCHIVE),
        )
    if agency["tier"] == "subtier":
        log.warning(
            "the Award Data Archive keeps whole toptier agencies: loading all of %s, which includes %s",
            name,
            agency["name"],
        )
    found: dict[str, Ready] = {}
    for year in years:
        answer = obj(
            client.post_json(
                ARCHIVE, {"agency": match[0]["agency_id"], "fiscal_year": year, "type": "contracts"}, cache=False
            )
        )
        for item in map(obj, answer.get("monthly_files") or []):
            file_name, url = text(item.get("file_name")), text(item.get("url"))
            is_delta = "_Delta_" in (file_name or "")
            if file_name and url and (delta or not is_delta):
                label = f"{'delta' if is_delta else f'FY{year} full'} contracts file of {name}"
                found.setdefault(file_name, Ready(file_name, url, None, None, label))
    if not found:
        raise ApiError(
            f"{client.url(ARCHIVE)} lists no contract files of {name} for FY{years[0]}-{years[-1]}",
            url=client.url(ARCHIVE),
        )
    return [found[key] for key in sorted(found)]


def fetch(client: HttpClient, ready: Ready, downloads: Path, hosts: frozenset[str], progress: bool) -> Path:
    """The zip on disk, whole and of the size the API reported (fetched, or kept from an earlier run)."""
    safe = PurePosixPath(ready.file_name).name
    if not safe.lower().endswith(".zip") or safe in ("", ".", ".."):
        raise ApiError(f"the API named the download {ready.file_name!r}, which is not a zip file name", url=ready.url)
    path = downloads / safe
    if path.exists() and zipfile.is_zipfile(path):
        log.info("%s: already downloaded", path)
        return path
    return client.download(ready.url, path, expected_bytes=ready.expected_bytes, hosts=hosts, progress=progress)


def csv_members(path: Path) -> list[Path]:
    """Extract the zip's CSVs next to it (once), each dated as the zip dates it, so provenance names the
    file and when USAspending wrote it. A zip that is not one, or holds no CSV, is refused by name."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        path.unlink(missing_ok=True)
        raise SourceError(
            f"{path} is not a readable zip ({error}): it was deleted; rerun to download it again"
        ) from None
    out = path.with_suffix("")
    members = []
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        csvs = [info for info in infos if info.filename.lower().endswith(".csv")]
        if not csvs:
            raise SourceError(
                f"{path} is not a USAspending download: it holds no CSV file "
                f"({', '.join(info.filename for info in infos[:5]) or 'nothing'})"
            )
        for info in sorted(csvs, key=lambda i: i.filename):
            name = PurePosixPath(info.filename).name
            target = out / name
            if not (target.exists() and target.stat().st_size == info.file_size):
                out.mkdir(parents=True, exist_ok=True)
                part = target.with_name(name + ".part")
                try:
                    with archive.open(info) as source, part.open("wb") as sink:
                        while chunk := source.read(1 << 20):
                            sink.write(chunk)
                except (zipfile.BadZipFile, OSError, EOFError) as error:
                    part.unlink(missing_ok=True)
                    path.unlink(missing_ok=True)
                    raise SourceError(
                        f"{path}: {info.filename} cannot be read ({error}); the zip was deleted: rerun "
                        f"to download it again"
                    ) from None
                stamp = datetime(*info.date_time).timestamp()
                os.utime(part, (stamp, stamp))
                os.replace(part, target)
            members.append(target)
    skipped = len(infos) - len(csvs)
    if skipped:
        log.info("%s: %d file(s) that are not CSV left aside", path, skipped)
    return members
