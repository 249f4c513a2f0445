"""The read API, written once over the fetches every store implements (`graph.store.Reads`).

`Queries(store)` holds a store and asks it only its fetches: a store answers each one in its own language (SQL
over DuckDB, Cypher over Neo4j), while the choices made here (which agency a text means, which family a vendor is
in, which awards to list, how paths are found) and the shaping in `graph/questions/answers.py` are shared, so both
stores give the same answers. Derived answers are kept per data version of the store, so a load shows at once.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, cast

from core import coverage as coverage_model
from core.facts import award_fields
from core.keys import match_tier, name_key
from graph.questions import agency_families as fam
from graph.questions import answers, sectors, ties
from graph.questions import outcomes as outcome_rules
from graph.questions import through_others as sold
from graph.questions.answers import cents_to_dollars
from graph.questions.local import LocalQueries
from graph.questions.shapes import (
    AgencyBrief,
    AgencyCategories,
    AgencyEndDates,
    AgencyFamilies,
    AgencyProfile,
    AgencyRef,
    AwardRow,
    Chain,
    Changes,
    Coverage,
    DirectTies,
    End,
    EndRef,
    Hop,
    LoadedAgency,
    LoadedCoverage,
    NamedRef,
    Review,
    ReviewCount,
    SearchRow,
    Sector,
    SoldThrough,
    Stats,
    Subaward,
    Subgraph,
    TopVendors,
    VendorFamily,
)
from graph.store import Ambiguous, FactFilter, NotFound, Store

if TYPE_CHECKING:
    import networkx as nx

TIER_RANK = {"toptier": 1, "subtier": 2, "office": 3}
MAX_HOPS = 10  # longest chain `paths` looks for
MAX_CHAINS = 10_000  # shortest chains enumerated before sorting and cutting to `limit`


def _unjoined_vendors(rows: list[dict], agencies: dict[str, dict]) -> list[dict]:
    """Vendor names in local records that joined no vendor of the federal records and no curated family: each
    stays a vendor of its own name, never merged by a guess, and is listed for a reviewer, who joins it to the
    family it means with an alias row in data/vendor_families.csv (the next load applies it)."""
    found: dict[str, dict] = {}
    for row in rows:
        vendor = row["vendor"]
        if not vendor or not vendor.startswith("name:") or (row["family"] or vendor) != vendor:
            continue
        entry = found.setdefault(
            vendor,
            {
                "kind": "local_vendor",
                "record": vendor,
                "names": set(),
                "agencies": set(),
                "records": [],
                "judgement": None,
            },
        )
        entry["names"].add(row["vendor_name"])
        entry["agencies"].add(agencies.get(row["agency"], {}).get("name") or row["agency"])
        entry["records"].append({"source": row["source"], "record": row["record"]})
    return [
        {
            **entry,
            "names": sorted(entry["names"]),
            "agencies": sorted(entry["agencies"]),
            "records": sorted(entry["records"], key=lambda r: (r["source"], r["record"]))[:5],
            "rows": len(entry["records"]),
            "how_to_join": "add an alias row to data/vendor_families.csv for the family it means, then load again",
        }
        for entry in sorted(found.values(), key=lambda e: (-len(e["records"]), e["record"]))
    ]


def local_judgements() -> dict[tuple[str, str], dict[str, str]]:
    """{(agency, agency): the last local judgement on the pair} from data/judgements.csv (or KG_JUDGEMENTS)."""
    from core.judgements import load_judgements

    return {
        (j.record, j.target): {"verdict": j.verdict, "who": j.who, "when": j.when, "why": j.why}
        for j in load_judgements().values()
        if j.kind == "local"
    }


def _best_matches(text: str, rows: list[dict]) -> list[dict]:
    """The rows whose name or alias names the text best (core.keys.match_tier): a name itself, else one of the
    same name key, else whole words, else a name's start, else any part; so "Vigilant" is Vigilant Solutions,
    never EVIGILANT.COM beside it."""
    tiers = [(match_tier(text, [row["name"], *(row["aliases"] or [])]), row) for row in rows]
    found = [tier for tier, _ in tiers if tier is not None]
    return [row for tier, row in tiers if found and tier == min(found)]


def _agency_ref(agency: dict) -> AgencyRef:
    """The agency an answer is about, from a row of `find_agency`."""
    return cast(AgencyRef, {k: agency[k] for k in ("id", "name", "code", "tier", "abbreviation")})


class Queries(LocalQueries):
    def __init__(self, store: Store):
        self.store = store
        self._cache: dict = {}  # (what, store version) -> a derived answer; other versions are dropped

    def entities(self) -> list[dict]:
        """Every vendor and agency with its names (what search and name lookups read), once per version."""
        version = self.store.version()
        cached = self._cache.get(("entities", version))
        if cached is None:
            cached = self.store.fetch_entities()
            self._cache = {key: value for key, value in self._cache.items() if version in key}
            self._cache[("entities", version)] = cached
        return cached

    # -- entities --------------------------------------------------------------------------------
    def stats(self) -> Stats:
        counts = self.store.fetch_counts()
        nodes = {k: counts[k] for k in ("Agency", "Award", "Fact", "Vehicle", "Vendor") if counts.get(k)}
        rels = {
            k: counts[k]
            for k in (
                "AWARDED_BY",
                "AWARDED_TO",
                "FUNDED_BY",
                "HAS_FACT",
                "PARENT",
                "PART_OF",
                "SUBAWARD",
                "UNDER_VEHICLE",
                "MENTIONS_PRODUCT",
            )
            if counts.get(k)
        }
        local = self.store.fetch_local_counts()
        answer: Stats = {"nodes": nodes, "relationships": rels}
        if any(local.values()):
            answer["local"] = local  # the local layer's own counts (no money): agencies of tier local, links, ...
        return answer

    def search(self, text: str, limit: int = 20) -> list[SearchRow]:
        """Entities whose name, code, abbreviation or alias holds the text: a name itself first, then whole
        words, a name's start and any part (core.keys.match_tier: a name of the same key second); no text lists
        every entity."""
        hits: list[tuple[int, SearchRow]] = []
        for row in self.entities():
            names = [row["name"], row.get("code"), row.get("abbreviation"), *(row["aliases"] or [])]
            tier = match_tier(text, names) if text.strip() else 0
            if tier is not None:
                hits.append(
                    (
                        tier,
                        {
                            "kind": row["kind"],
                            "id": row["id"],
                            "name": row.get("name"),
                            "tier": row.get("tier"),
                            "code": row.get("code"),
                            "abbreviation": row.get("abbreviation"),
                        },
                    )
                )
        ordered = sorted(hits, key=lambda h: (h[0], h[1]["kind"], h[1]["name"] or "", h[1]["id"]))
        return [hit for _, hit in ordered][:limit]

    def find_agency(self, text: str) -> dict:
        """An agency by code, then abbreviation, then part of a name (the highest tier that matches).

        Abbreviations come from data/agency_codes.csv (USAspending's agency list), so "USCG" is the Coast Guard
        itself, never an office whose name holds the letters; two agencies of one tier sharing an abbreviation
        (a code USAspending retired beside its successor) are listed, not picked at random."""
        wanted = text.strip()
        agencies = [row for row in self.entities() if row["kind"] == "Agency"]
        hits = [a for a in agencies if a["code"] == wanted.upper()]
        if hits:
            return min(hits, key=lambda a: (TIER_RANK[a["tier"]], a["id"]))
        hits = [a for a in agencies if (a["abbreviation"] or "").casefold() == wanted.casefold()]
        if not hits:
            hits = _best_matches(wanted, agencies)
        if not hits:
            raise NotFound(f"no agency code, abbreviation or name matches {text!r}")
        best = min(TIER_RANK[a["tier"]] for a in hits)
        top = sorted((a for a in hits if TIER_RANK[a["tier"]] == best), key=lambda a: a["id"])
        if len(top) > 1:
            raise Ambiguous(
                f"{text!r} matches {len(top)} agencies; give a code",
                [{k: a[k] for k in ("id", "name", "code", "tier")} for a in top],
            )
        return top[0]

    def resolve_family(self, text: str) -> tuple[str, list[dict]]:
        """The family (its head's id) of the vendors whose name or alias contains `text`, and those vendors; a
        vendor id (`uei:…`, `duns:…`, `org:…`), UEI or DUNS means that vendor (and so its family)."""
        wanted = text.strip()
        ids = {wanted, f"uei:{wanted.upper()}", f"duns:{wanted}"}
        matches = [row for row in self.entities() if row["kind"] == "Vendor" and row["id"] in ids]
        if matches:
            return matches[0]["family"] or matches[0]["id"], matches[:1]
        matches = _best_matches(text, [row for row in self.entities() if row["kind"] == "Vendor"])
        if not matches:
            raise NotFound(f"no vendor name or alias contains {text!r}")
        families: dict[str, list[dict]] = defaultdict(list)
        for vendor in sorted(matches, key=lambda v: v["id"]):
            families[vendor["family"]].append(vendor)
        if len(families) > 1:
            names = self.store.fetch_names(sorted(families))
            candidates = sorted(
                (
                    {
                        "family": names.get(family) or family,
                        "family_id": family,
                        "matches": sorted(v["name"] or v["id"] for v in vendors),
                        "vendor_ids": sorted(v["id"] for v in vendors),
                    }
                    for family, vendors in families.items()
                ),
                key=lambda c: (c["family"], c["family_id"]),
            )
            raise Ambiguous(
                f"{text!r} matches {len(families)} vendor families; be more specific, or give one "
                f"of the vendor ids listed (a UEI or DUNS is accepted too)",
                candidates,
            )
        ((family, matched),) = families.items()
        return family, matched

    def award_rows(self, keys: list[str]) -> list[AwardRow]:
        if not keys:
            return []
        rows = self.store.fetch_awards(keys)
        recipients = self.store.fetch_award_recipients(keys)
        changes = defaultdict(list)
        for row in recipients:
            changes[row["award_key"]].append(row)
        vendors = {r["recipient"] for r in rows if r["recipient"]} | {r["recipient"] for r in recipients}
        agencies = self.store.fetch_agency_briefs(
            sorted({r[c] for r in rows for c in ("awarding_id", "funding_id") if r[c]})
        )
        names = self.store.fetch_names(sorted(vendors))
        by_key = {row["key"]: answers.award_row(row, names, agencies, changes.get(row["key"], [])) for row in rows}
        return [by_key[key] for key in keys if key in by_key]

    def awards(self, keys: list[str], fields: list[str] | None = None) -> list[dict]:
        """Awards by key, each asked for: the rows readers see, or with `fields` those declared fields as
        stored. A name the model does not declare raises UnknownField on every store (Cypher would
        answer null)."""
        names = ("key", *(n for n in award_fields(fields) if n != "key")) if fields else None
        rows: list[Any]  # award rows (AwardRow), or the fields asked for
        if names is None:
            rows = self.award_rows(keys)
        else:
            rows = [{name: row[name] for name in names} for row in self.store.fetch_awards(keys)] if keys else []
        by_key: dict[str, Any] = {row["key"]: row for row in rows}
        missing = [key for key in keys if key not in by_key]
        if missing:
            raise NotFound(f"no award with key {missing[0]!r}; vendor and agency profiles list their award keys")
        return [by_key[key] for key in keys]

    # -- campaign outcomes ------------------------------------------------------------------------
    def outcomes(
        self,
        vendor: str | None = None,
        state: str | None = None,
        statuses: tuple[str, ...] = outcome_rules.CONTESTED,
        since: str | None = None,
    ) -> dict[str, Any]:
        """Where deployments were cancelled, rejected or ended (`statuses`), for a vendor's family, a state, from
        a date: each record with its own words, date and sources, beside the deployment's other records."""
        import datetime as dt

        from core.local import state_code
        from core.wording import words_or

        wanted = outcome_rules.check_statuses(list(statuses))
        code = state_code(state) if state else None
        if state and code is None:
            raise NotFound(f"{state!r} is not a US state's code or name")
        try:
            start = dt.date.fromisoformat(since.strip()).isoformat() if since else None
        except ValueError:
            raise NotFound(f"{since!r} is not a date; write it as 2024-01-31") from None
        family = self.resolve_family(vendor)[0] if vendor else None
        deployments = self.store.fetch_deployments(families=[family] if family else None)
        names = self.store.fetch_names(sorted({d["family"] or d["vendor"] for d in deployments if d["vendor"]}))
        rows = outcome_rules.outcome_rows(deployments, self.local_agencies(), names, wanted, code, start)
        return {
            "outcomes": rows,
            "count": len(rows),
            "agencies": len({row["agency"]["id"] for row in rows}),
            "by_state": outcome_rules.by_state(rows),
            "filters": {
                "vendor": names.get(family) or family if family else None,
                "state": code,
                "statuses": list(wanted),
                "since": start,
            },
            "basis": outcome_rules.BASIS.format(statuses=words_or(list(wanted))),
        }

    # -- vendor families --------------------------------------------------------------------------
    def vendor_family(self, text: str, categories: tuple[str, ...] | None = None) -> VendorFamily:
        """The family's profile; `categories` (category ids, `core.categories.sectors`) limits its money to those
        sectors, and `sector` says which (current and potential values and subawards are not split by category:
        `sector.not_filtered` names them; sales through others are, by their action's category)."""
        family, matched = self.resolve_family(text)
        members = self.store.fetch_members(family)
        ids = [m["id"] for m in members]
        mine = FactFilter(family=family, categories=categories)
        own = {row["recipient"]: row for row in self.store.fetch_fact_groups(mine, "recipient")}
        parents = defaultdict(list)
        for row in self.store.fetch_parents(ids):
            parents[row["child"]].append(row)
        names = self.store.fetch_names(sorted(set(ids) | {p["parent"] for rows in parents.values() for p in rows}))
        share = {row["award_key"]: row["cents"] for row in self.store.fetch_fact_groups(mine, "award_key")}
        awards = self.award_rows(sorted(share, key=lambda key: (-(share[key] or 0), key)))
        for award in awards:
            award["family_obligated"] = cents_to_dollars(share[award["key"]])
        agencies = self.store.fetch_fact_groups(mine, "awarding_subtier")
        agencies = [a for a in agencies if a["awarding_subtier"]]
        briefs = self.store.fetch_agency_briefs(sorted(a["awarding_subtier"] for a in agencies))
        totals = answers.money_totals(self.store.fetch_year_totals(mine))
        values = answers.values(self.store.fetch_values(family=family))
        answer = answers.family(
            family, matched, members, own, parents, names, awards, agencies, briefs, totals, values, self.subawards(ids)
        )
        answer["direct"] = {
            "obligated": answer["total_obligated"],
            "awards": answer["award_count"],
            "basis": sold.DIRECT_BASIS + " (total_obligated)",
        }
        answer["through_others"] = self.sold_through(family, categories)
        answer["sector"] = self.sector_scope(categories)
        answer["categories"] = self.vendor_categories(family)
        return answer

    @staticmethod
    def sector_scope(categories: tuple[str, ...] | None) -> Sector:
        """Which sector an answer covers and what it leaves out (`graph.questions.sectors.scope`)."""
        out = cast(Sector, sectors.scope(categories))
        if categories:
            out["not_filtered"] = ["current and potential award values", "subawards"]
        return out

    def vendor_categories(self, family: str) -> list[dict]:
        """The family's money by category, each category with the rules that placed its actions, in words and
        with their sources (all of its purchases: the categories add up to its total)."""
        rows = self.store.fetch_fact_groups(FactFilter(family=family), "category,category_rule")
        names = self.store.fetch_names(
            sorted(
                {
                    r["category_rule"].split("|")[1]
                    for r in rows
                    if (r["category_rule"] or "").startswith(("maker|", "seller|"))
                }
            )
        )
        return sectors.reasons(rows, names)

    def family_technology(self, family: str) -> list[dict]:
        """For each sub-agency the family sold to (largest first) its money from it, and how much of it the
        technology lens holds, by category (`graph.questions.sectors.technology_share`): all its purchases, whatever sector
        an answer is limited to."""
        groups = [
            g
            for g in self.store.fetch_fact_groups(FactFilter(family=family), "awarding_subtier")
            if g["awarding_subtier"]
        ]
        groups.sort(key=lambda g: (-(g["cents"] or 0), g["awarding_subtier"]))
        briefs = self.store.fetch_agency_briefs([g["awarding_subtier"] for g in groups])
        out = []
        for group in groups:
            aid = group["awarding_subtier"]
            rows = self.store.fetch_fact_groups(FactFilter(family=family, awarding=("subtier", aid)), "category")
            out.append(
                {
                    "agency": briefs.get(aid) or {"id": aid, "name": None, "code": None, "tier": "subtier"},
                    **sectors.technology_share(rows, cents_to_dollars(group["cents"])),
                }
            )
        return out

    def agency_categories(self, text: str, family: str | None = None) -> AgencyCategories:
        """The agency's money (awarded at or below it) by category and fiscal year, every category its own line
        ("unclassified" too), with the total they add up to; `family`: only that vendor family's actions."""
        return self._agency_categories(self.find_agency(text), family)

    def _agency_categories(self, agency: dict, family: str | None = None) -> AgencyCategories:
        chosen = FactFilter(awarding=(agency["tier"], agency["id"]), family=family)
        rows = sectors.by_category_year(self.store.fetch_fact_groups(chosen, "category,split,fiscal_year"))
        cents = sum(round(r["obligated"] * 100) for r in rows if r["obligated"] is not None)
        reported = any(r["obligated"] is not None for r in rows)
        return {
            "agency": _agency_ref(agency),
            "family": family,
            "categories": rows,
            "total_obligated": cents / 100 if reported else None,
            "technology": sectors.technology_share(
                [
                    {
                        "category": r["category"],
                        "cents": None if r["obligated"] is None else round(r["obligated"] * 100),
                    }
                    for r in rows
                ],
                cents / 100 if reported else None,
            ),
        }

    def sold_through(self, family: str, categories: tuple[str, ...] | None = None) -> SoldThrough:
        """What the maker's products brought in through other vendors, by reseller and agency (never added to
        its own obligations); `categories`: only actions in those sectors."""
        rows = [
            row
            for row in self.store.fetch_mentions(makers=[family])
            if categories is None or row["category"] in categories
        ]
        names = self.store.fetch_names(sorted({r["recipient"] for r in rows if r["recipient"]}))
        agencies = self.store.fetch_agency_briefs(
            sorted({r[c] for r in rows for c in ("awarding_subtier", "awarding_id") if r[c]})
        )
        return cast(SoldThrough, sold.sold_through(rows, names, agencies))

    def families_on(self, ids: list[str], day: str) -> dict[str, str]:
        """Which family each vendor belonged to on `day` (ISO date): a family's money that day went to it."""
        return {
            row["vendor_id"]: row["family"]
            for row in self.store.fetch_family_timeline(sorted(set(ids)))
            if (row["valid_from"] is None or row["valid_from"] <= day)
            and (row["valid_to"] is None or day < row["valid_to"])
        }

    def subawards(self, vendor_ids: list[str]) -> list[Subaward]:
        """The subawards the vendors received (they are the subcontractors)."""
        return self._subaward_rows(self.store.fetch_subawards(vendor_ids))

    def award_actions(self, keys: list[str]) -> dict[str, list[dict]]:
        """Each award's facts in date order, with dollars: what a citation of its total lists, line by line."""
        out: dict[str, list[dict]] = {key: [] for key in keys}
        for row in self.store.fetch_award_facts(sorted(set(keys))):
            out.setdefault(row["award_key"], []).append({**row, "obligated": cents_to_dollars(row["cents"])})
        return out

    def subawards_under(self, award_keys: list[str]) -> list[Subaward]:
        """The subawards made under these prime awards (their primes' subcontractors)."""
        return self._subaward_rows(self.store.fetch_subawards_under(sorted(set(award_keys))))

    def agency_subawards(self, text: str) -> list[Subaward]:
        """The subawards made under the prime awards the agency awarded."""
        agency = self.find_agency(text)
        return self._subaward_rows(self.store.fetch_agency_subawards((agency["tier"], agency["id"])))

    def _subaward_rows(self, rows: list[dict]) -> list[Subaward]:
        names = self.store.fetch_names(
            sorted({r["prime_vendor"] for r in rows if r["prime_vendor"]} | {r["sub_vendor"] for r in rows})
        )
        return answers.subawards(rows, names)

    # -- agencies ---------------------------------------------------------------------------------
    def agency_profile(self, text: str, limit: int = 100, categories: tuple[str, ...] | None = None) -> AgencyProfile:
        """The agency's profile; `categories` limits its money to those sectors (`sector` says which), and
        `categories` in the answer gives all its money by category and year."""
        agency = self.find_agency(text)
        where = (agency["tier"], agency["id"])
        totals = answers.money_totals(self.store.fetch_year_totals(FactFilter(awarding=where, categories=categories)))
        funded = answers.money_totals(self.store.fetch_year_totals(FactFilter(funding=where, categories=categories)))
        values = answers.values(self.store.fetch_values(awarding=where))
        vendors = self.store.fetch_fact_groups(FactFilter(awarding=where, categories=categories), "recipient")
        vendors = [v for v in vendors if v["recipient"]]
        names = self.store.fetch_names(sorted(v["recipient"] for v in vendors))
        families = self.store.fetch_families(sorted(v["recipient"] for v in vendors))
        family_names = self.store.fetch_names(sorted(set(families.values())))
        vendor_rows = [
            {
                "id": v["recipient"],
                "name": names.get(v["recipient"]),
                "family": family_names.get(families[v["recipient"]]) if v["recipient"] in families else None,
                "cents": v["cents"],
                "award_count": v["awards"],
            }
            for v in vendors
        ]
        parents, children = self.store.fetch_agency_links(agency["id"])
        parent = min(parents, key=lambda p: (-TIER_RANK[p.split(":")[0]], p), default=None)
        if agency["tier"] == "toptier":
            children = [c for c in children if c["tier"] == "subtier"]
        children = sorted(children, key=lambda c: (c["tier"], c["code"] or "", c["id"]))
        largest = self.store.fetch_largest_awards(FactFilter(awarding=where, categories=categories), limit)
        answer = answers.agency(
            agency,
            agency,
            cast("AgencyBrief | None", self.store.fetch_agency_briefs([parent]).get(parent) if parent else None),
            cast("list[AgencyBrief]", children),
            totals,
            funded,
            values,
            vendor_rows,
            self.award_rows(largest),
        )
        by_maker = self.store.fetch_mention_groups(where, categories, "maker")
        by_reseller = self.store.fetch_mention_groups(where, categories, "maker,recipient")
        direct: dict[str, dict] = {}
        for v in vendors:  # the makers' own sales to this agency: their family members' money
            own = direct.setdefault(families.get(v["recipient"]) or v["recipient"], {"cents": 0, "awards": 0})
            own["cents"] += v["cents"] or 0
            own["awards"] += v["awards"]
        maker_names = self.store.fetch_names(
            sorted({g["maker"] for g in by_maker} | {g["recipient"] for g in by_reseller if g["recipient"]})
        )
        answer["makers"] = sold.agency_makers(by_maker, by_reseller, direct, maker_names)
        answer["makers_basis"] = (
            "per maker whose products reached this agency through other vendors: sold "
            "directly (" + sold.DIRECT_BASIS + ") and through others (" + sold.BASIS + ")"
        )
        answer["sector"] = self.sector_scope(categories)
        if categories:  # no subawards here; the makers' sales through others follow each action's category
            answer["sector"]["not_filtered"] = ["current and potential award values"]
        answer["categories"] = self._agency_categories(agency)["categories"]
        return answer

    def agency_money(self, text: str, categories: tuple[str, ...] | None = None) -> list[dict]:
        """The agency's facts by recipient, fiscal year and whether they are split by year (for target scores),
        with each recipient's name and number of awards; `categories`: only those sectors' facts."""
        agency = self.find_agency(text)
        chosen = FactFilter(awarding=(agency["tier"], agency["id"]), categories=categories)
        groups = [g for g in self.store.fetch_fact_groups(chosen, "recipient,split,fiscal_year") if g["recipient"]]
        contracts = {g["recipient"]: g["awards"] for g in self.store.fetch_fact_groups(chosen, "recipient")}
        names = self.store.fetch_names(sorted(contracts))
        return sorted(
            (
                {
                    "recipient": g["recipient"],
                    "name": names.get(g["recipient"]),
                    "split": g["split"],
                    "fiscal_year": g["fiscal_year"],
                    "obligated": cents_to_dollars(g["cents"]),
                    "awards": g["awards"],
                    "contracts": contracts[g["recipient"]],
                }
                for g in groups
            ),
            key=lambda g: (g["recipient"], not g["split"], g["fiscal_year"] or 0),
        )

    def agency_renewals(self, text: str, start: str, until: str) -> list[AwardRow]:
        """The agency's awards whose period of performance (current end, else potential end) ends between the
        two ISO dates, soonest first: the renewal calendar, read from the store rather than every award."""
        agency = self.find_agency(text)
        return self.award_rows(self.store.fetch_ending_awards((agency["tier"], agency["id"]), start, until))

    def federal_totals(self, ids) -> dict[str, dict[int, dict]]:
        """Each vendor's obligations from every agency per fiscal year, as its USAspending recipient profile
        gives them (`python -m ingest usaspending-recipients`); vendors without a fetched profile are left out."""
        totals: dict[str, dict[int, dict]] = defaultdict(dict)
        for row in self.store.fetch_recipient_years(sorted(set(ids))):
            totals[row["vendor"]][row["fiscal_year"]] = row
        return dict(totals)

    # -- an agency's vendors as families (targets, the agency page) --------------------------------
    def families(self, ids) -> dict[str, NamedRef]:
        """Each vendor's family now: {vendor id: {"id": family id, "name": its name}} (a vendor alone is its own)."""
        wanted = sorted(set(ids))
        families = self.store.fetch_families(wanted)
        names = self.store.fetch_names(sorted(set(wanted) | {f for f in families.values() if f}))
        return {
            vid: {"id": families.get(vid) or vid, "name": names.get(families.get(vid) or vid) or names.get(vid)}
            for vid in wanted
        }

    def _family_table(self, chosen: FactFilter, groups: list[dict]) -> list[dict]:
        vendors = sorted({g["recipient"] for g in groups if g["recipient"]})
        families = self.store.fetch_families(vendors)
        names = self.store.fetch_names(sorted(set(vendors) | {f for f in families.values() if f}))
        rolled = fam.rollup(groups, families, names)
        shared = {fid: sorted(family["members"]) for fid, family in rolled.items() if len(family["members"]) > 1}
        distinct = self.store.fetch_group_awards(chosen, shared)  # members may share awards: count those once
        return fam.family_rows(rolled, {fid: distinct.get(fid, 0) for fid in shared})

    def agency_families(self, text: str, categories: tuple[str, ...] | None = None) -> AgencyFamilies:
        """The agency's vendors rolled up into their families now, largest obligated first: each family with its
        members (their own obligated and awards), its obligated and its distinct awards; `categories`: only
        those sectors' facts (`sector` says which)."""
        agency = self.find_agency(text)
        chosen = FactFilter(awarding=(agency["tier"], agency["id"]), categories=categories)
        rows = self._family_table(chosen, self.store.fetch_fact_groups(chosen, "recipient"))
        return {
            "agency": _agency_ref(agency),
            "families": rows,
            "basis": fam.FAMILY_BASIS,
            "sector": self.sector_scope(categories),
        }

    def top_vendors(
        self, text: str, fiscal_year: int, limit: int = 20, categories: tuple[str, ...] | None = None
    ) -> TopVendors:
        """The agency's top families in one fiscal year (actions dated in it), with the change from the year before
        (None and `new` when the family had no action that year); `categories`: only those sectors' actions."""
        agency = self.find_agency(text)
        where = (agency["tier"], agency["id"])
        years = {}
        for year in (fiscal_year - 1, fiscal_year):
            chosen = FactFilter(awarding=where, split=True, fy_from=year, fy_to=year, categories=categories)
            years[year] = self._family_table(chosen, self.store.fetch_fact_groups(chosen, "recipient"))
        total = self.store.fetch_fact_groups(
            FactFilter(awarding=where, split=True, fy_from=fiscal_year, fy_to=fiscal_year, categories=categories), None
        )
        return {
            "agency": _agency_ref(agency),
            "fiscal_year": fiscal_year,
            "families_in_year": len(years[fiscal_year]),
            "total": cents_to_dollars(total[0]["cents"]) if total else None,
            "rows": fam.top_rows(years[fiscal_year], years[fiscal_year - 1], limit),
            "basis": fam.YEAR_BASIS,
        }

    def agency_end_dates(
        self, text: str, rows_from: str | None = "0001-01-01", within: FactFilter | None = None
    ) -> AgencyEndDates:
        """How many of the agency's awards (with facts from it) report no end date, current or potential (they
        cannot be placed on a renewal calendar); and, as award rows, those whose current or potential end date is
        on or after `rows_from` (None: no rows, only the counts), with a fact `within` that filter (None: all)."""
        agency = self.find_agency(text)
        count, dated = self._dated_counts((agency["tier"], agency["id"]))
        keys = (
            self.store.fetch_open_awards((agency["tier"], agency["id"]), rows_from, within)
            if rows_from is not None
            else []
        )
        return {"award_count": count, "undated": count - dated, "dated": self.award_rows(keys)}

    def _dated_counts(self, where: tuple[str, str]) -> tuple[int, int]:
        """(awards with facts awarded at or below the agency, how many of them report an end date): counts, so a
        store of a million awards answers without listing them."""
        total = [row for row in self.store.fetch_year_totals(FactFilter(awarding=where)) if row["g"] == 3]  # all years
        count = total[0]["awards"] if total else 0
        return count, min(self.store.fetch_dated_award_count(where), count)

    def agency_awards(self, text: str) -> list[AwardRow]:
        """Every award with facts from the agency, largest obligated first (the citations behind its rankings)."""
        agency = self.find_agency(text)
        return self.award_rows(
            self.store.fetch_largest_awards(FactFilter(awarding=(agency["tier"], agency["id"])), 10**9)
        )

    def loaded_coverage(self) -> LoadedCoverage:
        """What this store's money covers: the awarding sub-agencies with facts (obligated, awards), largest first,
        and the fiscal-year span of the actions. A share of "the money in this store" is a share of this."""
        groups = [g for g in self.store.fetch_fact_groups(FactFilter(), "awarding_subtier") if g["awarding_subtier"]]
        briefs = self.store.fetch_agency_briefs(sorted(g["awarding_subtier"] for g in groups))
        agencies = sorted(
            (
                {
                    **briefs.get(
                        g["awarding_subtier"], {"id": g["awarding_subtier"], "name": None, "code": None, "tier": None}
                    ),
                    "obligated": cents_to_dollars(g["cents"]) or 0.0,
                    "awards": g["awards"],
                }
                for g in groups
            ),
            key=lambda a: (-a["obligated"], a["id"]),
        )
        counts = [self._dated_counts(("subtier", agency["id"])) for agency in agencies]
        facets = self.store.fetch_facets()
        return {
            "agencies": cast("list[LoadedAgency]", agencies),  # each a brief (AgencyBrief) with its money
            "fy_min": facets.get("fy_min"),
            "fy_max": facets.get("fy_max"),
            "award_count": sum(c for c, _ in counts),
            "dated_awards": sum(d for _, d in counts),
        }

    def coverage(self, within: list[str] | None = None) -> Coverage:
        """The agency x fiscal-year grid of the actions held, each cell with its status (`core.coverage`): from the
        run log's declarations and the actions' sources, so both stores answer the same in any load order.
        `within`: only the agencies at or below these ids (a profile's), over the whole store's span of years."""
        groups = self.store.fetch_fact_groups(FactFilter(split=True), "awarding_subtier,fiscal_year,source")
        declared = coverage_model.declarations(self.store.runs())
        held = sorted({g["awarding_subtier"] for g in groups if g["awarding_subtier"]})
        entities = {row["id"]: row for row in self.entities() if row["kind"] == "Agency"}
        above = {aid: {row["id"] for row in self.store.fetch_agency_chain([aid])} for aid in held}
        resolved: dict[str, str | None] = {}

        def covers(declaration: dict, agency: str) -> bool:
            text = declaration["agency"]
            if text == "*":
                return True
            if text not in resolved:
                try:
                    resolved[text] = self.find_agency(text)["id"]
                except LookupError:
                    resolved[text] = None  # names no agency held: it covers nothing here
            return resolved[text] in above.get(agency, {agency})

        cells = [
            {**cell, "above": sorted(above.get(cell["agency"], {cell["agency"]}))}
            for cell in coverage_model.grid(groups, declared, entities, covers)
        ]
        whole = coverage_model.summary(cells, declared)
        if within is None:
            return cast(Coverage, whole)
        chains = {row["id"] for row in self.store.fetch_agency_chain(sorted(within))} if within else set()
        return cast(Coverage, coverage_model.scope(whole, set(within) | (chains & set(held))))

    # -- the change log -----------------------------------------------------------------------------
    def changes(
        self, since: str | None = None, vendor: str | None = None, agency: str | None = None, limit: int | None = None
    ) -> Changes:
        """What the loads changed: since an ISO date (or time), else what the latest load changed; of one
        vendor's family, one agency (with everything under it). Each change names its record."""
        family = self.resolve_family(vendor)[0] if vendor else None
        found = self.find_agency(agency) if agency else None
        rows = self.store.fetch_changes(since, [family] if family else None, found["id"] if found else None, limit)
        names = self.store.fetch_names(sorted({r["vendor"] for r in rows if r["vendor"]}))
        briefs = self.store.fetch_agency_briefs(sorted({r["agency"] for r in rows if r["agency"]}))
        return answers.changes(rows, names, briefs, since=since, family=family, agency=found)

    # -- network --------------------------------------------------------------------------------
    def subgraph(
        self,
        agency: str | None = None,
        vendor: str | None = None,
        fy_from: int | None = None,
        fy_to: int | None = None,
        min_amount: float = 0.0,
        award_types=None,
        through_others: bool = False,
        categories: tuple[str, ...] | None = None,
    ) -> Subgraph:
        """Vendors and sub-agencies joined by the facts between them, with parent and PART_OF links.

        A fiscal-year filter keeps the actions dated in those years; award totals not split by year are
        then left out (and counted in `left_out`). `through_others` adds the layer of makers' products sold
        through resellers (maker -> reseller -> sub-agency), under the same filters, as `through_others`."""
        found = self.find_agency(agency) if agency else None
        chosen = FactFilter(
            awarding=(found["tier"], found["id"]) if found else None,
            family=self.resolve_family(vendor)[0] if vendor else None,
            award_types=tuple(sorted({t.lower() for t in award_types})) if award_types else None,
            categories=tuple(categories) if categories else None,
        )
        left_out = None
        if fy_from or fy_to:
            rest = self.store.fetch_fact_groups(chosen._replace(split=False), None)
            left_out = rest[0] if rest else {"cents": None, "awards": 0}
            chosen = chosen._replace(split=True, fy_from=fy_from or None, fy_to=fy_to or None)
        edges = [
            e
            for e in self.store.fetch_fact_groups(chosen, "recipient,awarding_subtier")
            if e["recipient"] and e["awarding_subtier"]
        ]
        floor = round(min_amount * 100)
        if floor > 0:
            edges = [e for e in edges if (e["cents"] or 0) >= floor]
        chain = self.store.fetch_vendor_chain(sorted({e["recipient"] for e in edges}))
        agencies = self.store.fetch_agency_chain(sorted({e["awarding_subtier"] for e in edges}))
        answer = answers.subgraph(edges, chain, agencies, left_out)
        answer["sector"] = self.sector_scope(chosen.categories)
        if through_others:
            rows = self.store.fetch_mentions(awarding=chosen.awarding)
            rows = [
                r
                for r in rows
                if (chosen.family is None or chosen.family in (r["maker"], r["recipient_family"]))
                and (chosen.award_types is None or (r["award_type"] or "").lower() in chosen.award_types)
                and (
                    not (fy_from or fy_to)
                    or (
                        r["split"]
                        and (not fy_from or (r["fiscal_year"] or 0) >= fy_from)
                        and (not fy_to or (r["fiscal_year"] or 0) <= fy_to)
                    )
                )
            ]
            names = self.store.fetch_names(
                sorted({r["maker"] for r in rows} | {r["recipient"] for r in rows if r["recipient"]})
            )
            briefs = self.store.fetch_agency_briefs(
                sorted({r["awarding_subtier"] for r in rows if r["awarding_subtier"]})
            )
            answer["through_others"] = sold.layer(rows, names, briefs, floor)
        return answer

    def network(self) -> nx.Graph:
        """The aggregated network paths run on (vendor–agency, parent, part-of and subaward links, one
        edge per pair), built once per version of the store."""
        version = self.store.version()
        cached = self._cache.get(("network", version))
        if cached is not None:
            return cached
        import networkx as nx  # only network questions pay for it

        graph = nx.Graph()
        for row in self.entities():
            graph.add_node(f"{row['kind']}:{row['id']}", kind=row["kind"], id=row["id"], name=row["name"])
        lower: dict[tuple, set] = defaultdict(set)  # a link's child company, part-of agency or subaward recipient
        for kind, a, b in self.store.fetch_links():
            start, end = (
                (f"Vendor:{a}", f"Agency:{b}")
                if kind in ("AWARDED", "FUNDED")
                else ((f"Agency:{a}", f"Agency:{b}") if kind == "PART_OF" else (f"Vendor:{a}", f"Vendor:{b}"))
            )
            if start != end and not graph.has_edge(start, end):
                graph.add_edge(start, end, rel=kind)
            if start != end and kind in ("PARENT", "PART_OF", "SUBAWARD") and graph.edges[start, end]["rel"] == kind:
                lower[(start, end) if start < end else (end, start)].add(start)
        for (start, end), children in lower.items():  # both ways (or neither): no direction to tell
            graph.edges[start, end]["child"] = next(iter(children)) if len(children) == 1 else None
        # a maker's products sold to an agency through others: a link of its own (the maker -> the awarding
        # agency), or, where the maker's family also sells there directly, a mark on that link
        for maker, agency in sorted(
            {(r["maker"], r["awarding_id"]) for r in self.store.fetch_mentions() if r["awarding_id"]}
        ):
            start, end = f"Vendor:{maker}", f"Agency:{agency}"
            if graph.has_edge(start, end):
                graph.edges[start, end]["through_others"] = True
            elif start in graph and end in graph:
                graph.add_edge(start, end, rel="THROUGH_OTHERS", through_others=True)
        self._cache[("network", version)] = graph
        return graph

    def _entity(self, text: str) -> str:
        end = self.end(text)
        return f"{end['kind']}:{end['id']}"

    def _member(self, text: str) -> str:
        """The vendor a name means within its family: the one whose own name or alias it is (or the only one it
        matched, as an id, UEI or DUNS does), else the head."""
        family, matched = self.resolve_family(text)
        wanted = name_key(text)
        exact = sorted(v["id"] for v in matched if name_key(v["name"]) == wanted) or sorted(
            v["id"] for v in matched if wanted in {name_key(n) for n in v["aliases"] or []}
        )
        if not exact and len(matched) == 1:
            exact = [matched[0]["id"]]
        return f"Vendor:{exact[0] if exact else family}"

    def paths(
        self,
        a: str,
        b: str,
        max_hops: int = 6,
        limit: int = 5,
        through_others: bool = True,
        shared_offices: bool = True,
    ) -> list[Chain]:
        """Shortest chains on the aggregated network; each hop lists the records behind it. With
        `through_others`, a maker reaches an agency its products were sold to through other vendors. Without
        `shared_offices`, only real links (`ties.real_routes`): no chain through an office two vendors share."""
        if not 1 <= max_hops <= MAX_HOPS:
            raise ValueError(f"max_hops must be between 1 and {MAX_HOPS}")
        import networkx as nx

        start, end = self._entity(a), self._entity(b)
        if start == end and start.startswith("Vendor:"):  # two names in one family: the links between them
            start, end = self._member(a), self._member(b)
        if start == end:
            return []  # one entity: no chain to show
        graph = self.network()
        if not through_others:
            full = graph
            graph = nx.subgraph_view(full, filter_edge=lambda u, v: full.edges[u, v]["rel"] != "THROUGH_OTHERS")
        chains: list[list[str]] = []
        try:
            for path in (
                nx.all_shortest_paths(graph, start, end)
                if shared_offices
                else ties.real_routes(graph, start, end, through_others)
            ):
                if len(path) - 1 > max_hops or len(chains) >= MAX_CHAINS:
                    break
                chains.append(path)
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            return []
        chosen = sorted(chains)[:limit]
        hops: dict[tuple[str, str], Hop] = {}  # chains share hops: each one's records are read once
        for chain in chosen:
            for left, right in zip(chain, chain[1:], strict=False):
                if (left, right) not in hops:
                    hops[(left, right)] = self._hop(graph, left, right)
        return [
            [cast(Hop, dict(hops[(left, right)])) for left, right in zip(chain, chain[1:], strict=False)]
            for chain in chosen
        ]

    def direct_ties(self, a: str, b: str, categories: tuple[str, ...] | None = None) -> DirectTies:
        """Every direct tie between the two: a family and an agency (the actions it awarded and funded, by year and
        office), two families (subawards either way), or two names of one family (`same_family`)."""
        ends = [self.end(text) for text in (a, b)]
        out: DirectTies = {
            "ends": [{"kind": e["kind"], "id": e["id"], "name": e["name"]} for e in ends],
            "same_family": False,
            "ties": [],
            "sector": self.sector_scope(categories),
        }
        kinds = [e["kind"] for e in ends]
        if kinds == ["Vendor", "Vendor"] and ends[0]["id"] == ends[1]["id"]:
            out["same_family"] = True
        elif sorted(kinds) == ["Agency", "Vendor"]:
            vendor, agency = ends if kinds[0] == "Vendor" else ends[::-1]
            for role in ties.ROLES:
                scope: dict[str, Any] = {role: (agency["tier"], agency["id"])}
                chosen = FactFilter(family=vendor["id"], categories=categories, **scope)
                total = self.store.fetch_fact_groups(chosen, None)
                if not total or not total[0]["facts"]:
                    continue
                by_office = {
                    column: self.store.fetch_fact_groups(chosen, column)
                    for column in ("awarding_office", "funding_office")
                }
                briefs = self.store.fetch_agency_briefs(
                    sorted({g[c] for c, rows in by_office.items() for g in rows if g[c]})
                )
                members = self.store.fetch_fact_groups(chosen, "recipient")
                names = self.store.fetch_names(sorted({g["recipient"] for g in members if g["recipient"]}))
                out["ties"].append(
                    ties.money_tie(
                        role,
                        total[0],
                        self.store.fetch_year_totals(chosen),
                        ties.offices(by_office["awarding_office"], "awarding_office", briefs),
                        ties.offices(by_office["funding_office"], "funding_office", briefs),
                        ties.registrations(members, names),
                    )
                )
            if len(out["ties"]) == 2:  # the actions it both awarded and funded: one block when they are all of both
                both = self.store.fetch_fact_groups(
                    FactFilter(
                        family=vendor["id"],
                        awarding=(agency["tier"], agency["id"]),
                        funding=(agency["tier"], agency["id"]),
                        categories=categories,
                    ),
                    None,
                )
                out["both"] = ties.overlap(both[0] if both else None)
        elif kinds == ["Vendor", "Vendor"]:
            member_ids = [{m["id"] for m in self.store.fetch_members(e["id"])} for e in ends]
            for prime, sub in ((0, 1), (1, 0)):
                rows = [
                    r
                    for r in self.store.fetch_subawards(sorted(member_ids[sub]))
                    if r["prime_vendor"] in member_ids[prime]
                ]
                if rows:
                    out["ties"].append(ties.subaward_tie(ends[prime]["id"], rows))
        return out

    def end(self, text: str) -> End:
        """The entity a name means for `paths` and `direct_ties`: an agency (with its tier), else a vendor family
        (its head). A blank name is asked for, never matched against everything."""
        if not (text or "").strip():
            raise NotFound("give a vendor or agency for each end (a name, UEI, DUNS or agency code)")
        try:
            agency = self.find_agency(text)
            return {"kind": "Agency", "id": agency["id"], "name": agency["name"], "tier": agency["tier"]}
        except NotFound:
            family = self.resolve_family(text)[0]
            return {"kind": "Vendor", "id": family, "name": self.store.fetch_names([family]).get(family) or family}

    def _hop(self, graph: nx.Graph, left: str, right: str) -> Hop:
        rel = graph.edges[left, right]["rel"]
        ends: dict[str, EndRef] = {
            nid: {"kind": graph.nodes[nid]["kind"], "id": graph.nodes[nid]["id"], "name": graph.nodes[nid]["name"]}
            for nid in (left, right)
        }
        hop: Hop = {"from": ends[left], "rel": rel, "to": ends[right]}
        a, b = ends[left]["id"], ends[right]["id"]
        if graph.edges[left, right].get("through_others"):
            maker, agency = (a, b) if ends[left]["kind"] == "Vendor" else (b, a)
            rows = self.store.fetch_mentions(makers=[maker], awarding_id=agency)
            names = self.store.fetch_names(sorted({r["recipient"] for r in rows if r["recipient"]}))
            briefs = self.store.fetch_agency_briefs(
                sorted({r["awarding_subtier"] for r in rows if r["awarding_subtier"]})
            )
            through = sold.sold_through(rows, names, briefs)
            for reseller in through["resellers"]:
                reseller["records"] = reseller["records"][:5]
            hop["through_others"] = {"route": sold.route_label(rows, names), **through}
        if rel == "THROUGH_OTHERS":
            first = hop["through_others"]["resellers"][0]["records"][0] if hop["through_others"]["resellers"] else {}
            hop.update(
                {
                    "obligated": hop["through_others"]["obligated"],
                    "source": first.get("source"),
                    "record": first.get("record"),
                    "permalink": first.get("permalink"),
                }
            )
        elif rel in ("AWARDED", "FUNDED"):
            vendor, agency = (a, b) if ends[left]["kind"] == "Vendor" else (b, a)
            exact: dict[str, Any] = {"awarding_id" if rel == "AWARDED" else "funding_id": agency}
            chosen = FactFilter(recipient=vendor, **exact)
            groups = self.store.fetch_fact_groups(chosen, "award_key")
            groups.sort(key=lambda g: (-(g["cents"] or 0), g["award_key"]))
            awards = {row["key"]: row for row in self.store.fetch_awards([g["award_key"] for g in groups[:5]])}
            hop.update(cast(Hop, answers.hop_records(groups, awards)))
        else:
            rows = self.store.fetch_link_records(rel, a, b)
            if rows:
                hop.update(cast(Hop, {k: v for k, v in rows[0].items() if v is not None}))  # keys vary by link
            child = graph.edges[left, right].get("child")
            if child:  # which end is the child company, the agency part of the other, the subaward's recipient
                hop["child"] = graph.nodes[child]["id"]
        return hop

    # -- the review queue -------------------------------------------------------------------------
    def review(self, kind: str | None = None, pending: bool = False, limit: int | None = None) -> Review:
        """Attributions by amount and name-only vendor merges, each with its evidence and judgement; local agencies
        of two sources with the same normalized name and state (kept apart until a reviewer says otherwise)."""
        queue: dict = {}
        if kind in (None, "attribution"):
            rows = self.store.fetch_mentions()
            names = self.store.fetch_names(
                sorted({r["maker"] for r in rows} | {r["recipient"] for r in rows if r["recipient"]})
            )
            briefs = self.store.fetch_agency_briefs(
                sorted({r["awarding_subtier"] for r in rows if r["awarding_subtier"]})
            )
            queue["attributions"] = sold.review_attributions(rows, names, briefs)
        if kind in (None, "merge"):
            queue["merges"] = sold.review_merges(self.store.fetch_name_merges())
        if kind in (None, "local"):
            agencies = self.local_agencies()
            judged = local_judgements()
            queue["local_matches"] = [
                {
                    "kind": "local_match",
                    "record": m["key"],
                    "state": m["state"],
                    "name_key": m["name_key"],
                    "agencies": [
                        {
                            "id": a,
                            "name": agencies[a]["name"],
                            "source": agencies[a]["source"],
                            "record": agencies[a]["record"],
                        }
                        for a in (m["a"], m["b"])
                    ],
                    # recorded in data/judgements.csv: "same" joins the pair at the next load or `graph attribute`,
                    # "not_same" keeps it apart (and off the pending list)
                    "judgement": judged.get(tuple(sorted((m["a"], m["b"])))),
                }
                for m in self.store.fetch_local_matches()
            ]
            queue["local_vendors"] = _unjoined_vendors(
                self.store.fetch_deployments() + self.store.fetch_local_contracts(), agencies
            )
        counts: dict[str, ReviewCount] = {}
        for name, entries in queue.items():
            counts[name] = {"listed": len(entries), "judged": sum(1 for e in entries if e["judgement"])}
            if pending:
                entries[:] = [e for e in entries if not e["judgement"]]
            if limit is not None:
                del entries[limit:]
        return cast(
            Review,
            {
                "counts": counts,
                **queue,
                "how_to_judge": "python -m graph review --record RECORD (--maker NAME | --vendor ID) --verdict "
                "correct|wrong|same|not_same --who NAME --why TEXT; then python -m graph attribute. Local "
                "matches: python -m graph review --kind local --record RECORD --verdict same|not_same --who NAME "
                "--why TEXT; then python -m graph attribute (or the next load)",
            },
        )

    def local_match(self, record: str) -> tuple[str, str]:
        """The two agencies of a local match, by the record the review queue lists it with (`a|b`; ids hold `|`
        themselves, so the key is looked up, never split), or by an agency id the pair's other joined."""
        for match in self.store.fetch_local_matches():
            if match["key"] == record.strip():
                return match["a"], match["b"]
        raise NotFound(
            f"no local match {record!r} in this store; `python -m graph review --kind local` lists them with "
            f"their records"
        )

    def check_judged(self, kind: str, record: str, target: str) -> None:
        """A judgement must name something this store holds: an action or award (attributions), a name-only
        merge (merges), two local agencies (local: a listed match, or two ids a judgement already joined)."""
        if kind == "local":
            pairs = {tuple(sorted((m["a"], m["b"]))) for m in self.store.fetch_local_matches()}
            known = {alias for row in self.local_agencies().values() for alias in [row["id"], *(row["aliases"] or [])]}
            if tuple(sorted((record, target))) not in pairs and not {record, target} <= known:
                raise NotFound(f"{record!r} and {target!r} are not a local match of this store")
            return
        if kind == "attribution":
            if not self.store.fetch_known_keys([record]):
                raise NotFound(
                    f"no action or award with key {record!r} in the store; `python -m graph review` "
                    f"lists the attributions with their keys"
                )
        elif not any(row["party"] == record and row["vendor"] == target for row in self.store.fetch_name_merges()):
            raise NotFound(
                f"{record!r} did not join vendor {target!r} by name in this store; `python -m graph "
                f"review --kind merge` lists the merges"
            )

    # -- dashboard helpers ------------------------------------------------------------------------
    def facets(self) -> dict:
        return self.store.fetch_facets()

    def vendor_totals(self, ids) -> list[dict]:
        """Each vendor's own facts in the whole graph (not its family's); unknown ids left out."""
        wanted = sorted(set(ids))
        names = self.store.fetch_names(wanted)
        totals = {
            row["recipient"]: row
            for row in self.store.fetch_fact_groups(FactFilter(recipients=tuple(wanted)), "recipient")
        }
        return [
            {
                "id": vid,
                "name": names[vid],
                "total_obligated": cents_to_dollars(totals.get(vid, {}).get("cents")) or 0.0,
                "award_count": totals.get(vid, {}).get("awards", 0),
            }
            for vid in wanted
            if vid in names
        ]
