"""The local layer's questions, written once over the stores' local fetches (issue 12).

Local records carry no federal money: a deployment reports a count (cameras), a local contract the amount its
document gives, and neither is ever added to an obligated total. Every answer says what it counts and cites
the file and line (and portal) each row came from.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, cast

from core.keys import name_key
from graph.questions.answers import cents_to_dollars
from graph.questions.shapes import (
    Bridge,
    BridgeFamily,
    Cited,
    FederalBody,
    FederalLink,
    FederalSearcher,
    FederalSearcherRow,
    FederalSharing,
    HopLevel,
    LocalAgencyRow,
    LocalBrief,
    LocalOverview,
    LocalPolicy,
    LocalProfile,
    Policies,
    PolicyAgency,
    Sharing,
    StateRow,
)
from graph.store import Ambiguous, FactFilter, NotFound, Store

MAX_SHARING_HOPS = 6
SHARING_BASIS = (
    "hop 1: agencies that can search this agency's data (its portal lists them); hop N: agencies "
    "that can search the data of an agency at hop N-1, the reach of a search network, not a "
    "permission on this agency's data"
)
BRIEF = ("id", "name", "tier", "jurisdiction", "state", "federal_body")


def _brief(row: dict) -> LocalBrief:
    return cast(LocalBrief, {key: row.get(key) for key in BRIEF})


def _cite(row: dict) -> Cited:
    return {"source": row["source"], "record": row["record"], "url": row.get("url") or row.get("portal")}


def federal_sentence(answer: FederalSharing) -> str:
    """`federal_sharing`'s answer in one sentence, for the page and the CLI (plain text: escape it for Markdown)."""
    from core.wording import count

    if not answer["agencies"]:
        return (
            "No loaded access list names a federal agency among those that can search a local agency's data "
            "(none loaded, or none names one)."
        )
    where = count(answer["states"], "state")
    if answer["no_state"]:
        where += f" (and {count(answer['no_state'], 'agency', 'agencies')} whose state the name does not give)"
    what = f" ({', '.join(answer['technologies'])})" if answer["technologies"] else ""
    through = f" through {', '.join(answer['systems'])}" if answer["systems"] else ""
    return (
        f"{count(answer['agencies'], 'local agency', 'local agencies')} in {where} share their data{what} with "
        f"{count(len(answer['federal_agencies']), 'federal agency', 'federal agencies')}{through}."
    )


def federal_path(name: str, relation: str | None, chain: list[dict], short: bool = False) -> str:
    """The federal body and those above it, in reading order: "ATF Nashville TN → Bureau of Alcohol, … →
    Department of Justice" (`short`: "ATF Nashville TN → ATF → DOJ", where the chain gives abbreviations); a name
    that is the body it names adds no hop: "FBI (Federal Bureau of Investigation) → Department of Justice", "USPIS →
    USPS"."""

    def said(body: dict) -> str:
        return (body.get("abbreviation") or body["name"]) if short else body["name"]

    if not chain:
        return name
    if relation == "is":
        same = {name_key(chain[0]["name"]), name_key(said(chain[0]))}
        head = (said(chain[0]) if short else name) if name_key(name) in same else f"{name} ({said(chain[0])})"
        return " → ".join([head, *(said(b) for b in chain[1:])])
    return " → ".join([name, *(said(b) for b in chain)])


class LocalQueries:
    """The local layer's half of `graph.questions.queries.Queries`, asked of its store's local fetches."""

    store: Store
    _cache: dict

    def local_agencies(self) -> dict[str, dict]:
        version = self.store.version()
        cached = self._cache.get(("local_agencies", version))
        if cached is None:
            cached = {row["id"]: row for row in self.store.fetch_local_agencies()}
            self._cache[("local_agencies", version)] = cached
        return cached

    def find_local_agency(self, text: str) -> dict:
        """An agency of the local layer by id, then by a name it is spelled with (any case), then by part of one."""
        agencies = self.local_agencies()
        wanted = text.strip()
        if wanted in agencies:
            return agencies[wanted]
        if wanted.isdigit():  # a source's own id: Flock's 2065
            hits = [a for a in agencies.values() if a["id"].endswith(f":{int(wanted)}")]
            if len(hits) == 1:
                return hits[0]
        lowered = wanted.lower()
        for rule in (
            lambda names: lowered in {n.lower() for n in names},
            lambda names: name_key(wanted) in {name_key(n) for n in names},
            lambda names: any(lowered in n.lower() for n in names),
        ):
            hits = [a for a in agencies.values() if rule([a["name"], *(a["aliases"] or [])])]
            if len(hits) == 1:
                return hits[0]
            if hits:
                raise Ambiguous(
                    f"{text!r} matches {len(hits)} local agencies; give one of their ids",
                    cast("list[dict]", [_brief(a) for a in sorted(hits, key=lambda a: a["id"])[:50]]),
                )
        raise NotFound(
            f"no local agency is named {text!r} (load one with `python -m ingest flock-portals DIR` or "
            f"`python -m ingest table FILE --map MAP.toml`)"
        )

    def _federal_chain(self, agency: dict) -> list[FederalBody]:
        """The federal bodies above an agency (ATF Nashville TN: ATF, then DOJ), from the curated tables."""
        version = self.store.version()
        parents = self._cache.get(("local_links", version))
        if parents is None:
            parents = defaultdict(list)
            for link in self.store.fetch_local_links():
                parents[link["child"]].append(link["parent"])
            self._cache[("local_links", version)] = parents
        chain: list[FederalBody]
        agencies, chain, at = self.local_agencies(), [], agency["id"]
        while parents.get(at):
            at = parents[at][0]
            body = agencies[at]
            chain.append(
                {
                    "id": body["id"],
                    "name": body["name"],
                    "tier": body["tier"],
                    "federal_id": body["federal_id"],
                    "source": body["source"],
                }
            )
        return chain

    # -- sharing -----------------------------------------------------------------------------------
    def sharing(self, text: str, hops: int = 1) -> Sharing:
        """Who can search this agency's data, directly and through `hops` hops, which federal agencies are among
        them, and whose data it can search itself."""
        if not 1 <= hops <= MAX_SHARING_HOPS:
            raise ValueError(f"--hops must be 1 to {MAX_SHARING_HOPS}")
        agency = self.find_local_agency(text)
        agencies = self.local_agencies()
        direct = self.store.fetch_sharing([agency["id"]], "owner")
        levels: list[HopLevel]
        levels, seen, frontier = [], {agency["id"]}, [agency["id"]]
        for hop in range(1, hops + 1):
            links = direct if hop == 1 else self.store.fetch_sharing(frontier, "owner")
            frontier = sorted({link["searcher"] for link in links} - seen)
            if not frontier:
                break
            seen.update(frontier)
            levels.append({"hop": hop, "count": len(frontier), "agencies": [_brief(agencies[a]) for a in frontier]})
        reach = [a for level in levels for a in level["agencies"]]
        federal: list[FederalSearcher] = [
            {**a, "hop": level["hop"], "federal_chain": self._federal_chain(agencies[a["id"]])}
            for level in levels
            for a in level["agencies"]
            if a["jurisdiction"] == "federal"
        ]
        searches = self.store.fetch_sharing([agency["id"]], "searcher")
        return {
            "agency": {
                **_brief(agency),
                "aliases": agency["aliases"],
                "source": agency["source"],
                "record": agency["record"],
            },
            "searchable_by": {
                "direct": [
                    {
                        **_brief(agencies[link["searcher"]]),
                        "system": link["system"],
                        "as_of": link["as_of"],
                        **_cite(link),
                    }
                    for link in sorted(direct, key=lambda link: (agencies[link["searcher"]]["name"], link["searcher"]))
                ],
                "direct_count": len({link["searcher"] for link in direct}),
                "by_hop": levels,
                "reach": len(reach),
                "federal": federal,
                "states": len({a["state"] for a in reach if a["state"]}),
                "basis": SHARING_BASIS,
            },
            "can_search": {
                "count": len({link["owner"] for link in searches}),
                "agencies": [
                    {**_brief(agencies[link["owner"]]), "system": link["system"], "as_of": link["as_of"], **_cite(link)}
                    for link in sorted(searches, key=lambda link: (agencies[link["owner"]]["name"], link["owner"]))
                ],
            },
        }

    def federal_sharing(self) -> FederalSharing:
        """Every local agency whose data a federal agency can search (a portal's access list names the federal
        agency): which federal body, the bodies above it, through which system, and the row that says so."""
        agencies = self.local_agencies()
        federal = sorted(a["id"] for a in agencies.values() if a["jurisdiction"] == "federal")
        links = self.store.fetch_sharing(federal, "searcher") if federal else []
        owners = sorted({link["owner"] for link in links})
        technologies = (
            sorted({r["technology"] for r in self.store.fetch_deployments(owners) if r["technology"]}) if owners else []
        )
        chains: dict[str, list[FederalBody]] = {
            s: [
                {**body, "abbreviation": min(agencies[body["id"]]["aliases"] or [body["name"]], key=len)}
                for body in self._federal_chain(agencies[s])
            ]
            for s in {link["searcher"] for link in links}
        }
        relation = {s: agencies[s]["federal_relation"] for s in chains}
        rows: list[FederalLink] = [
            {
                "agency": _brief(agencies[link["owner"]]),
                "federal": _brief(agencies[link["searcher"]]),
                "federal_chain": chains[link["searcher"]],
                "federal_relation": relation[link["searcher"]],
                "system": link["system"],
                "as_of": link["as_of"],
                **_cite(link),
            }
            for link in links
        ]
        rows.sort(
            key=lambda r: (
                r["agency"]["state"] or "~",
                r["agency"]["name"],
                r["agency"]["id"],
                r["federal"]["name"],
                r["federal"]["id"],
            )
        )
        searchers = defaultdict(set)
        for link in links:
            searchers[link["searcher"]].add(link["owner"])
        bodies: list[FederalSearcherRow] = [
            {
                **_brief(agencies[s]),
                "federal_chain": chains[s],
                "federal_relation": relation[s],
                "agencies": len(found),
                "states": len({agencies[o]["state"] for o in found if agencies[o]["state"]}),
            }
            for s, found in searchers.items()
        ]
        bodies.sort(key=lambda b: (-b["agencies"], b["name"], b["id"]))
        return {
            "agencies": len(owners),
            "states": len({agencies[o]["state"] for o in owners if agencies[o]["state"]}),
            "no_state": sum(1 for o in owners if not agencies[o]["state"]),
            "federal_agencies": bodies,
            "systems": sorted({link["system"] for link in links if link["system"]}),
            "technologies": technologies,
            "links": rows,
            "basis": "a local agency's portal lists the federal agency among those that can search its data "
            "(one row per listing, cited to its file and line); federal: the agencies the store marks "
            "federal, with the bodies above them (data/federal_bodies.csv)",
        }

    # -- policies ----------------------------------------------------------------------------------
    def policies(self, prohibits: str) -> Policies:
        """Agencies whose policy's prohibited uses name `prohibits`, with how many agencies, in how many other
        states, can search their data."""
        needle = prohibits.strip().lower()
        if not needle:
            raise ValueError("give the use to look for, e.g. --prohibits immigration")
        agencies = self.local_agencies()
        hits = sorted(
            (a for a in agencies.values() if needle in (a["prohibited_uses"] or "").lower()),
            key=lambda a: (a["name"], a["id"]),
        )
        searchers = defaultdict(set)
        for link in self.store.fetch_sharing([a["id"] for a in hits], "owner") if hits else []:
            searchers[link["owner"]].add(link["searcher"])
        rows: list[PolicyAgency] = []
        for agency in hits:
            found = [agencies[s] for s in sorted(searchers[agency["id"]])]
            elsewhere = [s for s in found if s["state"] and agency["state"] and s["state"] != agency["state"]]
            text = agency["prohibited_uses"]
            at = text.lower().find(needle)
            rows.append(
                {
                    **_brief(agency),
                    "policy_updated": agency["policy_updated"],
                    "policy_url": agency["policy_url"],
                    "source": agency["policy_source"],
                    "record": agency["policy_record"],
                    "excerpt": text[max(at - 80, 0) : at + len(needle) + 80].strip(),
                    "searchable_by": len(found),
                    "other_state_agencies": len(elsewhere),
                    "other_states": len({s["state"] for s in elsewhere}),
                    "federal_searchers": [s["name"] for s in found if s["jurisdiction"] == "federal"],
                }
            )
        every_state = {
            agencies[s]["state"]
            for agency in hits
            for s in searchers[agency["id"]]
            if agencies[s]["state"] and agencies[s]["state"] != agency["state"]
        }
        rows.sort(key=lambda r: (-r["searchable_by"], r["name"], r["id"]))
        return {
            "prohibits": prohibits,
            "count": len(rows),
            "agencies": rows,
            "agencies_searchable_from_other_states": sum(1 for r in rows if r["other_state_agencies"]),
            "other_states_total": len(every_state),
            "basis": "the policy's prohibited uses section contains the text (any case); searchable_by: agencies "
            "that its portal lists as able to search its data; other states: theirs differ from its own "
            "(agencies whose state the name does not give are left out of that count)",
        }

    # -- the bridge to the federal graph -------------------------------------------------------------
    def bridge(self) -> Bridge:
        """Vendor families used by local agencies, with what the same family sells to federal agencies."""
        agencies = self.local_agencies()
        local: defaultdict[str, dict[str, list[dict]]] = defaultdict(lambda: {"deployments": [], "contracts": []})
        for row in self.store.fetch_deployments():
            local[row["family"] or row["vendor"]]["deployments"].append(row)
        for row in self.store.fetch_local_contracts():
            local[row["family"] or row["vendor"]]["contracts"].append(row)
        names = self.store.fetch_names(sorted(local))
        rows: list[BridgeFamily] = []
        for family, found in local.items():
            deployments, contracts = found["deployments"], found["contracts"]
            users = sorted({r["agency"] for r in deployments + contracts})
            counted = [r["count"] for r in deployments if r["count"] is not None]
            amounts = [r["amount_cents"] for r in contracts if r["amount_cents"] is not None]
            owners = sorted({r["agency"] for r in deployments})
            federal_searchers = (
                sorted(
                    {
                        agencies[link["searcher"]]["name"]
                        for link in self.store.fetch_sharing(owners, "owner")
                        if agencies[link["searcher"]]["jurisdiction"] == "federal"
                    }
                )
                if owners
                else []
            )
            totals = self.store.fetch_year_totals(FactFilter(family=family))
            total: dict[str, Any] = next((t for t in totals if t["g"] == 3), {"cents": None, "awards": 0, "facts": 0})
            subtiers = [
                g["awarding_subtier"]
                for g in self.store.fetch_fact_groups(FactFilter(family=family), "awarding_subtier")
                if g["awarding_subtier"]
            ]
            briefs = self.store.fetch_agency_briefs(sorted(subtiers))
            rows.append(
                {
                    "family": family,
                    "name": names.get(family) or family,
                    "in_federal_data": bool(total["awards"]),
                    "local": {
                        "agencies": len(users),
                        "states": len({agencies[a]["state"] for a in users if agencies[a]["state"]}),
                        "deployments": len(deployments),
                        "contracts": len(contracts),
                        "technologies": sorted({r["technology"] for r in deployments + contracts if r["technology"]}),
                        "count_reported": sum(counted),
                        "deployments_reporting_count": len(counted),
                        "contract_amount": cents_to_dollars(sum(amounts)) if amounts else None,
                        "contracts_reporting_amount": len(amounts),
                        "federal_agencies_searching_its_customers_data": federal_searchers,
                        "records": [_cite(r) for r in (deployments + contracts)[:5]],
                    },
                    "federal": {
                        "obligated": cents_to_dollars(total["cents"]) or 0.0,
                        "awards": total["awards"],
                        "actions": total["facts"],
                        "agencies": sorted(briefs[s]["name"] or s for s in subtiers if s in briefs),
                        "largest_awards": self.store.fetch_largest_awards(FactFilter(family=family), 3),
                    },
                }
            )
        rows.sort(key=lambda r: (not r["in_federal_data"], -r["local"]["agencies"], r["name"], r["family"]))
        return {
            "families": rows,
            "both": sum(1 for r in rows if r["in_federal_data"]),
            "basis": "families of the vendors local records name (deployments and local contracts); federal: "
            "obligated = sum of the family's contract actions loaded (plus award totals not split by "
            "year); local counts (e.g. cameras) and contract amounts are the local documents' own and "
            "never added to federal money",
        }

    # -- pages ----------------------------------------------------------------------------------------
    def local_overview(self) -> LocalOverview:
        """Every local agency with its deployments, vendors and sharing counts, and the same by state."""
        agencies = self.local_agencies()
        deployments = defaultdict(list)
        for row in self.store.fetch_deployments():
            deployments[row["agency"]].append(row)
        contracts = defaultdict(list)
        for row in self.store.fetch_local_contracts():
            contracts[row["agency"]].append(row)
        counts = {row["agency"]: row for row in self.store.fetch_sharing_counts()}
        names = self.store.fetch_names(
            sorted({r["family"] or r["vendor"] for rows in (*deployments.values(), *contracts.values()) for r in rows})
        )
        table: list[LocalAgencyRow] = []
        for agency in sorted(agencies.values(), key=lambda a: (a["name"], a["id"])):
            used = deployments.get(agency["id"], []) + contracts.get(agency["id"], [])
            shared = counts.get(agency["id"], {})
            if agency["tier"] != "local":
                continue
            cameras = [r["count"] for r in deployments.get(agency["id"], []) if r["count"] is not None]
            table.append(
                {
                    **_brief(agency),
                    "vendors": sorted({names.get(r["family"] or r["vendor"]) or r["vendor_name"] for r in used}),
                    "technologies": sorted({r["technology"] for r in used if r["technology"]}),
                    "deployments": len(deployments.get(agency["id"], [])),
                    "contracts": len(contracts.get(agency["id"], [])),
                    "cameras": sum(cameras) if cameras else None,
                    # no access list of its own in the data: not reported, never "0 agencies"
                    "searchable_by": shared.get("searchable_by") or None,
                    "can_search": shared.get("can_search", 0),
                    "policy": agency["policy_versions"] is not None,
                }
            )
        states: defaultdict[str, dict[str, Any]] = defaultdict(
            lambda: {"agencies": 0, "using": 0, "deployments": 0, "cameras": 0, "technologies": set()}
        )
        for entry in table:
            if entry["state"]:
                state = states[entry["state"]]
                state["agencies"] += 1
                state["using"] += bool(entry["deployments"] or entry["contracts"])
                state["deployments"] += entry["deployments"]
                state["cameras"] += entry["cameras"] or 0
                state["technologies"].update(entry["technologies"])
        by_state = [
            {"state": code, **{k: (sorted(v) if isinstance(v, set) else v) for k, v in figures.items()}}
            for code, figures in sorted(states.items())
        ]  # StateRow: the keys `states` starts each state with
        return {
            "agencies": table,
            "states": cast("list[StateRow]", by_state),
            "counts": self.store.fetch_local_counts(),
            "basis": "agencies: every agency of tier local the store holds; using: with a deployment or a local "
            "contract; cameras: sum of the counts deployments report (those reporting none are left out); "
            "can search its data (searchable_by): the agencies its own portal's access list names, not "
            "reported when no list of its own is loaded; it can search (can_search): the agencies whose "
            "loaded lists name it",
        }

    def local_profile(self, text: str) -> LocalProfile:
        agency = self.find_local_agency(text)
        agencies = self.local_agencies()
        deployments = self.store.fetch_deployments([agency["id"]])
        contracts = self.store.fetch_local_contracts([agency["id"]])
        names = self.store.fetch_names(sorted({r["family"] or r["vendor"] for r in deployments + contracts}))
        shares_with = self.store.fetch_sharing([agency["id"]], "owner")
        shared_by = self.store.fetch_sharing([agency["id"]], "searcher")
        policy: LocalPolicy | None = None
        if agency["policy_versions"] is not None:
            import json

            policy = {
                "updated": agency["policy_updated"],
                "url": agency["policy_url"],
                "sections": json.loads(agency["policy_sections"] or "{}"),
                "versions": agency["policy_versions"],
                "retention_days": agency["retention_days"],
                "hotlists": agency["hotlists"],
                "source": agency["policy_source"],
                "record": agency["policy_record"],
            }
        return {
            "agency": {
                **_brief(agency),
                "aliases": agency["aliases"],
                "county": agency["county"],
                "city": agency["city"],
                "notes": agency["notes"],
                "source": agency["source"],
                "record": agency["record"],
                "federal_relation": agency["federal_relation"],
                "federal_chain": self._federal_chain(agency),
            },
            "deployments": [
                {**r, "vendor_display": names.get(r["family"] or r["vendor"]) or r["vendor_name"]} for r in deployments
            ],
            "contracts": [
                {
                    **r,
                    "amount": cents_to_dollars(r["amount_cents"]),
                    "vendor_display": names.get(r["family"] or r["vendor"]) or r["vendor_name"],
                }
                for r in contracts
            ],
            "policy": policy,
            "shares_with": [
                {**_brief(agencies[link["searcher"]]), "system": link["system"], "as_of": link["as_of"], **_cite(link)}
                for link in shares_with
            ],
            "shared_by": [
                {**_brief(agencies[link["owner"]]), "system": link["system"], "as_of": link["as_of"], **_cite(link)}
                for link in shared_by
            ],
        }

    def local_customers(self, family: str) -> list[dict]:
        """The local agencies using or contracting with the family's vendors, each with its rows and citations."""
        agencies = self.local_agencies()
        rows = defaultdict(list)
        for row in self.store.fetch_deployments(families=[family]) + self.store.fetch_local_contracts(
            families=[family]
        ):
            rows[row["agency"]].append(row)
        return [
            {
                **_brief(agencies[a]),
                "deployments": sum(1 for r in found if "status" in r),
                "contracts": sum(1 for r in found if "number" in r),
                "technologies": sorted({r["technology"] for r in found if r["technology"]}),
                "count": sum(r.get("count") or 0 for r in found)
                if any(r.get("count") is not None for r in found)
                else None,
                "citations": [_cite(r) for r in found],
            }
            for a, found in sorted(rows.items(), key=lambda item: (agencies[item[0]]["name"], item[0]))
        ]

    def local_review(self) -> list[dict]:
        """Same normalized name and state in two sources: a low-confidence match a reviewer confirms or rejects."""
        return self.store.fetch_local_matches()
