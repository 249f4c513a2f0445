#!/usr/bin/env bash
# Rebuild the bundled data from the real files in ../shared/data with the project's own ingest: every record of
# every file (nothing filtered out), normalized, with its original provenance, gzip-compressed.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
S=${SHARED_DATA:-../shared/data}
OUT=${OUT:-data/sample}

# ICE bulk downloads (March 2025): prime award summaries for Minnesota recipients, all ICE contract subawards since 2020
$PY -m ingest normalize --source usaspending-csv --out "$OUT"/ice_bulk_downloads_2025.csv.gz \
  "$S"/usaspending_bulk_ice_mn/*.csv
# Torn Apart's ICE transactions FY2013-2018 (fy14-fy18 lost their header row: fy13's is used)
$PY -m ingest normalize --source usaspending-csv --out "$OUT"/ice_transactions_fy2013_2018.csv.gz \
  --header-from "$S"/torn_apart_ice_fy2013_2018/fy13.csv "$S"/torn_apart_ice_fy2013_2018/fy1[345678].csv
# Every ICE and CBP contract action FY2021-2026 (spending_by_transaction exports)
$PY -m ingest normalize --source transactions-csv --out "$OUT"/ice_cbp_transactions_fy2021_2026.csv.gz \
  "$S"/spending_by_transaction_ice_cbp_fy2021_2026/*.csv
# Flock Safety transparency portals (The News & Observer's "Private Eyes" scrape, 2023-2024, MIT): every agency,
# data-sharing link, deployment (camera counts) and policy, as normalized local records
$PY -m ingest normalize --source flock-portals --out "$OUT"/flock_portals_2024.csv.gz "$S"/flock_transparency_portals
# FPDS ATOM records of 20 contract vehicles (Kenosa's harvest, MIT): each entry as the vehicle as of that action
# (ceiling, last date to order; kind "vehicle", kept apart from the awards), in data/vehicles/, which `make load`
# loads too (data/sample/README.md); with another OUT, into $OUT/vehicles/ (the bundled file is left alone)
if [ "$OUT" = data/sample ]; then VEHICLES_OUT=data/vehicles; else VEHICLES_OUT="$OUT/vehicles"; fi
$PY -m ingest normalize --source fpds-atom-vehicles --out "$VEHICLES_OUT"/fpds_contract_vehicles.csv.gz \
  "$S"/fpds_atom_contract_vehicles/*/page-*.xml
