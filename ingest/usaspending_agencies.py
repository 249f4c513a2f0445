"""Agencies named the way a user names them (a code, an abbreviation, a name in any case), resolved
through the USAspending API itself, so the filter the search gets is one the API knows.

Toptier agencies come from `GET /api/v2/references/toptier_agencies/` (code, name, abbreviation);
sub-agencies from the agency autocomplete (`POST /api/v2/autocomplete/<awarding|funding>_agency_office/`),
which matches names and abbreviations and answers each sub-agency with its toptier: the toptier of a
sub-agency is always the API's, never guessed from the digits of its code (Army 2100, Navy 1700 and
Air Force 5700 are DoD 097). The answers are cached on disk by `HttpClient` like every other.
"""

from __future__ import annotations

import logging
import re

from core.curated import load_agencies

from . import clean
from .api_values import obj, text
from .http import ApiError, HttpClient

log = logging.getLogger(__name__)

TOPTIERS = "/api/v2/references/toptier_agencies/"
AUTOCOMPLETE = "/api/v2/autocomplete/{}_agency_office/"
SUBTIER_CODE = re.compile(r"^(?=.*\d)[0-9A-Z]{4}$")
HINT = "give its code, abbreviation or full name as USAspending spells it"


class AgencyChoice(Exception):
    """Nothing, or more than one agency, matches what the user typed: the candidates say what would."""

    def __init__(self, message: str, candidates: list[dict]):
        super().__init__(message)
        self.candidates = candidates


def agency_filter(client: HttpClient, kind: str, typed: str) -> dict:
    """The search's AgencyObject for one --awarding/--funding value (kind: awarding | funding)."""
    typed = typed.strip()
    key = typed.casefold()
    toptiers = toptier_agencies(client)
    exact = [t for t in toptiers if key in _keys(t)]
    if len(exact) == 1:
        return {"type": kind, "tier": "toptier", "name": exact[0]["name"]}
    if SUBTIER_CODE.match(typed.upper()) and not exact:
        sub = subtier_by_code(client, kind, typed.upper(), toptiers)
        return _subtier_object(kind, sub)
    subs = subtier_agencies(client, kind, typed)
    exact_subs = _distinct([s for s in subs if key in _keys(s)])
    if not exact and len(exact_subs) == 1:
        return _subtier_object(kind, exact_subs[0])
    candidates = (exact + exact_subs) or ([t for t in toptiers if any(key in k for k in _keys(t))] + _distinct(subs))
    if len(candidates) == 1:
        only = candidates[0]
        return (
            _subtier_object(kind, only)
            if only["tier"] == "subtier"
            else {"type": kind, "tier": "toptier", "name": only["name"]}
        )
    found = "no agency" if not candidates else f"{len(candidates)} agencies"
    raise AgencyChoice(
        f"{kind} agency {typed!r}: {found} at {client.url(TOPTIERS)} or "
        f"{client.url(AUTOCOMPLETE.format(kind))} match it; {HINT}",
        candidates[:25],
    )


def toptier_agencies(client: HttpClient) -> list[dict]:
    rows = obj(client.get_json(TOPTIERS)).get("results")
    if not isinstance(rows, list):
        raise ApiError(
            f"{client.url(TOPTIERS)} answered without a `results` list; check --base-url points at the USAspending API",
            url=client.url(TOPTIERS),
        )
    return sorted(
        (
            {
                "tier": "toptier",
                "code": text(row.get("toptier_code")),
                "name": text(row.get("agency_name")),
                "abbreviation": text(row.get("abbreviation")),
                "agency_id": row.get("agency_id"),
            }
            for row in map(obj, rows)
            if text(row.get("agency_name"))
        ),
        key=lambda t: (t["code"] or "", t["name"]),
    )


def subtier_agencies(client: HttpClient, kind: str, search_text: str) -> list[dict]:
    """Every sub-agency the autocomplete gives for the text, each with the toptier the API puts it under."""
    results = obj(
        obj(client.post_json(AUTOCOMPLETE.format(kind), {"search_text": search_text, "limit": 100})).get("results")
    )
    found = []
    for toptier in map(obj, results.get("toptier_agency") or []):
        found += [_subtier(obj(sub), toptier) for sub in toptier.get("subtier_agencies") or []]
    for sub in map(obj, results.get("subtier_agency") or []):
        found.append(_subtier(sub, obj(sub.get("toptier_agency"))))
    return [s for s in found if s["name"] and s["toptier_name"]]


def subtier_by_code(client: HttpClient, kind: str, code: str, toptiers: list[dict]) -> dict:
    """No endpoint looks a sub-agency up by code: ask the autocomplete for the name our agency table gives
    the code, else for each toptier agency in turn, and take the one whose answer lists the code."""
    curated = load_agencies().get(code)
    searches = [curated["name"]] if curated and curated.get("tier") == "subtier" else []
    searches += [t["name"] for t in toptiers]
    for number, search_text in enumerate(searches, 1):
        if number == 2:
            log.info("looking for sub-agency code %s under each of %d toptier agencies", code, len(toptiers))
        for sub in subtier_agencies(client, kind, search_text):
            if sub["code"] == code:
                return sub
    raise ApiError(
        f"sub-agency code {code} is not among the {kind} sub-agencies the agency autocomplete at "
        f"{client.url(AUTOCOMPLETE.format(kind))} lists for any toptier agency; "
        f"pass the subtier agency's name instead (e.g. 'U.S. Immigration and Customs Enforcement')",
        url=client.url(AUTOCOMPLETE.format(kind)),
    )


def _subtier(sub: dict, toptier: dict) -> dict:
    return {
        "tier": "subtier",
        "code": clean.subtier_code(text(sub.get("code"))) or "",
        "name": text(sub.get("name")),
        "abbreviation": text(sub.get("abbreviation")),
        "toptier_name": text(toptier.get("name")),
        "toptier_code": text(toptier.get("code")),
    }


def _subtier_object(kind: str, sub: dict) -> dict:
    return {"type": kind, "tier": "subtier", "name": sub["name"], "toptier_name": sub["toptier_name"]}


def _keys(agency: dict) -> tuple[str, ...]:
    return tuple(
        value.casefold() for value in (agency.get("code"), agency.get("name"), agency.get("abbreviation")) if value
    )


def _distinct(subs: list[dict]) -> list[dict]:
    seen, out = set(), []
    for sub in sorted(subs, key=lambda s: (s["toptier_code"] or "", s["code"], s["name"])):
        if (sub["name"], sub["toptier_name"]) not in seen:
            seen.add((sub["name"], sub["toptier_name"]))
            out.append(sub)
    return out
