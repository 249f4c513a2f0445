#!/usr/bin/env bash
# Rebuild the bundled sample from the real files in ../shared/data with the project's own ingest.
# The watch list keeps the surveillance, data and detention vendors reporters ask about first; --or-products also
# keeps every award whose descriptions name a maker's product (data/product_makers.csv), the sales through resellers.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
S=${SHARED_DATA:-../shared/data}
OUT=${OUT:-data/sample}
WATCH='PALANTIR|CLEARVIEW|AMAZON|LEXISNEXIS|RELX|THOMSON REUTERS|WEST PUBLISHING|GEO GROUP|GEO CARE|^B\.? ?I\.? INC|CORECIVIC|CORRECTIONS CORP|MOTOROLA|CELLEBRITE|PEN-LINK|PEN LINK|BABEL STREET|ANDURIL|MICROSOFT|DELOITTE|GRAYSHIFT|SHOTSPOTTER|VIGILANT|GIANT OAK|COBWEBS|TALKWALKER|IDEMIA|GENERAL DYNAMICS INFORMATION|PERATON|ACCENTURE FEDERAL|BOOZ ALLEN|LEIDOS|INTEGRATED BIOMETRICS|SALIENT CRGT|REGENTS OF THE UNIVERSITY OF MINNESOTA'

# The four ICE bulk downloads are small: kept whole.
$PY -m ingest normalize --source usaspending-csv --out "$OUT"/ice_bulk_downloads_2025.csv \
  "$S"/usaspending_bulk_ice_mn/*.csv
$PY -m ingest normalize --source usaspending-csv --match "$WATCH" --or-products --out "$OUT"/ice_transactions_fy2013_2018.csv \
  --header-from "$S"/torn_apart_ice_fy2013_2018/fy13.csv "$S"/torn_apart_ice_fy2013_2018/fy1[345678].csv
$PY -m ingest normalize --source transactions-csv --match "$WATCH" --or-products --out "$OUT"/ice_cbp_transactions_fy2021_2026.csv \
  "$S"/spending_by_transaction_ice_cbp_fy2021_2026/*.csv
