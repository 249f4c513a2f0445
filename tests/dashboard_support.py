"""Shared by the dashboard tests: a store home holding the bundled sample (plus, on request, a record
whose vendor name and description are an HTML injection), loaded with the project's own ingest."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = sorted((ROOT / "data" / "sample").glob("*.csv"))
HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_KEY = "CONT_AWD_70CDCR99XSS0001_7012_-NONE-_-NONE-"
HOSTILE_UEI = "XSSTEST00001"


def hostile_file(folder: Path) -> Path:
    """One real award row of the sample with its vendor and description replaced by the hostile text."""
    source = SAMPLE[0]
    with source.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames
        row = next(r for r in reader if r["kind"] == "award" and r["awarding_subtier_code"] == "7012")
    row.update(key=HOSTILE_KEY, award_key=HOSTILE_KEY, piid="70CDCR99XSS0001", parent_piid="", description=HOSTILE,
               recipient_name=HOSTILE, recipient_uei=HOSTILE_UEI, recipient_duns="", recipient_cage="",
               recipient_parent_name="", recipient_parent_uei="", recipient_parent_duns="", obligated="12345.67",
               permalink=f"https://www.usaspending.gov/award/{HOSTILE_KEY}/")
    path = folder / "hostile.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerow(row)
    return path


def load_sample(home: Path, hostile: bool = False) -> Path:
    """`python -m ingest normalized` the bundled sample (and the hostile record) into `home`."""
    home.mkdir(parents=True, exist_ok=True)
    files = [str(p) for p in SAMPLE] + ([str(hostile_file(home))] if hostile else [])
    env = {**os.environ, "KG_HOME": str(home)}
    subprocess.run([sys.executable, "-m", "ingest", "normalized", *files], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    return home
