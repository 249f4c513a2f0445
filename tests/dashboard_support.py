"""Shared by the dashboard tests: a store home holding the bundled sample (plus, on request, a record
whose vendor name and description are an HTML injection), or the real ICE/CBP transaction export (where
Four Points Technology resells Amazon Web Services), loaded with the project's own ingest.

Every load reads a fixed product-rule table and a judgements file of its own in the home (`curated_env`),
never data/product_makers.csv (being curated) or data/judgements.csv (which tests must not write)."""

from __future__ import annotations

import csv
import gzip
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KG_SHARED", ROOT.parent / "shared")).resolve()
TRANSACTIONS = sorted((SHARED / "data" / "spending_by_transaction_ice_cbp_fy2021_2026").glob("*.csv"))
TEST_RULES = (
    "id,maker,product,pattern,exclude,psc,naics,confidence,source\n"
    'aws,"Amazon.com, Inc.",Amazon Web Services,AMAZON WEB SERVICES|AWS,,,,0.9,AWS is Amazon\'s cloud\n'
)
FOUR_POINTS_AWARD = "CONT_AWD_70B04C24F00000413_7014_NNG15SD22B_8000"  # CBP's largest AWS order via Four Points
SAMPLE = sorted((ROOT / "data" / "sample").glob("*.csv.gz"))
VEHICLES = sorted((ROOT / "data" / "vehicles").glob("*.csv.gz"))  # contract vehicles: in the default load too
COVERAGE = ROOT / "data" / "sample" / "coverage.csv"  # what the bundle's sources cover (its README says why)
HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_KEY = "CONT_AWD_70CDCR99XSS0001_7012_-NONE-_-NONE-"
HOSTILE_UEI = "XSSTEST00001"


def hostile_file(folder: Path, name: str = HOSTILE, permalink: str | None = None) -> Path:
    """One real award row of the sample with its vendor and description replaced by the hostile text."""
    source = next(path for path in SAMPLE if path.name.startswith("ice_bulk_downloads"))
    with gzip.open(source, "rt", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames
        row = next(r for r in reader if r["kind"] == "award" and r["awarding_subtier_code"] == "7012")
    row.update(
        key=HOSTILE_KEY,
        award_key=HOSTILE_KEY,
        piid="70CDCR99XSS0001",
        parent_piid="",
        description=name,
        recipient_name=name,
        recipient_uei=HOSTILE_UEI,
        recipient_duns="",
        recipient_cage="",
        recipient_parent_name="",
        recipient_parent_uei="",
        recipient_parent_duns="",
        obligated="12345.67",
        permalink=permalink or f"https://www.usaspending.gov/award/{HOSTILE_KEY}/",
    )
    path = folder / "hostile.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerow(row)
    return path


def curated_env(home: Path) -> dict[str, str]:
    """KG_HOME, and the rules and judgements files of this home (the rules written on first use)."""
    home.mkdir(parents=True, exist_ok=True)
    rules = home / "product_makers.csv"
    if not rules.exists():
        rules.write_text(TEST_RULES, encoding="utf-8")
    return {"KG_HOME": str(home), "KG_PRODUCT_RULES": str(rules), "KG_JUDGEMENTS": str(home / "judgements.csv")}


def _ingest(home: Path, *args: str) -> None:
    env = {**os.environ, **curated_env(home)}
    subprocess.run([sys.executable, "-m", "ingest", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def load_sample(home: Path, hostile: bool = False) -> Path:
    """`python -m ingest normalized` the bundled sample and contract vehicles (as `make load` does) and the hostile
    record into `home`."""
    home.mkdir(parents=True, exist_ok=True)
    files = [str(p) for p in SAMPLE + VEHICLES] + ([str(hostile_file(home))] if hostile else [])
    _ingest(home, "normalized", "--coverage", str(COVERAGE), *files)
    return home


def load_transactions(home: Path) -> Path:
    """`python -m ingest transactions-csv` the ICE/CBP FY2021-2026 export into `home` (about 12 s)."""
    if not TRANSACTIONS:
        raise FileNotFoundError(
            f"no transaction export under {SHARED / 'data'}: clone next to shared/ or set KG_SHARED"
        )
    _ingest(home, "transactions-csv", *map(str, TRANSACTIONS))
    return home


# -- reading a page by what it is, not by where it stands (AppTest) ------------------------------------------

OPENING = set("markdown caption metric dataframe table info warning error success exception code text iframe".split())


def table(app, key: str):
    """The table drawn in the container keyed `key` (dashboard/render/tables.py `dataframe`), as a DataFrame: found
    by its key, whatever the page draws above it."""
    try:
        block = app.get_by_key(key)
    except KeyError:
        present = sorted({node.key for part in (app.main, app.sidebar) for node in part if getattr(node, "key", None)})
        raise AssertionError(f"no table keyed {key!r}; keys on the page: {present}") from None
    frames = list(getattr(block, "dataframe", []))
    assert len(frames) == 1, f"{key!r} holds {len(frames)} tables, not one"
    return frames[0].value


def saying(elements, phrase: str):
    """The one element of `elements` (markdown, captions) whose text, Markdown escapes removed, holds `phrase`."""
    found = [e for e in elements if phrase in e.value.replace("\\", "")]
    assert len(found) == 1, f"{len(found)} elements say {phrase!r}, not one; they say: {[e.value for e in elements]}"
    return found[0]


def opens_with(app, element) -> bool:
    """Whether `element` is the first thing the main area says (its answer): no Markdown, caption, metric, table,
    alert or drawing before it; titles, headers and inputs aside."""
    return next(node for node in app.main if node.type in OPENING) is element
