"""The PSC and NAICS code lists the technology lens reads (`data/psc_codes.csv`, `data/naics_codes.csv`).

The spending-by-transaction exports carry a product or service code's description, not its code, and in
today's wording ("IT AND TELECOM - BUSINESS APPLICATION SOFTWARE (PERPETUAL LICENSE SOFTWARE)"), which no
single published list holds. So the code of a description is looked up in, by priority: the code and
description pairs USAspending's own records carry (the bundled files, normalized from ../shared/data), then
USAspending's reference list (`psc_codes.csv` in usaspending-api), then CSIS's lookup of FPDS's abbreviated
wording. Each row keeps its source; `core/categories.py` takes the first row of a description.

    python -m ingest.code_lists --usaspending-psc PSC_CODES_CSV --csis ../shared/reference/codes \\
        data/sample/ice_bulk_downloads_2025.csv.gz data/sample/ice_transactions_fy2013_2018.csv.gz ...
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import logging
import sys
from pathlib import Path

from core.curated import DATA

log = logging.getLogger(__name__)
# short source names (data/README.md gives each in full): the repository file and commit, or the records' file
USASPENDING_PSC = "usaspending-api@13a1ee0f:usaspending_api/references/management/commands/psc_codes.csv"
CSIS = "CSISdefense/Lookup-Tables@44bdfe6b:{path}"
CENSUS = CSIS.format(path="economic/Lookup_PrincipalNAICScode.csv")
COLUMNS = ("code", "description", "source")


def _key(text: str | None) -> str:
    return " ".join((text or "").upper().split())


def _csv(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


def psc_rows(records: list[Path], usaspending: Path | None, csis: Path) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    for path in records:
        pairs = {
            (row["psc"].strip(), _key(row["psc_description"]))
            for row in _csv(path)
            if (row.get("psc") or "").strip() and _key(row.get("psc_description"))
        }
        rows += [(code, text, f"usaspending-records:{path.as_posix()}") for code, text in sorted(pairs)]
    if usaspending:
        listed = sorted(_csv(usaspending), key=lambda row: row["START DATE"] or "", reverse=True)  # newest first
        rows += [
            (row["PSC CODE"].strip(), _key(row["PRODUCT AND SERVICE CODE NAME"]), USASPENDING_PSC)
            for row in listed
            if _key(row["PRODUCT AND SERVICE CODE NAME"])
        ]
    rows += [
        (
            row["ProductOrServiceCode"].strip(),
            _key(row["ProductOrServiceCodeText"]),
            CSIS.format(path="ProductOrServiceCodes.csv"),
        )
        for row in _csv(csis / "ProductOrServiceCodes.csv")
        if row["ProductOrServiceCode"].strip() and _key(row["ProductOrServiceCodeText"]) not in ("", "NULL")
    ]
    return _first_of_each(rows)


def naics_rows(csis: Path) -> list[tuple[str, str, str]]:
    return _first_of_each(
        [
            (row["principalnaicscode"].strip(), _key(row["principalnaicscodeText"]), CENSUS)
            for row in _csv(csis / "Lookup_PrincipalNAICScode.csv")
            if row["principalnaicscode"].strip().isdigit() and _key(row["principalnaicscodeText"]) not in ("", "NULL")
        ]
    )


def _first_of_each(rows):
    seen, kept = set(), []
    for code, text, source in rows:
        if (code, text) not in seen:
            seen.add((code, text))
            kept.append((code, text, source))
    return kept


def write(path: Path, rows) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    log.info("wrote %s: %d rows", path, len(rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest.code_lists", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "records", nargs="*", type=Path, help="normalized record files carrying psc and its description"
    )
    parser.add_argument("--usaspending-psc", type=Path, help="usaspending-api's psc_codes.csv")
    parser.add_argument("--csis", type=Path, default=Path("../shared/reference/codes"))
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    write(args.out / "psc_codes.csv", psc_rows(args.records, args.usaspending_psc, args.csis))
    write(args.out / "naics_codes.csv", naics_rows(args.csis))
    return 0


if __name__ == "__main__":
    sys.exit(main())
