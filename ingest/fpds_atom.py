"""FPDS ATOM feed pages (https://www.fpds.gov/ezsearch/FEEDS/ATOM?FEEDNAME=PUBLIC&VERSION=1.5.2&q=...).

One `<entry>` is one contract action (a base award or a modification), so every entry becomes one
`Transaction` carrying its award's descriptive fields, the way the USAspending bulk transaction rows
do (`ingest.usaspending_csv`): the award's current/potential values are the totals *as of this
action* (`values_as_of` = the action's signed date) and the award's obligated total is left to the
store, which adds up the actions it has loaded.

The feed is read as a stream (`iterparse`, each entry cleared after use) and by namespace URI,
never by prefix: the raw wire format (default Atom namespace, `ns1:` FPDS elements, CDATA) and a
re-serialized copy (`ns0:`/`ns1:` prefixes) read the same. An entry holds `<award>` or `<IDV>`.

Keys, built the way USAspending builds them (every part upper case, "-NONE-" for a missing part):

- award: `clean.award_key(PIID, agencyID, referenced IDV PIID, referenced IDV agencyID, is_idv)`,
  i.e. `CONT_AWD_<piid>_<agency>_<idv piid>_<idv agency>` or `CONT_IDV_<piid>_<agency>`. The agency is
  the awardContractID/IDVID `agencyID`, which is what USAspending uses. It is usually the contracting
  sub-tier (4740), but DoD reports its department there (9700, once 9701), so DoD keys read
  `CONT_AWD_0001_9700_W91RUS15D0015_9700`; the awarding sub-tier (2100) is on the AWARDED_BY agency.
- transaction: USAspending's contract transaction key (`contract_transaction_unique_key`),
  `<agency>_<idv agency>_<piid>_<mod>_<idv piid>_<transaction number>`, e.g.
  `9700_9700_0001_11_W91RUS15D0015_0`. IDV entries have no transaction number, so theirs ends
  `_-NONE-`. Unique per action, and it matches the key the CSV adapters load for the same action.

Toptier: FPDS gives the department as `departmentID`, a 4-character FPDS code ("9700", "4700"),
not the CGAC toptier code USAspending uses ("097", "047"). When the department code is two digits
followed by "00", FPDS's department code is the CGAC code with "00" appended ("9700" DoD = 097,
"4700" GSA = 047, "7000" DHS = 070), so the toptier is "0" + the first two digits. Codes of any
other shape, and departments that USAspending files under a 4-digit FREC code rather than the CGAC
(`_FREC_DEPARTMENTS`: EOP 1100, Labor 1600), are left None; the loader then takes the toptier from
the curated agency table by sub-tier code, or leaves the agency without one.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from core.records import AgencyRef, Award, Party, Provenance, Reject, Transaction, Vehicle

from . import clean
from .csvfile import SourceError, file_time

log = logging.getLogger(__name__)

ATOM = "http://www.w3.org/2005/Atom"
FPDS = "https://www.fpds.gov/FPDS"
_FEED, _ENTRY, _TITLE, _CONTENT = (f"{{{ATOM}}}{name}" for name in ("feed", "entry", "title", "content"))
DOCUMENTS = ("award", "IDV")  # others (OtherTransactionAward/IDV: other ID elements) are rejected, with the reason
_FREC_DEPARTMENTS = frozenset({"1100", "1600"})  # USAspending toptiers 1100 (EOP) and 1601 (Labor)
_WHAT_TO_DO = (
    "save a page of https://www.fpds.gov/ezsearch/FEEDS/ATOM?FEEDNAME=PUBLIC&VERSION=1.5.2&q=... "
    "as it came (one <feed> of <entry> elements) and load that"
)


class _BadEntry(ValueError):
    pass


class _Paths:
    """Clark-notation paths for one FPDS namespace (built once per namespace seen)."""

    def __init__(self, ns: str):
        q = (lambda path: "/".join(f"{{{ns}}}{step}" for step in path.split("/"))) if ns else (lambda path: path)
        self.q = q
        self.id_blocks = (q("awardID"), q("contractID"))
        self.own_ids = (q("awardContractID"), q("IDVID"))
        self.referenced, self.agency, self.piid = q("referencedIDVID"), q("agencyID"), q("PIID")
        self.mod, self.number = q("modNumber"), q("transactionNumber")
        self.signed, self.effective = q("relevantContractDates/signedDate"), q("relevantContractDates/effectiveDate")
        self.current_end = q("relevantContractDates/currentCompletionDate")
        self.ultimate_end = q("relevantContractDates/ultimateCompletionDate")
        self.last_to_order = q("relevantContractDates/lastDateToOrder")
        self.obligated = q("dollarValues/obligatedAmount")
        self.total_obligated = q("totalDollarValues/totalObligatedAmount")
        self.current_value = q("totalDollarValues/totalBaseAndExercisedOptionsValue")
        self.potential_value = q("totalDollarValues/totalBaseAndAllOptionsValue")
        self.awarding_agency = q("purchaserInformation/contractingOfficeAgencyID")
        self.awarding_office = q("purchaserInformation/contractingOfficeID")
        self.funding_agency = q("purchaserInformation/fundingRequestingAgencyID")
        self.funding_office = q("purchaserInformation/fundingRequestingOfficeID")
        self.action_type = q("contractData/contractActionType")
        self.description = q("contractData/descriptionOfContractRequirement")
        self.naics = q("productOrServiceInformation/principalNAICSCode")
        self.psc = q("productOrServiceInformation/productOrServiceCode")
        self.vendor_name = q("vendor/vendorHeader/vendorName")
        ids = "vendor/vendorSiteDetails/entityIdentifiers/"
        self.uei, self.uei_name = (
            q(ids + "vendorUEIInformation/UEI"),
            q(ids + "vendorUEIInformation/UEILegalBusinessName"),
        )
        self.parent_uei = q(ids + "vendorUEIInformation/ultimateParentUEI")
        self.parent_uei_name = q(ids + "vendorUEIInformation/ultimateParentUEIName")
        self.duns, self.duns_name = (
            q(ids + "vendorDUNSInformation/DUNSNumber"),
            q(ids + "vendorDUNSInformation/vendorName"),
        )
        self.parent_duns = q(ids + "vendorDUNSInformation/globalParentDUNSNumber")
        self.parent_duns_name = q(ids + "vendorDUNSInformation/globalParentDUNSName")
        self.cage = q(ids + "cageCode")


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def department_toptier(department_id: str | None) -> str | None:
    """CGAC toptier code from an FPDS departmentID, only where the two agree (see the module doc)."""
    value = clean.text(department_id)
    if not value or len(value) != 4 or not value.isdigit() or not value.endswith("00"):
        return None
    if value in _FREC_DEPARTMENTS:
        return None
    return "0" + value[:2]


def _agency_ref(agency: ET.Element | None, office: ET.Element | None) -> AgencyRef:
    text = clean.text
    ref = AgencyRef()
    if agency is not None:
        ref.subtier_code, ref.subtier_name = clean.subtier_code(agency.text), text(agency.get("name"))
        ref.toptier_code = department_toptier(agency.get("departmentID"))
        if ref.toptier_code:
            ref.toptier_name = text(agency.get("departmentName"))
    if office is not None:
        ref.office_code, ref.office_name = clean.code(office.text), text(office.get("name"))
    return ref


def _coded(element: ET.Element | None) -> tuple[str | None, str | None]:
    if element is None:
        return None, None
    return clean.code(element.text), clean.text(element.get("description"))


def _map(
    document: ET.Element, p: _Paths, number: int, source: str, retrieved: str, summary: bool = False
) -> Transaction | Vehicle:
    text, find, findtext = clean.text, document.find, document.findtext
    is_idv = _local(document.tag) == "IDV"
    block = next((found for found in map(find, p.id_blocks) if found is not None), None)
    own = None if block is None else next((found for found in map(block.find, p.own_ids) if found is not None), None)
    if own is None:
        raise _BadEntry(f"{_local(document.tag)} has no awardID/awardContractID or contractID/IDVID")
    piid = text(own.findtext(p.piid))
    if not piid:
        raise _BadEntry("no PIID")
    piid = piid.upper()
    agency = clean.subtier_code(own.findtext(p.agency))
    modification = text(own.findtext(p.mod))
    tx_number = text(own.findtext(p.number))
    referenced = block.find(p.referenced)
    parent_piid = parent_agency = None
    if referenced is not None:
        parent_piid = text(referenced.findtext(p.piid))
        parent_piid = parent_piid.upper() if parent_piid else None
        parent_agency = clean.subtier_code(referenced.findtext(p.agency))
    key = clean.award_key(piid, agency, parent_piid, parent_agency, is_idv=is_idv)
    none = "-NONE-"
    tx_key = "_".join(
        part or none
        for part in (
            agency,
            parent_agency,
            piid,
            modification and modification.upper(),
            parent_piid,
            tx_number and tx_number.upper(),
        )
    )

    action_date = clean.date(findtext(p.signed))
    obligation = clean.amount(findtext(p.obligated))
    description = text(findtext(p.description))
    award_type = document.find(p.action_type)
    naics, naics_description = _coded(find(p.naics))
    psc, psc_description = _coded(find(p.psc))
    vendor_name = text(findtext(p.vendor_name))
    uei_name, duns_name = text(findtext(p.uei_name)), text(findtext(p.duns_name))
    recipient = Party(
        name=vendor_name or uei_name or duns_name,
        uei=clean.uei(findtext(p.uei)),
        duns=clean.duns(findtext(p.duns)),
        cage=clean.code(findtext(p.cage)),
        parent_name=text(findtext(p.parent_uei_name)) or text(findtext(p.parent_duns_name)),
        parent_uei=clean.uei(findtext(p.parent_uei)),
        parent_duns=clean.duns(findtext(p.parent_duns)),
    )
    prov = Provenance(
        source, f"entry {number} (PIID {piid} mod {modification or none})", retrieved, clean.permalink(key)
    )
    base_action = (modification or "0") == "0"
    award = (Vehicle if summary else Award)(
        key=key,
        piid=piid,
        recipient=recipient,
        awarding=_agency_ref(find(p.awarding_agency), find(p.awarding_office)),
        funding=_agency_ref(find(p.funding_agency), find(p.funding_office)),
        prov=prov,
        parent_piid=parent_piid,
        parent_agency=parent_agency,
        award_type=None if award_type is None else (text(award_type.get("description")) or text(award_type.text)),
        # Only the base action's description is the award's; a modification describes itself (the
        # store shows the award's first action description when no base action was loaded).
        description=description if base_action else None,
        naics=naics,
        naics_description=naics_description,
        psc=psc,
        psc_description=psc_description,
        start_date=clean.date(findtext(p.effective)),
        end_date=clean.date(findtext(p.current_end)),
        # an IDV has no completion date: its end is the last date to order under it (USAspending's "ordering
        # period end date")
        potential_end_date=clean.date(findtext(p.ultimate_end))
        or (clean.date(findtext(p.last_to_order)) if is_idv else None),
        current_value=clean.amount(findtext(p.current_value)),
        potential_value=clean.amount(findtext(p.potential_value)),
        values_as_of=action_date,
    )
    if summary:  # the vehicle as of this action (`read_summaries`): its totals, the IDV's own obligations
        award.obligated = clean.amount(findtext(p.total_obligated))
        return award
    return Transaction(
        key=tx_key,
        award=award,
        modification=modification or "0",
        action_date=action_date,
        obligation=obligation,
        description=description,
    )


def _title(entry: ET.Element) -> str:
    title = " ".join((entry.findtext(_TITLE) or "").split())
    return title[:200] or "(entry without a title)"


def _check_feed(path: Path) -> None:
    """The file is XML and its root is an Atom <feed>: read up to the root's start tag only."""
    parser = ET.XMLPullParser(events=("start",))
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(4096)
            try:
                if chunk:
                    parser.feed(chunk)
                else:
                    parser.close()  # the whole file went by without a start tag: raises ParseError
                root = next((element for _, element in parser.read_events()), None)
            except ET.ParseError as error:
                raise SourceError(
                    f"{path}: not XML ({error}); this reader takes FPDS ATOM feeds: {_WHAT_TO_DO}"
                ) from None
            if root is not None:
                break
            if not chunk:  # pragma: no cover - close() raised above
                raise SourceError(f"{path}: no XML element in the file; {_WHAT_TO_DO}")
    if root.tag != _FEED:
        raise SourceError(
            f"{path}: XML but not an Atom feed (its root is <{_local(root.tag)}> in namespace "
            f"{_namespace(root.tag) or 'none'}, expected <feed> in {ATOM}); {_WHAT_TO_DO}"
        )


def read(path: Path, header_from: Path | None = None, encoding: str | None = None) -> Iterator[Transaction | Reject]:
    """Yield one Transaction (or Reject) per `<entry>` of one saved FPDS ATOM feed page.

    `header_from` and `encoding` are accepted and ignored (the XML declares its own encoding), so the CLI can hand
    every file source the same arguments.
    """
    return _read(path, summary=False)


def read_summaries(
    path: Path, header_from: Path | None = None, encoding: str | None = None
) -> Iterator[Vehicle | Reject]:
    """Yield one `Vehicle` (or Reject) per `<entry>`: the vehicle as of that action, its totals included.

    For contract vehicles (`ingest normalize --source fpds-atom-vehicles`, the bundled
    data/vehicles/fpds_contract_vehicles.csv.gz, in the default load). A vehicle's entries carry its ceiling
    (totalBaseAndAllOptionsValue) and last date to order, and obligate almost nothing: the money is in the orders
    placed under it. Read as actions, their $0 modifications would mark agency-years as loaded that no spending
    record covers; read as award summaries, each vehicle would count as an award and its ceiling would enter every
    potential-value total. As vehicles (record kind "vehicle") they sit in a table of their own, and the store
    keeps each vehicle's latest record (its ceiling and ordering end as of its last modification).
    """
    return _read(path, summary=True)


def _read(path: Path, summary: bool) -> Iterator[Transaction | Vehicle | Reject]:
    path = Path(path)
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    if not path.is_file():
        raise SourceError(f"{path}: not a file")
    source, retrieved = str(path), file_time(path)
    _check_feed(path)
    paths: dict[str, _Paths] = {}
    number = 0
    with path.open("rb") as handle:
        try:
            for _, element in ET.iterparse(handle, events=("end",)):
                if element.tag != _ENTRY:
                    continue
                number += 1
                record = f"entry {number}"
                content = element.find(_CONTENT)
                document = None
                if content is not None:
                    document = next((child for child in content if _local(child.tag) in DOCUMENTS), None)
                if document is None:
                    found = [] if content is None else [_local(child.tag) for child in content]
                    yield Reject(
                        source, record, f"entry holds no <award> or <IDV> (found {found or 'nothing'})", _title(element)
                    )
                else:
                    ns = _namespace(document.tag)
                    p = paths.get(ns) or paths.setdefault(ns, _Paths(ns))
                    try:
                        yield _map(document, p, number, source, retrieved, summary)
                    except (clean.BadValue, _BadEntry) as error:
                        yield Reject(source, record, str(error), _title(element))
                element.clear()  # streaming: an entry read is dropped (an empty <entry/> stays in the tree)
        except ET.ParseError as error:
            raise SourceError(
                f"{path}: the XML breaks off after {number} entries ({error}); the page was "
                f"saved incompletely: download it again"
            ) from None
    log.info("%s: %d FPDS ATOM entries", path, number)
