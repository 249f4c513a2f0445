"""The keys of the answers `Queries` and `LocalQueries` give, named once (issue 29).

Answers stay plain dicts on the wire: `--json` prints them, exports write them and Streamlit caches them, so a
class would change what every reader gets. TypedDicts name their keys for readers and for mypy (which checks the
answer layer: a key misspelt where an answer is built, or read that no answer has, is an error) without changing
what is returned. Keys an answer has only sometimes are NotRequired; rows shaped by modules not yet typed
(sectors, through_others, agency_families, ties, core.coverage) are `dict[str, Any]` here (`Row`), named by where
they are built.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

Row = dict[str, Any]  # a row shaped elsewhere (its builder's docstring names its keys)


# -- shared pieces ---------------------------------------------------------------------------------------------
class AgencyBrief(TypedDict):
    """An agency as other answers name it (`Reads.fetch_agency_briefs`)."""

    id: str
    name: str | None
    code: str | None
    tier: str | None


class AgencyRef(AgencyBrief):
    """The agency an answer is about, with its abbreviation (`Queries` answers of one agency)."""

    abbreviation: str | None


class AboutAgency(TypedDict):
    agency: AgencyRef


class NamedRef(TypedDict):
    id: str
    name: str | None


class Sector(TypedDict):
    """Which sector an answer covers (`graph.questions.sectors.scope`), and what it does not split by category."""

    sector: str
    categories: list[str]
    leaves_out: list[str]
    line: str
    not_filtered: NotRequired[list[str]]


class YearMoney(TypedDict):
    fiscal_year: int
    obligated: float
    awards: int


class NotSplit(TypedDict):
    """Award totals not split by year (and actions without a date): money no fiscal year holds."""

    obligated: float
    awards: int
    label: str


class MoneyTotals(TypedDict):
    """`answers.money_totals`: a sum of facts, by fiscal year and the rest."""

    total_obligated: float
    award_count: int
    facts: int
    facts_not_reported: int
    yearly: list[YearMoney]
    not_split_by_year: NotSplit


class Values(TypedDict):
    """`answers.values`: current and potential value (None: no award reports it) and how many awards report each."""

    total_current_value: float | None
    current_value_awards: int
    total_potential_value: float | None
    potential_value_awards: int


class AwardVendor(TypedDict):
    id: str
    name: str | None
    match: str | None
    confidence: str


class AwardRecipient(TypedDict):
    id: str
    name: str | None
    first_action: str | None
    last_action: str | None


class AwardRow(TypedDict):
    """`answers.award_row`: an award as readers see it (its stored fields are `core.facts.AWARD_READ_NAMES`)."""

    key: str
    piid: str | None
    parent_piid: str | None
    parent_agency: str | None
    award_type: str | None
    description: str | None
    naics: str | None
    naics_description: str | None
    psc: str | None
    psc_description: str | None
    base_date: str | None
    start_date: str | None
    end_date: str | None
    potential_end_date: str | None
    first_action: str | None
    last_action: str | None
    obligated_basis: str | None
    tx_count: int | None
    source: str | None
    record: str | None
    retrieved: str | None
    permalink: str | None
    fy_first: int | None
    fy_last: int | None
    obligated: float | None
    current_value: float | None
    potential_value: float | None
    obligated_in_actions: NotRequired[float]  # only an award with a summary beside its actions
    not_in_loaded_actions: NotRequired[float]
    vendor: AwardVendor | None
    awarding_agency: AgencyBrief | None
    funding_agency: AgencyBrief | None
    recipients: list[AwardRecipient]
    recipient_change: str | None
    family_obligated: NotRequired[float | None]  # in a family's profile: the family's share of the award


class Subaward(TypedDict):
    """`answers.subawards`: a subaward as readers see it."""

    prime_award: str
    prime_recipient: str | None
    sub_recipient: str | None
    amount: float | None
    number: str | None
    action_date: str | None
    description: str | None
    source: str | None
    record: str | None
    permalink: str | None


# -- entities ----------------------------------------------------------------------------------------------------
class Stats(TypedDict):
    """`Queries.stats`: counts by label and relationship type, and the local layer's when it holds any."""

    nodes: dict[str, int]
    relationships: dict[str, int]
    local: NotRequired[dict[str, int]]


class SearchRow(TypedDict):
    """`Queries.search`: a vendor or an agency whose name, code or abbreviation holds the text."""

    kind: str
    id: str
    name: str | None
    tier: str | None
    code: str | None
    abbreviation: str | None


class End(TypedDict):
    """`Queries.end`: what a name means for paths and ties, an agency (with its tier) or a vendor family."""

    kind: str
    id: str
    name: str | None
    tier: NotRequired[str]


class EndRef(TypedDict):
    kind: str
    id: str
    name: str | None


# -- vendor families ---------------------------------------------------------------------------------------------
class Registration(TypedDict):
    """A vendor as it is registered: what a family's head and each of its members say of themselves."""

    id: str
    name: str | None
    uei: str | None
    duns: str | None
    aliases: list[str]
    parent: str | None
    parents_reported: list[Row]


class FamilyMember(Registration):
    """A registration of a family (its head, or one of `subsidiaries`) with its own money."""

    parents: list[str]
    total_obligated: float
    award_count: int


class FamilyAgency(TypedDict):
    id: str
    name: str | None
    code: str | None
    tier: str | None
    total_obligated: float
    award_count: int


class DirectSales(TypedDict):
    obligated: float
    awards: int
    basis: str


class Attributed(TypedDict):
    """Money attributed from award descriptions and what it sums (`through_others._sum`)."""

    obligated: float | None
    actions: int
    actions_not_reported: int
    awards: int


class SoldThrough(Attributed):
    """`Queries.sold_through` (built by `through_others.sold_through`): a maker's sales through other vendors."""

    label: str
    basis: str
    resellers: list[Row]  # by reseller, each with its actions (`records`)
    agencies: list[Row]  # by awarding sub-agency


class VendorFamily(Values, Registration):
    """`Queries.vendor_family` (built by `answers.family`; `direct` and what follows are added by the query)."""

    matched: list[str]
    subsidiaries: list[FamilyMember]
    total_obligated: float
    obligated_basis: str
    yearly: list[YearMoney]
    not_split_by_year: NotSplit
    award_count: int
    awards: list[AwardRow]
    agencies: list[FamilyAgency]
    subawards_received: list[Subaward]
    direct: NotRequired[DirectSales]
    through_others: NotRequired[SoldThrough]
    sector: NotRequired[Sector]
    categories: NotRequired[list[Row]]  # graph.questions.sectors.reasons


# -- agencies ----------------------------------------------------------------------------------------------------
class AgencyVendor(TypedDict):
    id: str
    name: str | None
    family: str | None
    total_obligated: float
    award_count: int


class AgencyProfile(Values):
    """`Queries.agency_profile` (built by `answers.agency`; `makers` and what follows are added by the query)."""

    id: str
    name: str | None
    code: str | None
    tier: str
    abbreviation: str | None
    aliases: list[str]
    parent: AgencyBrief | None
    children: list[AgencyBrief]
    total_obligated: float
    obligated_basis: str
    award_count: int
    yearly: list[YearMoney]
    not_split_by_year: NotSplit
    funded_obligated: float
    funded_award_count: int
    vendors: list[AgencyVendor]
    awards: list[AwardRow]
    makers: NotRequired[list[Row]]  # graph.questions.through_others.agency_makers
    makers_basis: NotRequired[str]
    sector: NotRequired[Sector]
    categories: NotRequired[list[Row]]  # graph.questions.sectors.by_category_year


class AgencyCategories(AboutAgency):
    """`Queries.agency_categories` (built by `_agency_categories`): the agency's money by category and year."""

    family: str | None
    categories: list[Row]  # graph.questions.sectors.by_category_year
    total_obligated: float | None
    technology: Row  # graph.questions.sectors.technology_share


class AgencyFamilies(AboutAgency):
    """`Queries.agency_families`: the agency's vendors rolled up into their families now."""

    families: list[Row]  # graph.questions.agency_families.family_rows
    basis: str
    sector: Sector


class TopVendors(AboutAgency):
    """`Queries.top_vendors`: the agency's top families of one fiscal year, with the change from the year before."""

    fiscal_year: int
    families_in_year: int
    total: float | None
    rows: list[Row]  # graph.questions.agency_families.top_rows
    basis: str


class AgencyEndDates(TypedDict):
    """`Queries.agency_end_dates`: how many of the agency's awards report no end date, and the dated ones asked for."""

    award_count: int
    undated: int
    dated: list[AwardRow]


class LoadedAgency(TypedDict):
    id: str
    name: str | None
    code: str | None
    tier: str | None
    obligated: float
    awards: int


class LoadedCoverage(TypedDict):
    """`Queries.loaded_coverage`: the sub-agencies this store's money covers and the span of its actions."""

    agencies: list[LoadedAgency]
    fy_min: int | None
    fy_max: int | None
    award_count: int
    dated_awards: int


class Coverage(TypedDict):
    """`Queries.coverage`: the agency x fiscal-year grid (`core.coverage.summary`, `scope` adds `within`)."""

    span: list[int] | None
    cells: list[Row]
    years: list[Row]
    line: str
    notes: list[str]
    declarations: list[Row]
    within: NotRequired[list[str]]


# -- paths and ties ----------------------------------------------------------------------------------------------
# One hop of a chain: its ends and link, then what stands behind it, by kind of link: money (obligated, awards,
# records), a parent or subaward link's first record (basis, relation, amount, ...), a child end, sales through
# others. "from" is a keyword, so the class is written as a call.
Hop = TypedDict(
    "Hop",
    {
        "from": EndRef,
        "rel": str,
        "to": EndRef,
        "obligated": NotRequired[float | None],
        "awards": NotRequired[int],
        "records": NotRequired[list[Row]],
        "source": NotRequired[str | None],
        "record": NotRequired[str | None],
        "permalink": NotRequired[str | None],
        "through_others": NotRequired[Row],
        "child": NotRequired[str],
        "basis": NotRequired[str],
        "relation": NotRequired[str],
        "first_reported": NotRequired[str],
        "last_reported": NotRequired[str],
        "amount": NotRequired[float],
        "award_key": NotRequired[str],
    },
)
Chain = list[Hop]  # `Queries.paths` gives a list of these, shortest first


class HopRecords(TypedDict):
    """`answers.hop_records`: a vendor–agency hop's money and its largest awards (a hop's keys: `Hop`)."""

    obligated: float | None  # always a sum here; None in a hop through others where no action reports one
    awards: int
    source: str | None
    record: str | None
    permalink: str | None
    records: list[Row]


class DirectTies(TypedDict):
    """`Queries.direct_ties`: the ties between two ends (`graph.questions.ties`: money_tie, subaward_tie)."""

    ends: list[EndRef]
    same_family: bool
    ties: list[Row]
    sector: Sector
    both: NotRequired[Row]  # the actions the agency both awarded and funded (`ties.overlap`)


# -- the network -------------------------------------------------------------------------------------------------
class SubgraphNode(TypedDict):
    id: str
    kind: str
    name: str | None
    tier: str | None
    obligated: float


class SubgraphEdge(TypedDict):
    source: str
    target: str
    type: str  # AWARDS (with its money), PARENT, PART_OF
    obligated: NotRequired[float]
    awards: NotRequired[int]


class LeftOut(TypedDict):
    not_split_by_year: float
    awards: int
    why: str


class Subgraph(TypedDict):
    """`Queries.subgraph` (built by `answers.subgraph`; `sector` and `through_others` added by the query)."""

    nodes: list[SubgraphNode]
    edges: list[SubgraphEdge]
    left_out: NotRequired[LeftOut]  # with a fiscal-year filter: the award totals it cannot place
    sector: NotRequired[Sector]
    through_others: NotRequired[Row]  # graph.questions.through_others.layer


# -- review and changes ------------------------------------------------------------------------------------------
class ReviewCount(TypedDict):
    listed: int
    judged: int


class Review(TypedDict):
    """`Queries.review`: the queues asked for (`kind`), each with its counts."""

    counts: dict[str, ReviewCount]
    attributions: NotRequired[list[Row]]  # graph.questions.through_others.review_attributions
    merges: NotRequired[list[Row]]  # graph.questions.through_others.review_merges
    local_matches: NotRequired[list[Row]]
    local_vendors: NotRequired[list[Row]]  # local vendor names joining no known vendor (queries._unjoined_vendors)
    how_to_judge: str


class Change(TypedDict):
    seq: int
    run_id: str | None
    loaded_at: str | None
    change: str
    award_key: str | None
    action_key: str | None
    field: str | None
    before: Any
    after: Any
    source: str | None
    record: str | None
    permalink: str | None
    vendor: NamedRef | None
    agency: AgencyBrief | None


class Changes(TypedDict):
    """`Queries.changes` (built by `answers.changes`)."""

    since: str | None
    scope: str
    family: str | None
    agency: AgencyBrief | None
    count: int
    counts: dict[str, int]
    means: dict[str, str]
    changes: list[Change]


# -- the local layer ---------------------------------------------------------------------------------------------
class LocalBrief(TypedDict):
    """A local agency (or federal body) as local answers name it (`graph.questions.local.BRIEF`)."""

    id: str
    name: str
    tier: str | None
    jurisdiction: str | None
    state: str | None
    federal_body: str | None


class FederalBody(TypedDict):
    """A federal body above a local-layer agency (`LocalQueries._federal_chain`)."""

    id: str
    name: str
    tier: str | None
    federal_id: str | None
    source: str | None
    abbreviation: NotRequired[str]  # in `federal_sharing`


class Cited(TypedDict):
    source: str | None
    record: str | None
    url: str | None


class SharedThrough(Cited):
    """A sharing link's system, date and citation."""

    system: str | None
    as_of: str | None


class SharingLink(LocalBrief, SharedThrough):
    """The agency at the other end of a sharing link, with the link's system, date and citation."""


class FederalAbove(TypedDict):
    """The federal bodies above a local-layer agency, and how its name relates to the first of them ("is", ...)."""

    federal_relation: str | None
    federal_chain: list[FederalBody]


class HopLevel(TypedDict):
    hop: int
    count: int
    agencies: list[LocalBrief]


class FederalSearcher(LocalBrief):
    hop: int
    federal_chain: list[FederalBody]


class SharingAgency(LocalBrief):
    aliases: list[str] | None
    source: str | None
    record: str | None


class SearchableBy(TypedDict):
    direct: list[SharingLink]
    direct_count: int
    by_hop: list[HopLevel]
    reach: int
    federal: list[FederalSearcher]
    states: int
    basis: str


class CanSearch(TypedDict):
    count: int
    agencies: list[SharingLink]


class Sharing(TypedDict):
    """`LocalQueries.sharing`: who can search the agency's data (by hop), and whose it can search."""

    agency: SharingAgency
    searchable_by: SearchableBy
    can_search: CanSearch


class LocalAgencyRow(LocalBrief):
    vendors: list[str]
    technologies: list[str]
    deployments: int
    contracts: int
    cameras: int | None  # None: no deployment reports a count
    searchable_by: int | None  # None: no access list of its own is loaded
    can_search: int
    policy: bool


class StateRow(TypedDict):
    state: str
    agencies: int
    using: int
    deployments: int
    cameras: int
    technologies: list[str]


class LocalOverview(TypedDict):
    """`LocalQueries.local_overview`: every local agency, and the same by state."""

    agencies: list[LocalAgencyRow]
    states: list[StateRow]
    counts: dict[str, int]
    basis: str


class LocalPolicy(TypedDict):
    updated: str | None
    url: str | None
    sections: dict[str, Any]
    versions: Any
    retention_days: int | None
    hotlists: Any
    source: str | None
    record: str | None


class LocalProfileAgency(LocalBrief, FederalAbove):
    aliases: list[str] | None
    county: str | None
    city: str | None
    notes: str | None
    source: str | None
    record: str | None


class LocalProfile(TypedDict):
    """`LocalQueries.local_profile`: the agency, its deployments and contracts (rows as stored, with the vendor's
    display name), its policy and its sharing links both ways."""

    agency: LocalProfileAgency
    deployments: list[Row]
    contracts: list[Row]
    policy: LocalPolicy | None
    shares_with: list[SharingLink]
    shared_by: list[SharingLink]


class FederalLink(SharedThrough, FederalAbove):
    """A local agency whose data a federal agency can search: one listing on its portal's access list."""

    agency: LocalBrief
    federal: LocalBrief


class FederalSearcherRow(LocalBrief, FederalAbove):
    """A federal agency that can search local agencies' data: how many, in how many states."""

    agencies: int
    states: int


class FederalSharing(TypedDict):
    """`LocalQueries.federal_sharing`: every local agency whose data a federal agency can search."""

    agencies: int
    states: int
    no_state: int
    federal_agencies: list[FederalSearcherRow]
    systems: list[str]
    technologies: list[str]
    links: list[FederalLink]
    basis: str


class PolicyAgency(LocalBrief):
    """An agency whose policy's prohibited uses name the text, with who can search its data."""

    policy_updated: str | None
    policy_url: str | None
    source: str | None
    record: str | None
    excerpt: str
    searchable_by: int
    other_state_agencies: int
    other_states: int
    federal_searchers: list[str]


class Policies(TypedDict):
    """`LocalQueries.policies`: the agencies whose policy prohibits a use, and how far their data reaches."""

    prohibits: str
    count: int
    agencies: list[PolicyAgency]
    agencies_searchable_from_other_states: int
    other_states_total: int
    basis: str


class BridgeLocal(TypedDict):
    """A family's local records: counts and amounts as the local documents give them (never federal money)."""

    agencies: int
    states: int
    deployments: int
    contracts: int
    technologies: list[str]
    count_reported: int
    deployments_reporting_count: int
    contract_amount: float | None
    contracts_reporting_amount: int
    federal_agencies_searching_its_customers_data: list[str]
    records: list[Cited]


class BridgeFederal(TypedDict):
    obligated: float
    awards: int
    actions: int
    agencies: list[str]
    largest_awards: list[str]  # award keys


class BridgeFamily(TypedDict):
    family: str
    name: str
    in_federal_data: bool
    local: BridgeLocal
    federal: BridgeFederal


class Bridge(TypedDict):
    """`LocalQueries.bridge`: vendor families local agencies use, with what each sells to federal agencies."""

    families: list[BridgeFamily]
    both: int
    basis: str
