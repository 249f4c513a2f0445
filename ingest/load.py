"""From normalized records to graph rows in a store: resolution, batching, rejects, the run summary.

This is the one place that maps records onto the schema in `core.schema`. Every row read is
either loaded or rejected (written to the rejects file with its line and reason), so
rows_read == rows_loaded + rows_rejected. Upserts are MERGEs on keys, so loading the same input
again changes no count.
"""
from __future__ import annotations

import csv
import datetime as dt
import logging
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from tqdm import tqdm

from graph.batch import Batch
from core.schema import CONFIDENCE_RANK, TIER_RANK, agency_id

from . import clean
from core.records import AgencyRef, Award, Party, Reject, Subaward, Transaction
from .resolve import Resolver, load_agencies

log = logging.getLogger(__name__)
BATCH_SIZE = 5000


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


class Mapper:
    """Turns records into Batch rows, resolving vendors and agencies as it goes."""

    def __init__(self, resolver: Resolver, agencies: dict[str, dict] | None = None):
        self.resolver = resolver
        self.agencies = load_agencies() if agencies is None else agencies
        self.seen = {"awards": set(), "vendors": set(), "agencies": set()}
        self.transactions_seen: set[str] = set()
        self.emitted: set[tuple] = set()
        self.duplicate_rows = 0

    def seed(self, batch: Batch) -> None:
        """Canonical parent companies from the curated table exist before anything points at them."""
        for family in self.resolver.families.values():
            batch.node("Vendor", family.id, {"name": family.name, "aliases": [family.name], "curated": True,
                                             "note": " ".join(family.alias_sources) or None,
                                             "source": "data/vendor_families.csv"})

    # -- agencies --------------------------------------------------------------------------------
    def _agency_node(self, batch: Batch, tier: str, code: str, name: str | None, prov) -> str:
        nid = agency_id(tier, code)
        if (nid, name) in self.emitted:  # the same agency on thousands of rows: write it once per run
            return nid
        self.emitted.add((nid, name))
        curated = self.agencies.get(code) if tier != "office" else None
        props = {"code": code, "tier": tier, "aliases": [name] if name else None}
        if curated:
            props.update(name=curated["name"], abbreviation=curated["abbreviation"] or None,
                         aliases=[curated["name"]] + ([name] if name else []))
        else:
            props["name"] = name
        props.update(source=prov.source, record=prov.record, retrieved=prov.retrieved)
        batch.node("Agency", nid, props)
        self.seen["agencies"].add(nid)
        return nid

    def agency(self, batch: Batch, ref: AgencyRef, prov) -> str | None:
        """Agency nodes and PART_OF edges from codes; returns the most specific agency's id."""
        top_code = ref.toptier_code
        if ref.subtier_code and not top_code:
            curated = self.agencies.get(ref.subtier_code)
            top_code = curated["parent_code"] if curated and curated["parent_code"] else None
        chain = []
        if top_code:
            chain.append(self._agency_node(batch, "toptier", top_code, ref.toptier_name, prov))
        if ref.subtier_code:
            chain.append(self._agency_node(batch, "subtier", ref.subtier_code, ref.subtier_name, prov))
        if ref.office_code:
            chain.append(self._agency_node(batch, "office", ref.office_code, ref.office_name, prov))
        edge_prov = {"source": prov.source, "record": prov.record, "retrieved": prov.retrieved}
        for parent, child in zip(chain, chain[1:]):
            if (child, parent) not in self.emitted:
                self.emitted.add((child, parent))
                batch.edge("PART_OF", child, parent, edge_prov)
        return chain[-1] if chain else None

    # -- vendors ---------------------------------------------------------------------------------
    def _vendor_node(self, batch: Batch, vendor_id: str, name, uei, duns, cage=None, prov=None) -> None:
        seen = (vendor_id, name, uei, duns, cage)
        if seen in self.emitted:  # nothing new to say about this vendor in this run
            return
        self.emitted.add(seen)
        batch.node("Vendor", vendor_id, {
            "name": name, "uei": uei, "duns": duns, "cage": cage, "aliases": [name] if name else None,
            "source": prov.source if prov else None, "record": prov.record if prov else None,
            "retrieved": prov.retrieved if prov else None})
        self.seen["vendors"].add(vendor_id)
        alias_of, parents = self.resolver.curated(name)
        for family_id, source in parents:
            if family_id != vendor_id:
                batch.edge("PARENT", vendor_id, family_id, {"basis": "curated", "relation": "subsidiary",
                                                            "note": source, "source": "data/vendor_families.csv"})
        if alias_of and alias_of != vendor_id:
            batch.edge("PARENT", vendor_id, alias_of, {
                "basis": "curated", "relation": "same company, another registration",
                "source": "data/vendor_families.csv"})

    def vendor(self, batch: Batch, party: Party, prov) -> tuple[str, dict] | None:
        """Resolve a recipient (and its reported parent); returns (vendor id, match fields)."""
        match = self.resolver.resolve(party.name, party.uei, party.duns)
        if match is None:
            return None
        self._vendor_node(batch, match.id, party.name, party.uei, party.duns, party.cage, prov)
        if party.parent_name or party.parent_uei or party.parent_duns:
            parent = self.resolver.resolve(party.parent_name, party.parent_uei, party.parent_duns)
            if parent.id != match.id:
                self._vendor_node(batch, parent.id, party.parent_name, party.parent_uei, party.parent_duns,
                                  prov=prov)
                batch.edge("PARENT", match.id, parent.id, {
                    "basis": "record", "relation": "parent as the record reports it", "source": prov.source,
                    "record": prov.record, "retrieved": prov.retrieved, "permalink": prov.permalink})
        return match.id, {"match": match.match, "confidence": match.confidence}

    # -- awards ----------------------------------------------------------------------------------
    def award(self, batch: Batch, award: Award, summary: bool) -> None:
        prov = award.prov
        props = {
            "piid": award.piid, "parent_piid": award.parent_piid, "parent_agency": award.parent_agency,
            "award_type": award.award_type, "description": award.description, "naics": award.naics,
            "naics_description": award.naics_description, "psc": award.psc,
            "psc_description": award.psc_description, "base_date": award.base_date,
            "start_date": award.start_date, "end_date": award.end_date,
            "potential_end_date": award.potential_end_date, "values_as_of": award.values_as_of,
            "source": prov.source, "record": prov.record, "retrieved": prov.retrieved,
            "permalink": prov.permalink or clean.permalink(award.key), "sources": [prov.source],
        }
        if summary:
            props.update(obligated_summary=award.obligated, current_value_summary=award.current_value,
                         potential_value_summary=award.potential_value)
        else:
            props.update(current_value_tx=award.current_value, potential_value_tx=award.potential_value)
        batch.node("Award", award.key, props)
        batch.awards_touched.add(award.key)
        self.seen["awards"].add(award.key)
        edge_prov = {"source": prov.source, "record": prov.record, "retrieved": prov.retrieved,
                     "permalink": props["permalink"]}
        resolved = self.vendor(batch, award.recipient, prov)
        if resolved:
            vendor_id, match = resolved
            batch.edge("AWARDED_TO", award.key, vendor_id,
                       {**match, "rank": CONFIDENCE_RANK[match["confidence"]], **edge_prov})
        for rel, ref in (("AWARDED_BY", award.awarding), ("FUNDED_BY", award.funding)):
            agency = self.agency(batch, ref, prov)
            if agency:
                batch.edge(rel, award.key, agency, {"rank": TIER_RANK[agency.split(":", 1)[0]], **edge_prov})
        if award.parent_piid:
            vehicle = clean.award_key(award.parent_piid, award.parent_agency, None, None, is_idv=True)
            batch.node("Vehicle", vehicle, {"piid": award.parent_piid, "agency": award.parent_agency})
            batch.edge("UNDER_VEHICLE", award.key, vehicle, edge_prov)

    def transaction(self, batch: Batch, tx: Transaction) -> None:
        if tx.key in self.transactions_seen:
            self.duplicate_rows += 1
        self.transactions_seen.add(tx.key)
        self.award(batch, tx.award, summary=False)
        prov = tx.award.prov
        batch.node("Transaction", tx.key, {
            "modification": tx.modification, "action_date": tx.action_date,
            "fiscal_year": clean.fiscal_year(tx.action_date), "obligation": tx.obligation,
            "description": tx.description, "source": prov.source, "record": prov.record,
            "retrieved": prov.retrieved, "permalink": prov.permalink})
        batch.edge("HAS_TRANSACTION", tx.award.key, tx.key)

    def subaward(self, batch: Batch, sub: Subaward) -> None:
        self.award(batch, sub.prime, summary=False)
        if sub.prime_amount is not None:
            batch.node("Award", sub.prime.key, {"prime_amount_subaward_file": sub.prime_amount})
        resolved = self.vendor(batch, sub.sub, sub.prov)
        if resolved:
            vendor_id, match = resolved
            batch.edge("SUBAWARD", sub.prime.key, vendor_id, {
                "number": sub.number, "amount": sub.amount, "action_date": sub.action_date,
                "fiscal_year": clean.fiscal_year(sub.action_date), "description": sub.description, **match,
                "source": sub.prov.source, "record": sub.prov.record, "retrieved": sub.prov.retrieved,
                "permalink": sub.prov.permalink}, key=sub.key)

    def add(self, batch: Batch, record) -> None:
        if isinstance(record, Transaction):
            self.transaction(batch, record)
        elif isinstance(record, Subaward):
            self.subaward(batch, record)
        elif isinstance(record, Award):
            self.award(batch, record, summary=True)
        else:
            raise TypeError(f"not a record: {record!r}")


class RejectsFile:
    """Rejected rows with their source, line and reason, written only if there are any."""

    def __init__(self, path: Path):
        self.path, self.handle, self.writer = path, None, None

    def write(self, reject: Reject) -> None:
        if self.writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = self.path.open("w", newline="", encoding="utf-8")
            self.writer = csv.writer(self.handle)
            self.writer.writerow(["source", "record", "reason", "raw"])
        raw = reject.raw
        if isinstance(raw, list):
            raw = "|".join(raw)
        self.writer.writerow([reject.source, reject.record, reject.reason, raw if raw is not None else ""])

    def close(self) -> str | None:
        if self.handle:
            self.handle.close()
            return str(self.path)
        return None


class Loader:
    """Feeds records to a store in batches; `flush(durable=True)` makes what was fed so far durable."""

    def __init__(self, store, *, command: str, inputs: list[str], rejects_dir: Path,
                 total: int | None = None, progress: bool = True):
        self.store, self.command, self.inputs = store, command, inputs
        self.started = time.perf_counter()
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S.%f")
        self.rejects = RejectsFile(rejects_dir / f"{stamp}-{command}.csv")
        self.mapper = Mapper(Resolver(store.vendor_index()))
        self.batch = Batch()
        self.mapper.seed(self.batch)
        self.pending_awards: set[str] = set()
        self.read = self.loaded = self.rejected = 0
        self.bar = tqdm(total=total, unit=" rows", file=sys.stderr, disable=not progress, mininterval=0.5,
                        desc=command, dynamic_ncols=True)

    def feed(self, record) -> None:
        self.read += 1
        if isinstance(record, Reject):
            self.rejected += 1
            self.rejects.write(record)
        else:
            self.mapper.add(self.batch, record)
            self.loaded += 1
        if self.read % getattr(self.store, "batch_rows", BATCH_SIZE) == 0:
            self.flush()

    def flush(self, durable: bool = False) -> None:
        self.pending_awards |= self.batch.awards_touched
        self.store.upsert(self.batch)
        self.batch = Batch()
        self.bar.update(self.read - self.bar.n)
        if durable:
            self.store.derive_awards(sorted(self.pending_awards))
            self.pending_awards.clear()
            self.store.commit(None)

    def finish(self) -> dict:
        self.flush()
        self.bar.close()
        rejects_file = self.rejects.close()
        self.store.derive_awards(sorted(self.pending_awards))
        seconds = time.perf_counter() - self.started
        seen = self.mapper.seen
        summary = {
            "command": self.command, "inputs": self.inputs, "store": self.store.kind, "loaded_at": now_iso(),
            "rows_read": self.read, "rows_loaded": self.loaded, "rows_rejected": self.rejected,
            "rejects_file": rejects_file, "duplicate_rows": self.mapper.duplicate_rows,
            "awards": len(seen["awards"]), "vendors": len(seen["vendors"]), "agencies": len(seen["agencies"]),
            "seconds": round(seconds, 3), "rows_per_second": round(self.read / seconds) if seconds else None,
        }
        if self.read != self.loaded + self.rejected:
            raise AssertionError(f"row accounting broke: {summary}")
        self.store.commit(summary)
        return summary

    def run(self, records: Iterable) -> dict:
        """Feed every record, then finish; on any failure drop what was not committed."""
        try:
            for record in records:
                self.feed(record)
        except BaseException:
            self.abort()
            raise
        return self.finish()

    def abort(self) -> None:
        """A failed load: forget what it put in memory, so no later commit writes half of it."""
        self.bar.close()
        self.rejects.close()
        self.store.rollback()


def load(store, records: Iterable, **options) -> dict:
    """Load records into the store; commit only if the whole input was read."""
    return Loader(store, **options).run(records)
