"""USAspending recipient profiles: each vendor's obligations from every agency, per fiscal year.

`POST /api/v2/recipient/` with the vendor's UEI as keyword finds its recipient id (the listing with that
UEI; its own level, `C` or `R`, before a parent's `P`), and `GET /api/v2/recipient/<id>/?year=<fy>` gives
`total_transaction_amount` for that fiscal year: the denominator of "how much of its federal money comes
from this agency". Vendors without a UEI cannot be looked up reliably by name and are skipped (counted).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from urllib.parse import quote

from core.records import Party, Provenance, RecipientYear, Reject

from . import clean
from .api_values import money, obj, text
from .http import ApiError, HttpClient

log = logging.getLogger(__name__)

LISTING = "/api/v2/recipient/"
PROFILE = "/api/v2/recipient/{}/"
LEVELS = {"C": 0, "R": 1, "P": 2}  # the vendor's own registration first


def recipient_id(client: HttpClient, uei: str) -> dict | None:
    """The listing of this UEI (None when the API lists none)."""
    answer = obj(
        client.post_json(
            LISTING, {"keyword": uei, "award_type": "all", "limit": 50, "page": 1, "sort": "amount", "order": "desc"}
        )
    )
    found = [
        row
        for row in map(obj, answer.get("results") or [])
        if (text(row.get("uei")) or "").upper() == uei and text(row.get("id"))
    ]
    if not found:
        return None
    return min(found, key=lambda row: (LEVELS.get(text(row.get("recipient_level")) or "", 9), text(row.get("id"))))


def profiles(
    client: HttpClient, vendors: Iterable[tuple[str, str]], years: list[int]
) -> Iterator[RecipientYear | Reject]:
    """For each (vendor id, UEI): a RecipientYear per fiscal year, or a Reject saying why there is none."""
    listing_url = client.url(LISTING)
    for vendor, uei in vendors:
        try:
            listed = recipient_id(client, uei)
        except ApiError as error:
            if not error.is_client_error:
                raise
            yield Reject(listing_url, f"{vendor} (UEI {uei})", str(error))
            continue
        if listed is None:
            yield Reject(listing_url, f"{vendor} (UEI {uei})", "USAspending lists no recipient with this UEI")
            continue
        rid = text(listed.get("id"))
        path = PROFILE.format(quote(rid, safe=""))
        for year in years:
            url = client.url(path, {"year": str(year)})
            try:
                profile = obj(client.get_json(path, {"year": str(year)}))
            except ApiError as error:
                if not error.is_client_error:
                    raise
                yield Reject(url, f"{vendor} FY{year}", str(error))
                continue
            retrieved = datetime.now(timezone.utc).isoformat(timespec="seconds")
            total = money(profile.get("total_transaction_amount"))
            count = profile.get("total_transactions")
            yield RecipientYear(
                recipient_id=rid,
                fiscal_year=year,
                total=total,
                transactions=count if isinstance(count, int) else None,
                party=Party(
                    name=text(profile.get("name")) or text(listed.get("name")),
                    uei=uei,
                    duns=_duns(text(profile.get("duns"))),
                ),
                prov=Provenance(
                    url,
                    f"{rid} FY{year}",
                    retrieved,
                    f"https://www.usaspending.gov/recipient/{quote(rid, safe='')}/{year}",
                ),
            )


def _duns(value: str | None) -> str | None:
    try:
        return clean.duns(value)
    except clean.BadValue:
        return None  # a profile's odd DUNS is not worth losing its totals over; the UEI identifies it
