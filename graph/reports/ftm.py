"""FollowTheMoney (FtM) entities from the model's graph, as JSON lines (`python -m graph export --format ftm OUT`).

Aleph and OpenAleph, the investigative community's tools, read FtM (`alephclient write-entities`, the `ftm` tools).
The mapping, on FtM's schema (4.x):

- Vendor -> Company: name, alias, uniqueEntityId (UEI), dunsCode (DUNS).
- Agency -> PublicBody (federal and local): name, abbreviation, alias, parent (the agency it is part of).
- a vendor's parent link -> Ownership: owner the parent, asset the vendor, role its basis (record or curated).
- Award -> Contract: title (its description, else its PIID), name = PIID (FtM's Contract has no contract-number
  property; a name is matchable, so Aleph cross-references by PIID), authority the awarding agency, amount its
  lifetime obligated, contractDate, type, classification (PSC, NAICS).
- the award's recipient -> ContractAward: supplier, contract, amount, period of performance.
- a contract action -> Payment: payer its awarding agency, beneficiary its recipient, contract, amount, date,
  sequenceNumber its modification, recordId its action key. An award total not split by year (a summary row, a
  subaward file's prime amount) is no payment: it is the Contract's amount. Subawards, product mentions, contract
  vehicles and the local layer's deployments and data sharing have no FtM schema that says them without inventing
  a relation, and are left out (the other formats carry them).

Money is the store's figure as stored (USD, `repr` of the stored double: no rounding). Every entity names its record:
`sourceUrl` (the record's permalink, http(s) only; a vendor or agency: the latest award naming it, else the latest
naming a member of its family or an agency below it, else the public origin of the file it was read from), `publisher`
(who publishes that page) and `retrievedAt` (when its source was read). Curated parent links cite no page: their
`description` is the curated row's source note, when it has one (data/vendor_families.csv). Ids are hashes of the model's keys and the lines
are sorted, so the same store writes the same file whatever order its rows were loaded in.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import networkx as nx

ID_PREFIX = "contractgraph"
CURRENCY = "USD"
COUNTRY = "us"
SCHEMATA = ("Company", "PublicBody", "Ownership", "Contract", "ContractAward", "Payment")  # the file's order
PUBLISHERS = {"www.usaspending.gov": ("USAspending.gov", "https://www.usaspending.gov/")}
# A record read from a file with no link of its own (a Flock agency list) cites where that file is published: the
# folder it was read from -> (its public origin, who publishes it). data/sample/README.md and ../shared's README give them.
ORIGINS = {"flock_transparency_portals": ("https://github.com/mcclatchy-southeast/private_eyes", "The News & Observer")}
PAYMENT_KINDS = ("action",)  # the fact kinds that are payments (see the module's docstring)
# FtM's longest value of each type (names, identifiers, texts; other strings 1024): a longer one would not validate
NAMES, LIMITS = (
    ("name", "alias", "abbreviation"),
    {
        "name": 384,
        "alias": 384,
        "abbreviation": 384,
        "uniqueEntityId": 64,
        "dunsCode": 64,
        "description": 65000,
        "notes": 65000,
        "sourceUrl": 4096,
    },
)
_QUOTED = re.compile(r"""^["'](.*)["']$""")


def entity_id(kind: str, key: str) -> str:
    """A stable FtM id for the model's node or link `key` (keys may hold any text: hashed, not spelt out)."""
    return f"{ID_PREFIX}-{kind}-{hashlib.sha1(key.encode('utf-8')).hexdigest()}"


def web_link(url) -> str | None:
    """The URL when it is an http(s) address with a host, else None (a record's file path is no source link)."""
    if not isinstance(url, str) or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.hostname else None


def ftm_date(value) -> str | None:
    """An ISO date or a UTC time without its offset, the form FtM keeps (it drops time zones)."""
    if not value:
        return None
    text = str(value).strip()
    if len(text) <= 10:
        return text
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text[:10]
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds")


def clean(name: str, value) -> str | None:
    """The value as FtM keeps it (so readers that trust the file take it unchanged): NFC, no control or invisible
    characters, a name's spaces squashed and its quotes dropped; too long a value is cut, with an ellipsis."""
    text = str(value)
    if not (text.isascii() and text.isprintable()):
        text = "".join(
            " " if unicodedata.category(ch) in ("Zs", "Zl", "Zp") else ch
            for ch in unicodedata.normalize("NFC", text)
            if ch in "\t\n\r" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co")
        )
    if name in NAMES:
        text = _QUOTED.sub(r"\1", " ".join(text.split()))
    text, limit = text.strip(), LIMITS.get(name, 1024)
    return (text if len(text) <= limit else text[: limit - 1].rstrip() + "…") or None


def money(value) -> str | None:
    return None if value is None else repr(float(value))


class _Citations:
    """Where each entity's record is: its own link, or (for a vendor or an agency) the latest award that names it."""

    def __init__(self, graph: nx.MultiDiGraph):
        # when each source was read: a fact's row says its source but not when (its award's row says both)
        self.read_at: dict[str, str] = {}
        for _, data in graph.nodes(data=True):
            if data.get("source") and data.get("retrieved"):
                self.read_at[data["source"]] = max(self.read_at.get(data["source"], ""), data["retrieved"])
        for *_, data in graph.edges(data=True):
            if data.get("source") and data.get("retrieved"):
                self.read_at[data["source"]] = max(self.read_at.get(data["source"], ""), data["retrieved"])
        self.latest: dict[str, tuple] = {}  # node id -> (date, link, retrieved) of the latest record naming it
        for u, v, data in graph.edges(data=True):
            start = graph.nodes[u]
            if start["label"] == "Award":
                self._offer(v, (start.get("last_action") or "", *self.of(start)))
            else:
                self._offer(
                    u, (data.get("action_date") or data.get("as_of") or data.get("last_reported") or "", *self.of(data))
                )
                self._offer(
                    v, (data.get("action_date") or data.get("as_of") or data.get("last_reported") or "", *self.of(data))
                )

    def _offer(self, node: str, citation: tuple) -> None:
        if citation[1] and citation > self.latest.get(node, ("", "", "")):
            self.latest[node] = citation

    def of(self, row: dict) -> tuple[str | None, str | None]:
        """A row's own (link, retrieved)."""
        link = next(
            filter(None, (web_link(row.get(name)) for name in ("permalink", "url", "portal", "policy_url"))), None
        )
        return link, row.get("retrieved") or self.read_at.get(row.get("source") or "") or ""

    def node(self, nid: str, data: dict) -> tuple[str | None, str | None]:
        own = self.of(data)
        if own[0]:
            return own
        return self.latest[nid][1:] if nid in self.latest else self.origin(data) or (None, None)

    def cover(self, graph: nx.MultiDiGraph) -> None:
        """A node no record names cites what stands under it: an agency the latest record of an agency below it
        (PART_OF, at any depth), a curated family the latest record of a member (its curated PARENT links)."""
        below: dict[str, list[str]] = {}
        for u, v, data in graph.edges(data=True):
            if data["type"] == "PART_OF" or (data["type"] == "PARENT" and data.get("basis") == "curated"):
                below.setdefault(v, []).append(u)

        def best(node: str, seen: frozenset) -> tuple:
            found = self.latest.get(node, ("", "", ""))
            for child in below.get(node, ()):
                if child not in seen:
                    found = max(found, best(child, seen | {node}))
            return found

        for node in below:
            if node not in self.latest and (found := best(node, frozenset()))[1]:
                self.latest[node] = found

    def origin(self, data: dict) -> tuple[str | None, str | None] | None:
        """Where the file the record was read from is published, when it has no link of its own."""
        parts = Path(str(data.get("source") or "")).parts
        return next(
            (
                (ORIGINS[part][0], self.read_at.get(data["source"]) or data.get("retrieved"))
                for part in parts
                if part in ORIGINS
            ),
            None,
        )


def _entity(schema: str, eid: str, props: dict, citation: tuple[str | None, str | None]) -> dict:
    link, retrieved = citation
    publisher = (
        (None, None)
        if not link
        else next(((who, url) for url, who in ORIGINS.values() if url == link), None)
        or PUBLISHERS.get(urlsplit(link).hostname or "", (urlsplit(link).hostname, None))
    )
    props = {
        **props,
        "sourceUrl": link,
        "publisher": publisher[0],
        "publisherUrl": publisher[1],
        "retrievedAt": ftm_date(retrieved),
    }
    properties = {}
    for name, values in props.items():
        values = values if isinstance(values, (list, tuple)) else [values]
        kept = sorted({text for text in (clean(name, value) for value in values if value is not None) if text})
        if kept:
            properties[name] = kept
    return {"id": eid, "schema": schema, "properties": properties}


def entities(graph: nx.MultiDiGraph):
    """The FtM entities (dicts) of the graph, in the file's order."""
    cite = _Citations(graph)
    cite.cover(graph)
    ids = {nid: entity_id(data["label"].lower(), str(data["key"])) for nid, data in graph.nodes(data=True)}
    out: dict[str, list] = {schema: [] for schema in SCHEMATA}
    parents = {u: v for u, v, data in graph.edges(data=True) if data["type"] == "PART_OF"}
    awarded: dict[str, dict] = {}  # award node id -> its link ids
    for u, v, data in graph.edges(data=True):
        if data["type"] in ("AWARDED_TO", "AWARDED_BY"):
            awarded.setdefault(u, {})[data["type"]] = v
    for nid, data in graph.nodes(data=True):
        label = data["label"]
        if label == "Vendor":
            out["Company"].append(
                _entity(
                    "Company",
                    ids[nid],
                    {
                        "name": data.get("name") or data["key"],
                        "alias": [a for a in data.get("aliases") or () if a != data.get("name")],
                        "uniqueEntityId": data.get("uei"),
                        "dunsCode": data.get("duns"),
                        "notes": data.get("note"),
                    },
                    cite.node(nid, data),
                )
            )
        elif label == "Agency":
            out["PublicBody"].append(
                _entity(
                    "PublicBody",
                    ids[nid],
                    {
                        "name": data.get("name") or data["key"],
                        "abbreviation": data.get("abbreviation"),
                        "alias": [a for a in data.get("aliases") or () if a != data.get("name")],
                        "parent": ids[parents[nid]] if nid in parents else None,
                        "jurisdiction": COUNTRY,
                    },
                    cite.node(nid, data),
                )
            )
        elif label == "Award":
            links = awarded.get(nid, {})
            out["Contract"].append(
                _entity(
                    "Contract",
                    ids[nid],
                    {
                        "title": data.get("description") or data.get("piid") or data["key"],
                        "name": data.get("piid"),
                        "description": data.get("description"),
                        "authority": ids.get(links.get("AWARDED_BY")),
                        "amount": money(data.get("obligated")),
                        "currency": CURRENCY if data.get("obligated") is not None else None,
                        "contractDate": data.get("base_date") or data.get("first_action"),
                        "type": data.get("award_type"),
                        "classification": [
                            data.get("psc_description") or data.get("psc"),
                            data.get("naics_description") or data.get("naics"),
                        ],
                    },
                    cite.node(nid, data),
                )
            )
            if "AWARDED_TO" in links:
                out["ContractAward"].append(
                    _entity(
                        "ContractAward",
                        entity_id("contractaward", str(data["key"])),
                        {
                            "supplier": ids[links["AWARDED_TO"]],
                            "contract": ids[nid],
                            "amount": money(data.get("obligated")),
                            "currency": CURRENCY if data.get("obligated") is not None else None,
                            "startDate": data.get("start_date"),
                            "endDate": data.get("end_date"),
                            "date": data.get("first_action"),
                        },
                        cite.node(nid, data),
                    )
                )
    by_key = {
        (data["label"], data["key"]): nid
        for nid, data in graph.nodes(data=True)
        if data["label"] in ("Vendor", "Agency")
    }
    for u, v, key, data in graph.edges(keys=True, data=True):
        if data["type"] == "PARENT":
            basis = key.split("|", 1)[1]
            out["Ownership"].append(
                _entity(
                    "Ownership",
                    entity_id("ownership", f"{u}|{basis}|{v}"),
                    {
                        "owner": ids[v],
                        "asset": ids[u],
                        "role": data.get("relation") or basis,
                        "description": data.get("note"),
                        "startDate": data.get("first_reported"),
                        "endDate": data.get("last_reported"),
                    },
                    cite.of(data),
                )
            )
        elif data["type"] == "HAS_FACT" and graph.nodes[v].get("kind") in PAYMENT_KINDS:
            fact, links = graph.nodes[v], awarded.get(u, {})
            link, retrieved = cite.node(v, fact)
            # the action's own parties; an action whose party is not in the graph (a sector's export) names the award's
            payer = by_key.get(("Agency", fact.get("awarding_id")), links.get("AWARDED_BY"))
            beneficiary = by_key.get(("Vendor", fact.get("recipient")), links.get("AWARDED_TO"))
            out["Payment"].append(
                _entity(
                    "Payment",
                    ids[v],
                    {
                        "payer": ids.get(payer),
                        "beneficiary": ids.get(beneficiary),
                        "contract": ids[u],
                        "amount": money(fact.get("amount")),
                        "currency": CURRENCY if fact.get("amount") is not None else None,
                        "date": fact.get("action_date"),
                        "sequenceNumber": fact.get("modification"),
                        "recordId": fact["key"],
                    },
                    (link, retrieved or graph.nodes[u].get("retrieved")),
                )
            )
    for schema in SCHEMATA:
        yield from sorted(out[schema], key=lambda entity: entity["id"])


def write_ftm(graph: nx.MultiDiGraph, out: Path) -> dict[str, int]:
    """Write the graph's FtM entities to `out`, one JSON object a line; returns how many of each schema."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    counts = dict.fromkeys(SCHEMATA, 0)
    with out.open("w", encoding="utf-8") as handle:
        for entity in entities(graph):
            handle.write(json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n")
            counts[entity["schema"]] += 1
    return counts
