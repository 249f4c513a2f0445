"""USAspending REST API: contract awards found by a search, read from their detail pages, with subawards.

One search (`POST /api/v2/search/spending_by_award/`) pages through the awards that match the filters;
each hit's detail page (`GET /api/v2/awards/<generated id>/`) carries what the search does not (parent
IDV, DUNS and parent recipient, funding agency, options values), and the same search with
`spending_level: subawards` lists its subcontracts with their sub-recipients' UEIs. All HTTP goes through
`ingest.http.HttpClient` (retries, cache); this module only builds requests and maps answers to `records`.

Two kinds of failure are kept apart: a hit that cannot be mapped, or whose detail page the API refuses
(4xx), becomes a `Reject` and the run goes on; a search the API refuses, or an API that cannot be
reached, raises `ApiError` and the run stops (the checkpoint lets the rerun resume).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

from core.keys import subaward_key
from core.records import AgencyRef, Award, Party, Provenance, Reject, Subaward

from . import clean
from .api_values import first as _first
from .api_values import get as _get
from .api_values import money as _money
from .api_values import obj as _obj
from .api_values import text as _text
from .http import ApiError, HttpClient
from .paging import MAX_PAGES, PageGuard
from .usaspending_agencies import agency_filter

log = logging.getLogger(__name__)

BASE_URL = "https://api.usaspending.gov"
SEARCH = "/api/v2/search/spending_by_award/"
COUNT = "/api/v2/search/spending_by_award_count/"
DETAIL = "/api/v2/awards/{}/"
EARLIEST = "2007-10-01"  # the search's documented earliest start date (search_filters.md, Time Period)
MAX_PAGE_SIZE = 100
MAX_WORKERS = 10  # requests' connection pool keeps 10 connections per host
# Without a cursor the search's `hasNext` comes from Elasticsearch's hit total, which stops counting at
# 10,000: page numbers alone end there silently. After page 1 every request carries the keyset cursor
# the previous answer returned (`last_record_unique_id`, `last_record_sort_value`), which has no ceiling.
UNCOUNTED_AFTER = 10_000
CURSOR = ("last_record_unique_id", "last_record_sort_value")
# The search refuses a request that mixes these groups (search_filters.md, award_type_codes).
AWARD_TYPE_GROUPS = {
    "contracts": ("A", "B", "C", "D"),
    "idvs": ("IDV_A", "IDV_B", "IDV_B_A", "IDV_B_B", "IDV_B_C", "IDV_C", "IDV_D", "IDV_E"),
    "grants": ("02", "03", "04", "05"),
    "direct_payments": ("06", "10"),
    "loans": ("07", "08"),
    "other": ("09", "11", "-1"),
}
SUBAWARD_PAGE_SIZE = 100
SUBAWARD_FIELDS = (
    "Sub-Award ID",
    "Sub-Awardee Name",
    "Sub-Recipient UEI",
    "Sub-Award Date",
    "Sub-Award Amount",
    "Sub-Award Description",
    "Prime Award ID",
    "prime_award_generated_internal_id",
)

FIELDS = (
    "Award ID",
    "Recipient Name",
    "Recipient UEI",
    "Award Amount",
    "Total Outlays",
    "Description",
    "Start Date",
    "End Date",
    "Awarding Agency",
    "Awarding Agency Code",
    "Awarding Sub Agency",
    "Awarding Sub Agency Code",
    "Funding Agency",
    "Funding Sub Agency",
    "Contract Award Type",
    "generated_internal_id",
    "recipient_id",
)
# Page order must be the same on every request of a run (and on its resumed rerun): sort on the award
# id, which does not move as obligations change, rather than on the amount.
SORT, ORDER = "Award ID", "asc"


def iter_records(
    client: HttpClient,
    *,
    awarding_agency: str | None = None,
    funding_agency: str | None = None,
    recipient: str | None = None,
    start: str | None = None,
    end: str | None = None,
    award_types=("A", "B", "C", "D"),
    page_size: int = 100,
    checkpoint: Path | None = None,
    with_subawards: bool = True,
    progress=None,
    on_page_done=None,
    workers: int = 1,
    max_pages: int = MAX_PAGES,
) -> Iterator[Award | Subaward | Reject]:
    """Yield an Award per search hit (then its Subawards), or a Reject for a hit that cannot be used.

    Agencies: the API contract's agency filter (`AgencyObject`) takes a *name* (required) and no code, so
    what the user typed (code, abbreviation, name in any case) is resolved through the API first
    (`ingest.usaspending_agencies`): a toptier agency is sent as one, a sub-agency with the toptier name the
    API gives it; nothing or several matching raises `AgencyChoice` with the candidates. Awarding and funding
    filters are AND'd. `start`/`end` bound the award's activity (the API's default date semantics);
    a missing end is today, a missing start the API's earliest date.

    Paging: page 1 plain, then each request carries the previous answer's keyset cursor (no 10,000 ceiling).
    Checkpoint: a JSON file with this run's request and the last page whose records were all yielded
    *and* the consumer asked for more, with its cursor; a rerun with the same request resumes after it, so an
    interrupted load re-yields at most the one page it was in (the loader upserts: no duplicates). The
    file is deleted when the run completes; a checkpoint for other filters is ignored (with a warning).
    `on_page_done(page)` is called before the checkpoint moves past a page: the loader makes the records
    so far durable in the store there and returns True (or None), or returns False to batch more pages first
    (the checkpoint then stays put), so the checkpoint never runs ahead of the store.
    `progress(n)` is called with the number of records just yielded, for a progress bar.
    `max_pages`: the most search pages one run asks for (`ingest.paging`: a repeated or empty page that claims
    more stops the run too).
    `workers`: how many hits' detail (and subaward) requests run at once; the records come out in the
    search's order whatever finishes first, so the answer does not depend on it.
    """
    if not 1 <= workers <= MAX_WORKERS:
        raise ValueError(
            f"workers must be between 1 and {MAX_WORKERS} (the HTTP connection pool's size), not {workers}"
        )
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE} (the API's maximum), not {page_size}")
    filters = build_filters(
        client,
        awarding_agency=awarding_agency,
        funding_agency=funding_agency,
        recipient=recipient,
        start=start,
        end=end,
        award_types=award_types,
    )
    request = {
        "filters": filters,
        "fields": list(FIELDS),
        "limit": page_size,
        "sort": SORT,
        "order": ORDER,
        "spending_level": "awards",
    }
    run = {"request": request, "with_subawards": with_subawards}
    bounds = filters.get("time_period", [{"start_date": EARLIEST, "end_date": date.today().isoformat()}])[0]
    windows, window, page, cursor = _resume(checkpoint, run, [(bounds["start_date"], bounds["end_date"])])
    search_url = client.url(SEARCH)
    guard = PageGuard(search_url, max_pages)
    said: set[str] = set()
    yielded: set[str] = set()  # awards already given by an earlier date window (an award spans its dates)
    counted = False  # this window's awards were counted and fit in what page numbers reach
    while window < len(windows):
        first, last = windows[window]
        asked = (
            {**request, "filters": {**filters, "time_period": [{"start_date": first, "end_date": last}]}}
            if len(windows) > 1
            else request
        )
        data = client.post_json(SEARCH, {**asked, "page": page, **(cursor or {})})
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, list):
            raise ApiError(
                f"{search_url} answered without a `results` list on page {page}; "
                f"check --base-url points at the USAspending API",
                url=search_url,
            )
        for message in data.get("messages") or []:
            if message not in said:  # e.g. filters the API ignored; said once a run
                said.add(message)
                log.warning("%s says: %s", search_url, message)
        metadata = _obj(_get(data, "page_metadata"))
        if page == 1 and metadata.get("hasNext") and _cursor(metadata) is None:
            # no keyset cursor: page numbers end at the count's ceiling, so a larger window is cut in two
            halves = _split_if_too_many(client, asked["filters"], first, last)
            if halves:
                windows[window : window + 1] = halves
                continue
            counted = True  # fewer than page numbers reach: paging to the end is safe
        guard.check(
            page,
            [_row_id(hit, "generated_internal_id") for hit in results],
            bool(metadata.get("hasNext")),
            _cursor(metadata),
        )
        log.info("search page %d%s: %d awards", page, f" of {first}..{last}" if len(windows) > 1 else "", len(results))
        todo = []
        for index, hit in enumerate(results, 1):
            generated = _text(_get(hit, "generated_internal_id"))
            if len(windows) > 1 and generated:
                if generated in yielded:
                    continue
                yielded.add(generated)
            todo.append((f"page {page} result {index}", hit))

        def fetch(item):
            where, hit = item
            return list(_records_for_hit(client, hit, where, search_url, with_subawards, filters["award_type_codes"]))

        # each hit's detail and subaward pages are fetched side by side (`workers` at a time) and given in order
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="usaspending") if workers > 1 else None
        try:
            for records in pool.map(fetch, todo) if pool is not None else map(fetch, todo):
                yield from records
                if progress is not None and records:
                    progress(len(records))
        finally:
            if pool is not None:  # a failure stops the hits not started yet instead of waiting for them
                pool.shutdown(wait=True, cancel_futures=True)
        if not metadata.get("hasNext"):
            if cursor is None and page * page_size >= UNCOUNTED_AFTER and not counted:
                raise ApiError(
                    f"{search_url} stopped paging at {page * page_size:,} awards without a cursor, "
                    f"where its count ends; more may match. Narrow the run with --start/--end "
                    f"(fewer than {UNCOUNTED_AFTER:,} awards each)",
                    url=search_url,
                )
            window, page, cursor, counted = window + 1, 1, None, False
            guard.restart()
            continue
        cursor = _cursor(metadata)
        if cursor is None and (page + 1) * page_size > UNCOUNTED_AFTER and not counted:
            raise ApiError(
                f"{search_url} gave no `last_record_unique_id`/`last_record_sort_value` to page past "
                f"{UNCOUNTED_AFTER:,} awards; narrow the run with --start/--end",
                url=search_url,
            )
        # The consumer came back for more after the page's last record: the page is done. The checkpoint
        # moves only when the consumer says the pages so far are durable (it may wait to batch several).
        if on_page_done is None or on_page_done(page) is not False:
            _save_checkpoint(checkpoint, run, page, cursor, windows, window)
        page += 1
    if checkpoint is not None and checkpoint.exists():
        checkpoint.unlink()


def _row_id(row, key: str) -> str:
    """The record's id for telling pages apart; the whole row when the id is missing."""
    return _text(_get(row, key)) or json.dumps(row, sort_keys=True, default=str)


def _split_if_too_many(client: HttpClient, filters: dict, first: str, last: str) -> list[tuple[str, str]] | None:
    """Two halves of the window if its awards may be more than page numbers reach, else None (the count is
    exact, but a count equal to the ceiling is taken as the ceiling: the search's own total stops there)."""
    answer = _obj(client.post_json(COUNT, {"filters": filters, "spending_level": "awards"}))
    counts = _obj(answer.get("results"))
    total = sum(value for value in counts.values() if isinstance(value, (int, float)))
    if total < UNCOUNTED_AFTER:
        return None
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    if start >= end:
        raise ApiError(
            f"{client.url(SEARCH)} gives no cursor and {total:,} awards match on {first} alone, more than "
            f"the {UNCOUNTED_AFTER:,} it pages; narrow the filters",
            url=client.url(SEARCH),
        )
    middle = start + (end - start) // 2
    log.warning(
        "%s gives no keyset cursor and %s..%s holds %d awards (it pages %d): searching %s..%s and %s..%s",
        client.url(SEARCH),
        first,
        last,
        total,
        UNCOUNTED_AFTER,
        first,
        middle.isoformat(),
        (middle + timedelta(days=1)).isoformat(),
        last,
    )
    return [(first, middle.isoformat()), ((middle + timedelta(days=1)).isoformat(), last)]


def _cursor(metadata: dict) -> dict | None:
    """The keyset cursor of an answer, if it gave one (the API writes a missing sort value as "None")."""
    unique, value = (metadata.get(name) for name in CURSOR)
    if unique is None or value is None or value == "None":
        return None
    return {"last_record_unique_id": int(unique), "last_record_sort_value": str(value)}


def award_type_codes(codes) -> list[str]:
    """The codes, checked before any request: the search refuses unknown codes and mixed groups."""
    codes = [str(code).strip() for code in codes if str(code).strip()]
    group_of = {code: group for group, members in AWARD_TYPE_GROUPS.items() for code in members}
    groups_text = "; ".join(f"{group}: {', '.join(members)}" for group, members in AWARD_TYPE_GROUPS.items())
    unknown = [code for code in codes if code not in group_of]
    if not codes or unknown:
        problem = f"unknown award type code {unknown[0]!r}" if unknown else "no award type code given"
        raise ValueError(f"{problem}; the codes, by group, are {groups_text}")
    groups = sorted({group_of[code] for code in codes})
    if len(groups) > 1:
        raise ValueError(
            f"award type codes {', '.join(codes)} mix the groups {' and '.join(groups)}, which the "
            f"search refuses; run one group at a time ({groups_text})"
        )
    return codes


def build_filters(
    client: HttpClient,
    *,
    awarding_agency: str | None = None,
    funding_agency: str | None = None,
    recipient: str | None = None,
    start: str | None = None,
    end: str | None = None,
    award_types=("A", "B", "C", "D"),
) -> dict:
    """The search's `filters` object (search_filters.md); agency codes are resolved to names here."""
    filters: dict = {"award_type_codes": award_type_codes(award_types)}
    if start or end:
        start_date = clean.date(start) or EARLIEST
        end_date = clean.date(end) or date.today().isoformat()
        if start_date > end_date:
            raise ValueError(f"start {start_date} is after end {end_date}")
        if start_date < EARLIEST:  # the search answers 422 before it; bulk downloads reach further back
            log.warning(
                "start %s is before the search's earliest date %s: searching from %s", start_date, EARLIEST, EARLIEST
            )
            start_date = EARLIEST
        if end_date > date.today().isoformat():
            log.warning("end %s is in the future: searching up to today, %s", end_date, date.today().isoformat())
            end_date = date.today().isoformat()
        if start_date > end_date:
            raise ValueError(f"{start} to {end} lies outside the dates the search covers ({EARLIEST} to today)")
        filters["time_period"] = [{"start_date": start_date, "end_date": end_date}]
    agencies = []
    for kind, value in (("awarding", awarding_agency), ("funding", funding_agency)):
        if value and value.strip():
            agencies.append(agency_filter(client, kind, value.strip()))
    if agencies:
        filters["agencies"] = agencies
    if recipient and recipient.strip():
        filters["recipient_search_text"] = [recipient.strip()]  # the contract allows one item only
    return filters


def _records_for_hit(client: HttpClient, hit, where: str, search_url: str, with_subawards: bool, award_types):
    generated = _text(_get(hit, "generated_internal_id"))
    if not generated:
        yield Reject(search_url, where, "search result has no generated_internal_id", hit)
        return
    path = DETAIL.format(quote(generated, safe=""))
    url = client.url(path)
    try:
        detail = client.get_json(path)
    except ApiError as error:
        if not error.is_client_error:
            raise
        yield Reject(url, generated, str(error), hit)
        return
    retrieved = datetime.now(timezone.utc).isoformat(timespec="seconds")
    try:
        award = award_from_detail(detail, Provenance(url, generated, retrieved))
    except (clean.BadValue, _BadRecord) as error:
        yield Reject(url, generated, str(error), detail if isinstance(detail, dict) else hit)
        return
    yield award
    # subaward_count is on every contract detail; 0 means the list would be empty, so skip the request.
    if with_subawards and _get(detail, "subaward_count") != 0:
        yield from _subawards(client, award, generated, award_types)


class _BadRecord(ValueError):
    pass


def award_from_detail(detail: dict, prov: Provenance) -> Award:
    """Map a `GET /api/v2/awards/<id>/` contract answer (award_id.md, ContractResponse) to an Award."""
    if not isinstance(detail, dict):
        raise _BadRecord("award detail is not a JSON object")
    key = _text(detail.get("generated_unique_award_id"))
    if not key:
        raise _BadRecord("award detail has no generated_unique_award_id")
    key = key.upper()
    prov.permalink = clean.permalink(key)
    recipient, parent = _obj(detail.get("recipient")), _obj(detail.get("parent_award"))
    latest = _obj(detail.get("latest_transaction_contract_data"))
    period = _obj(detail.get("period_of_performance"))
    naics = _text(latest.get("naics")) or _text(_get(detail, "naics_hierarchy", "base_code", "code"))
    naics_description = _text(latest.get("naics_description")) or _text(
        _get(detail, "naics_hierarchy", "base_code", "description")
    )
    psc = _text(latest.get("product_or_service_code")) or _text(_get(detail, "psc_hierarchy", "base_code", "code"))
    psc_description = _text(latest.get("product_or_service_description")) or _text(
        _get(detail, "psc_hierarchy", "base_code", "description")
    )
    # `parent_award` is null whenever the parent IDV is not in USAspending; its PIID and agency are still
    # in the generated id (CONT_AWD_<piid>_<agency>_<parent piid>_<parent agency>)
    try:
        _, _, keyed_parent_piid, keyed_parent_agency = clean.split_award_key(key)
    except clean.BadValue:
        keyed_parent_piid = keyed_parent_agency = None
    return Award(
        key=key,
        piid=_text(detail.get("piid")),
        prov=prov,
        recipient=Party(
            name=_text(recipient.get("recipient_name")),
            uei=clean.uei(_text(recipient.get("recipient_uei"))),
            duns=clean.duns(_text(recipient.get("recipient_unique_id"))),
            parent_name=_text(recipient.get("parent_recipient_name")),
            parent_uei=clean.uei(_text(recipient.get("parent_recipient_uei"))),
            parent_duns=clean.duns(_text(recipient.get("parent_recipient_unique_id"))),
        ),
        awarding=_agency(detail.get("awarding_agency")),
        funding=_agency(detail.get("funding_agency")),
        parent_piid=_text(parent.get("piid")) or keyed_parent_piid,
        parent_agency=clean.subtier_code(_text(parent.get("sub_agency_id"))) or clean.subtier_code(keyed_parent_agency),
        award_type=_text(detail.get("type_description")) or _text(detail.get("type")),
        description=_text(detail.get("description")),
        naics=clean.code(naics),
        naics_description=naics_description,
        psc=clean.code(psc),
        psc_description=psc_description,
        base_date=clean.date(_text(detail.get("date_signed"))),
        start_date=clean.date(_text(period.get("start_date"))),
        end_date=clean.date(_text(period.get("end_date"))),
        potential_end_date=clean.date(_text(period.get("potential_end_date"))),
        obligated=_money(detail.get("total_obligation")),
        current_value=_money(detail.get("base_exercised_options")),
        potential_value=_money(detail.get("base_and_all_options")),
        values_as_of=clean.date(_text(period.get("last_modified_date"))),
    )


def _agency(agency) -> AgencyRef:
    """AgencyRef from the detail's Agency object; `funding_agency` may be null.

    The detail names the office (`office_agency_name`) but gives no office code (award_id.md, Agency), and
    neither do the search or `/api/v2/transactions/`; the office code is never guessed from the PIID. An award
    whose action rows are loaded from a bulk file takes its office from them (the store keeps each attribute
    from the latest record that reports it)."""
    if not isinstance(agency, dict):
        return AgencyRef()
    toptier, subtier = _obj(agency.get("toptier_agency")), _obj(agency.get("subtier_agency"))
    return AgencyRef(
        toptier_code=clean.toptier_code(_text(toptier.get("code"))),
        toptier_name=_text(toptier.get("name")),
        subtier_code=clean.subtier_code(_text(subtier.get("code"))),
        subtier_name=_text(subtier.get("name")),
        office_name=_text(agency.get("office_agency_name")),
    )


def _subawards(client: HttpClient, prime: Award, generated: str, award_types) -> Iterator[Subaward | Reject]:
    """The award's subcontracts from the subaward search (`spending_level: subawards`, filtered by
    `award_unique_id`), which, unlike `/api/v2/subawards/`, gives each sub-recipient's UEI."""
    url = client.url(SEARCH)
    page, seen = 1, {}
    guard = PageGuard(url, what=f"subaward search of {generated}")
    while True:
        body = {
            "filters": {"award_unique_id": generated, "award_type_codes": list(award_types)},
            "fields": list(SUBAWARD_FIELDS),
            "spending_level": "subawards",
            "limit": SUBAWARD_PAGE_SIZE,
            "page": page,
            "sort": "Sub-Award ID",
            "order": "asc",
        }
        try:
            data = client.post_json(SEARCH, body)
        except ApiError as error:
            if not error.is_client_error:
                raise
            yield Reject(url, f"{generated} subawards page {page}", str(error), body)
            return
        retrieved = datetime.now(timezone.utc).isoformat(timespec="seconds")
        rows = _get(data, "results") or []
        guard.check(page, [_row_id(row, "Sub-Award ID") for row in rows], bool(_get(data, "page_metadata", "hasNext")))
        for index, row in enumerate(rows, 1):
            record = f"{generated} subawards page {page} result {index}"
            of = _text(_get(row, "prime_award_generated_internal_id"))
            if of and of.upper() != generated.upper():
                continue  # `award_unique_id` is a text search: a subaward of another award that matched it
            try:
                yield subaward_from_result(row, prime, Provenance(url, record, retrieved, prime.prov.permalink), seen)
            except (clean.BadValue, _BadRecord) as error:
                yield Reject(url, record, str(error), row)
        if not _get(data, "page_metadata", "hasNext"):
            return
        page += 1


def subaward_from_result(row: dict, prime: Award, prov: Provenance, seen: dict | None = None) -> Subaward:
    """Map one subaward search hit (spending_by_award.md, subaward fields) or a `/api/v2/subawards/` row
    (subawards.md). The key is `core.keys.subaward_key`, the one the bulk subaward files give too, so a
    subaward loaded from both is one subaward."""
    if not isinstance(row, dict):
        raise _BadRecord("subaward result is not a JSON object")
    number = _text(_first(row, "Sub-Award ID", "subaward_number"))
    action_date = clean.date(_text(_first(row, "Sub-Award Date", "action_date")))
    amount = _money(_first(row, "Sub-Award Amount", "amount"))
    sub = Party(
        name=_text(_first(row, "Sub-Awardee Name", "recipient_name")),
        uei=clean.uei(_text(_first(row, "Sub-Recipient UEI", "recipient_uei", "sub_awardee_or_recipient_uei"))),
    )
    if not sub.name and not sub.uei:
        raise _BadRecord("subaward has neither a recipient name nor a UEI")
    if not number:
        raise _BadRecord("subaward has no subaward number")
    return Subaward(
        key=subaward_key(prime.key, number, action_date, amount, seen),
        prime=prime,
        sub=sub,
        prov=prov,
        number=number,
        amount=amount,
        action_date=action_date,
        description=_text(_first(row, "Sub-Award Description", "description")),
    )


# -- checkpoint ----------------------------------------------------------------------------------------------


def _resume(checkpoint: Path | None, run: dict, windows: list) -> tuple[list, int, int, dict | None]:
    """(date windows, window, next page, its cursor): where the last run stopped, if it asked the same."""
    fresh = (windows, 0, 1, None)
    if checkpoint is None or not checkpoint.exists():
        return fresh
    try:
        saved = json.loads(checkpoint.read_text(encoding="utf-8"))
        done, cursor = int(saved["page"]), saved.get("cursor")
        saved_windows = [tuple(w) for w in saved.get("windows") or windows]
        window = int(saved.get("window", 0))
        same = saved["run"] == json.loads(json.dumps(run))
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("ignoring unreadable checkpoint %s (%s); starting at page 1", checkpoint, error)
        return fresh
    if not same:
        log.warning("checkpoint %s is for other filters; starting at page 1", checkpoint)
        return fresh
    if cursor is None and done * run["request"]["limit"] >= UNCOUNTED_AFTER:
        log.warning("checkpoint %s has no cursor past page %d; starting at page 1", checkpoint, done)
        return fresh
    log.info(
        "resuming from checkpoint %s: pages 1-%d done, starting at page %d%s",
        checkpoint,
        done,
        done + 1,
        " after the cursor it saved" if cursor else "",
    )
    return saved_windows, window, done + 1, cursor


def _save_checkpoint(
    checkpoint: Path | None, run: dict, page: int, cursor: dict | None, windows=None, window: int = 0
) -> None:
    """Page and cursor together: the cursor resumes after the last award read even if the index was
    reloaded and page numbers moved; the page number is kept for the log."""
    if checkpoint is None:
        return
    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=checkpoint.parent, prefix=checkpoint.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"run": run, "page": page, "cursor": cursor, "windows": windows, "window": window}, handle, indent=1)
    os.replace(tmp, checkpoint)
