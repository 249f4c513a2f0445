"""The shape of every answer about makers' products sold through others, from mention rows (any store).

Money attributed from descriptions is never added to a maker's own obligations: each answer gives both
figures apart, says what the attributed one sums, and lists the actions behind it with their text.
"""

from __future__ import annotations

from collections import defaultdict

from graph.questions.answers import cents_to_dollars

BASIS = (
    "attributed from award descriptions: obligations of contract actions recorded under other vendors whose "
    "description names this maker's product (rules: data/product_makers.csv; reviewers' judgements: "
    "data/judgements.csv). Not part of the maker's own obligations. An action naming two makers' products "
    "counts once for each maker."
)
LABEL = "attributed from award descriptions"
DIRECT_BASIS = "obligations of contract actions whose recipient was in the maker's family on the action's date"


def judgement(row: dict) -> dict | None:
    if not row.get("verdict"):
        return None
    return {"verdict": row["verdict"], "who": row["who"], "when": row["judged_at"], "why": row["why"]}


def record(row: dict, agencies: dict) -> dict:
    """One attributed action with its evidence."""
    agency = agencies.get(row["awarding_subtier"]) or agencies.get(row["awarding_id"])
    return {
        "key": row["fact_key"],
        "award_key": row["award_key"],
        "action_date": row["action_date"],
        "fiscal_year": row["fiscal_year"],
        "modification": row["modification"],
        "amount": cents_to_dollars(row["cents"]),
        "product": row["product"],
        "rule": row["rule"],
        "confidence": row["confidence"],
        "matched": row["span"],
        "found_in": row["field"],
        "text": row["text"],
        "awarding_agency": {k: agency[k] for k in ("id", "name", "code")} if agency else None,
        "judgement": judgement(row),
        "permalink": row["permalink"],
        "source": row["source"],
        "record": row["record"],
    }


def _sum(rows: list[dict]) -> dict:
    reported = [row["cents"] for row in rows if row["cents"] is not None]
    return {
        "obligated": cents_to_dollars(sum(reported)) if reported else None,
        "actions": len(rows),
        "actions_not_reported": len(rows) - len(reported),
        "awards": len({row["award_key"] for row in rows}),
    }


def _order(groups: list[dict]) -> list[dict]:
    return sorted(groups, key=lambda g: (-(g["obligated"] or 0), g["name"] or "", g["id"] or ""))


def sold_through(rows: list[dict], names: dict, agencies: dict, with_records: bool = True) -> dict:
    """A maker's mentions (rows of one maker): the total, then by reseller (with each action) and by agency."""
    by_reseller, by_agency = defaultdict(list), defaultdict(list)
    for row in rows:
        by_reseller[row["recipient"]].append(row)
        by_agency[row["awarding_subtier"]].append(row)
    resellers = []
    for vendor, group in by_reseller.items():
        entry = {
            "id": vendor,
            "name": names.get(vendor) if vendor else "recipient not reported",
            **_sum(group),
            "products": sorted({row["product"] for row in group if row["product"]}),
        }
        if with_records:
            entry["records"] = sorted(
                (record(row, agencies) for row in group),
                key=lambda r: (-(r["amount"] or 0), r["action_date"] or "", r["key"]),
            )
        resellers.append(entry)
    agency_rows = [
        {
            "id": aid,
            "name": (agencies.get(aid) or {}).get("name"),
            "code": (agencies.get(aid) or {}).get("code"),
            **_sum(group),
        }
        for aid, group in by_agency.items()
    ]
    return {
        "label": LABEL,
        "basis": BASIS,
        **_sum(rows),
        "resellers": _order(resellers),
        "agencies": _order(agency_rows),
    }


def route_label(rows: list[dict], names: dict) -> str:
    """'Amazon Web Services via FOUR POINTS TECHNOLOGY, L.L.C., $258,912,345, 14 actions; …' for a hop."""
    parts = []
    for reseller in sold_through(rows, names, {}, with_records=False)["resellers"]:
        money = f"${reseller['obligated']:,.0f}" if reseller["obligated"] is not None else "amount not reported"
        parts.append(
            f"{' / '.join(reseller['products'])} via {reseller['name']}, {money}, "
            f"{reseller['actions']} action{'s' if reseller['actions'] != 1 else ''}"
        )
    return "; ".join(parts)


def agency_makers(by_maker: list[dict], by_reseller: list[dict], direct: dict[str, dict], names: dict) -> list[dict]:
    """Per maker with products sold to the agency through others: sold directly and through others, apart.
    From the store's mention groups (`fetch_mention_groups`, by "maker" and by "maker,recipient")."""
    resellers = defaultdict(list)
    for g in by_reseller:
        resellers[g["maker"]].append(
            {
                "id": g["recipient"],
                "name": names.get(g["recipient"]) if g["recipient"] else "recipient not reported",
                "obligated": cents_to_dollars(g["cents"]),
                "actions": g["actions"],
                "awards": g["awards"],
                "products": g["products"],
            }
        )
    out = []
    for g in by_maker:
        own = direct.get(g["maker"], {})
        out.append(
            {
                "id": g["maker"],
                "name": names.get(g["maker"]),
                "sold_directly": {
                    "obligated": cents_to_dollars(own.get("cents")) or 0.0,
                    "awards": own.get("awards", 0),
                    "basis": DIRECT_BASIS,
                },
                "through_others": {
                    "label": LABEL,
                    "obligated": cents_to_dollars(g["cents"]),
                    "actions": g["actions"],
                    "actions_not_reported": g["actions"] - g["reported"],
                    "awards": g["awards"],
                    "resellers": _order(resellers[g["maker"]]),
                },
            }
        )
    return sorted(out, key=lambda m: (-(m["through_others"]["obligated"] or 0), m["name"] or "", m["id"]))


def review_attributions(rows: list[dict], names: dict, agencies: dict, shown: int = 5) -> list[dict]:
    """The attribution queue: one entry per (award, maker), largest first, with its evidence."""
    groups = defaultdict(list)
    for row in rows:
        groups[(row["award_key"], row["maker"])].append(row)
    out = []
    for (award_key, maker), group in groups.items():
        verdicts = {(row["verdict"], row["who"], row["judged_at"], row["why"]) for row in group}
        evidence = sorted(
            (record(row, agencies) for row in group),
            key=lambda r: (-(r["amount"] or 0), r["action_date"] or "", r["key"]),
        )
        recipient = group[0]["recipient"]
        out.append(
            {
                "kind": "attribution",
                "record": award_key,
                "maker": {"id": maker, "name": names.get(maker)},
                "products": sorted({row["product"] for row in group if row["product"]}),
                "rules": sorted({row["rule"] for row in group}),
                "confidence": max(row["confidence"] or 0 for row in group),
                "recipient": {"id": recipient, "name": names.get(recipient) if recipient else None},
                **_sum(group),
                "judgement": judgement(group[0]) if len(verdicts) == 1 else {"verdict": "partly judged"},
                "evidence": evidence[:shown],
                "permalink": group[0]["permalink"],
            }
        )
    return sorted(out, key=lambda e: (-(e["obligated"] or 0), e["record"], e["maker"]["id"]))


def review_merges(rows: list[dict]) -> list[dict]:
    out = [
        {
            "kind": "merge",
            "record": row["party"],
            "party": {"name": row["name"], "uei": row["uei"], "duns": row["duns"]},
            "vendor": {
                "id": row["vendor"],
                "name": row["vendor_name"],
                "uei": row["vendor_uei"],
                "duns": row["vendor_duns"],
                "identified_as": list(row["vendor_identified_names"] or []),
            },
            "match": "name only",
            "confidence": "low",
            "obligated": cents_to_dollars(row["cents"]) if row["reported"] else None,
            "records": row["records"],
            "awards": row["awards"],
            "first": row["first"],
            "last": row["last"],
            "evidence": {k: row[k] for k in ("award_key", "permalink", "source", "record")},
            "judgement": judgement(row),
        }
        for row in rows
    ]
    return sorted(out, key=lambda e: (-(e["obligated"] or 0), e["record"], e["vendor"]["id"]))


def layer(rows: list[dict], names: dict, agencies: dict, floor_cents: int = 0) -> dict:
    """The network's "through resellers" layer: maker -> reseller and reseller -> sub-agency links, per maker,
    each with its attributed money, actions and products; links under `floor_cents` are left out."""
    legs = defaultdict(list)
    for row in rows:
        if row["recipient"] and row["awarding_subtier"]:
            legs[(row["maker"], row["recipient"], row["awarding_subtier"])].append(row)
    edges, nodes = [], {}
    to_reseller = defaultdict(list)
    for (maker, reseller, agency), group in sorted(legs.items()):
        money = _sum(group)
        if (round((money["obligated"] or 0) * 100)) < floor_cents:
            continue
        products = sorted({row["product"] for row in group if row["product"]})
        edges.append(
            {
                "source": f"Vendor:{reseller}",
                "target": f"Agency:{agency}",
                "type": "RESOLD_TO",
                "maker": maker,
                "maker_name": names.get(maker),
                "products": products,
                **money,
                "label": f"{' / '.join(products)} ({names.get(maker)})",
            }
        )
        to_reseller[(maker, reseller)].extend(group)
        nodes[f"Agency:{agency}"] = {
            "id": f"Agency:{agency}",
            "kind": "Agency",
            "name": (agencies.get(agency) or {}).get("name"),
        }
    for (maker, reseller), group in sorted(to_reseller.items()):
        products = sorted({row["product"] for row in group if row["product"]})
        edges.append(
            {
                "source": f"Vendor:{maker}",
                "target": f"Vendor:{reseller}",
                "type": "THROUGH_RESELLER",
                "maker": maker,
                "maker_name": names.get(maker),
                "products": products,
                **_sum(group),
                "label": f"{' / '.join(products)} via {names.get(reseller)}",
            }
        )
        for vid in (maker, reseller):
            nodes[f"Vendor:{vid}"] = {"id": f"Vendor:{vid}", "kind": "Vendor", "name": names.get(vid)}
    return {"label": LABEL, "basis": BASIS, "nodes": [nodes[k] for k in sorted(nodes)], "edges": edges}
