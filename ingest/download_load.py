"""`usaspending-download`: every zip asked for, fetched, and each CSV in it loaded as one store transaction.

A file either loads whole or not at all (a failure drops only the file being read; the files before it
stay loaded, and a rerun skips nothing and duplicates nothing). The run log keeps what was asked, so
`refresh` can ask again, and each file's counts next to the row count USAspending reported for the zip.
"""

from __future__ import annotations

import logging
from pathlib import Path

from . import usaspending_csv
from . import usaspending_download as dl
from .http import ApiError, HttpClient
from .load import Loader
from .usaspending_agencies import agency_filter

log = logging.getLogger(__name__)

REQUEST_OPTIONS = (
    "awarding_agency",
    "funding_agency",
    "fy",
    "award_types",
    "subawards",
    "archive",
    "delta",
    "base_url",
    "files_host",
)


def load_downloads(store, args, options: dict, home: Path) -> dict:
    client = HttpClient.for_command(args, home)
    years = dl.fiscal_years(args.fy)
    agencies = [
        agency_filter(client, kind, value)
        for kind, value in (("awarding", args.awarding_agency), ("funding", args.funding_agency))
        if value
    ]
    hosts = frozenset(_origin(origin) for origin in [dl.FILES_HOST, *args.files_host])
    downloads = home / "downloads"
    if args.archive:
        readies = dl.archive_files(client, agencies[0], years, args.delta)
    else:
        readies = dl.custom_downloads(
            client,
            agencies,
            years,
            args.award_types,
            args.subawards,
            downloads / "requests",
            args.cache_hours * 3600,
            poll=args.poll_seconds,
            timeout=args.wait_minutes * 60,
        )
    files: list[dict] = []
    zips: list[dict] = []
    extra = {"request": {name: getattr(args, name) for name in REQUEST_OPTIONS}, "zips": zips, "files": files}
    loader = Loader(store, inputs=[args.base_url], extra=extra, **options)

    def records():
        for ready in readies:
            try:
                path = dl.fetch(client, ready, downloads, hosts, options["progress"])
            except ApiError as error:
                if error.status in (404, 410) and ready.job is not None:
                    ready.job.unlink(missing_ok=True)  # expired on the server: the rerun asks for it anew
                raise
            zip_read = 0
            for member in dl.csv_members(path):
                before = (loader.read, loader.loaded, loader.rejected)
                yield from usaspending_csv.read(member)
                loader.flush(durable=True)  # this file is in the store, whole
                read, loaded, rejected = (
                    now - then for now, then in zip((loader.read, loader.loaded, loader.rejected), before, strict=False)
                )
                zip_read += read
                files.append(
                    {
                        "zip": ready.file_name,
                        "file": member.name,
                        "rows_read": read,
                        "rows_loaded": loaded,
                        "rows_rejected": rejected,
                    }
                )
                log.info("%s: %d rows read, %d loaded, %d rejected", member, read, loaded, rejected)
            if ready.rows is not None and ready.rows != zip_read:
                log.warning("%s: USAspending reported %d rows, its CSVs hold %d", ready.file_name, ready.rows, zip_read)
            zips.append(
                {"zip": ready.file_name, "holds": ready.label, "rows_reported": ready.rows, "rows_read": zip_read}
            )

    return loader.run(records())


def _origin(text: str) -> str:
    """`files.example.org` or `https://files.example.org/`: the origin a file URL must have."""
    text = text.strip().rstrip("/").lower()
    return text if "://" in text else f"https://{text}"
