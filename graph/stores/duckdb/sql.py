"""The embedded store's SQL: the tables it keeps and how the figures are derived from them.

Only constant text is composed here (column lists from `core.facts`); values always travel as
parameters. `record` and `subaward` hold every row read; everything else is rebuilt from them (and from
the vendor resolution in `graph/resolution.py`) at the end of each load, in the load's transaction.
"""

from __future__ import annotations

import hashlib

from core.facts import AWARD_DERIVED_FIELDS, AWARD_FIELDS, RECORD_FIELDS, SUBAWARD_FIELDS, VEHICLE_FIELDS
from core.local_rows import LOCAL_FIELDS
from graph.stores.duckdb.local import VENDOR_PARTIES
from graph.stores.duckdb.merge import merge_new

FORMAT_VERSION = 8  # 4: subaward keys without the report id, the change log; 5: mentions, name merges; 6: local layer;
# 7: categories, contract vehicles, indexes on award keys; 8: rollups by recipient and year and by category rule, awards
# in key order, delta files' deletions (record kind `deletion`)
# Earlier formats whose `record` rows this one reads as they are: a load into such a store derives every table anew
# (as each load does) and writes it in this format; only reading one without a load asks for `graph clear`.
DERIVES_FROM = (6, 7)


def fields_hash(*declarations) -> str:
    """A short hash of declared fields' names and types: what the stored tables' columns follow."""
    spelled = ";".join(f"{field.name} {field.type}" for fields in declarations for field in fields)
    return hashlib.sha256(spelled.encode("utf-8")).hexdigest()[:8]


# The stamp a store is written with (meta `format`): the version, then the declared fields the tables are made from,
# so a field added to (or retyped in) core/facts.py marks a store as needing a load with no hand bump. That load
# upgrades it: the kept tables gain the columns declared since (`DuckStore.begin`) and every other is derived anew.
FORMAT = f"{FORMAT_VERSION}+{fields_hash(RECORD_FIELDS, SUBAWARD_FIELDS, AWARD_DERIVED_FIELDS, VEHICLE_FIELDS, LOCAL_FIELDS)}"
TIERS = ("toptier", "subtier", "office")
TOP_AWARDS = 1000  # largest awards kept per agency (agency pages list up to this many without a scan)


def _columns(fields) -> str:
    return ", ".join(f"{field.name} {field.type}" for field in fields)


CREATE = f"""
CREATE TABLE IF NOT EXISTS meta (name VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS record ({_columns(RECORD_FIELDS)}, run_id INTEGER);
CREATE TABLE IF NOT EXISTS subaward ({_columns(SUBAWARD_FIELDS)}, run_id INTEGER);
CREATE TABLE IF NOT EXISTS run (id INTEGER, summary VARCHAR);
CREATE TABLE IF NOT EXISTS record_new AS SELECT * FROM record LIMIT 0;
CREATE TABLE IF NOT EXISTS subaward_new AS SELECT * FROM subaward LIMIT 0;
"""

# New rows join the kept ones (graph/stores/duckdb/merge.py).
MERGE_NEW = merge_new("record", ("kind", "key", "source", "record")) + merge_new(
    "subaward", ("key", "source", "record")
)
CLEAR_NEW = "DELETE FROM record_new; DELETE FROM subaward_new;"


# One row per action (a repeated action counted once: the copy retrieved last, then the first source by
# name, so a file fetched again brings USAspending's revisions; when that copy is a delta file's deletion, none),
# the latest summary of each award, the latest prime amount a subaward file gave.
CHOSEN = """
CREATE OR REPLACE TEMP TABLE chosen AS
SELECT * FROM (SELECT * FROM record WHERE kind IN ('action', 'deletion')
               QUALIFY row_number() OVER (PARTITION BY key ORDER BY retrieved DESC NULLS LAST, kind = 'action',
                                                                 source, record) = 1) WHERE kind = 'action'
UNION ALL
SELECT * FROM (SELECT * FROM record WHERE kind = 'summary'
               QUALIFY row_number() OVER (PARTITION BY award_key ORDER BY action_date DESC NULLS LAST,
                                                                 retrieved DESC NULLS LAST, source, record) = 1)
UNION ALL
SELECT * FROM (SELECT * FROM record WHERE kind = 'subaward_prime'
               QUALIFY row_number() OVER (PARTITION BY award_key ORDER BY source DESC, record DESC) = 1);
"""

PARTIES = f"""
SELECT name, uei, duns, max(seen) AS seen FROM (
    SELECT recipient_name AS name, recipient_uei AS uei, recipient_duns AS duns, action_date AS seen FROM chosen
    UNION ALL SELECT parent_name, parent_uei, parent_duns, action_date FROM chosen
    UNION ALL SELECT sub_name, sub_uei, sub_duns, action_date FROM subaward
    UNION ALL SELECT sub_parent_name, sub_parent_uei, sub_parent_duns, action_date FROM subaward
    UNION ALL {VENDOR_PARTIES}  -- vendors as local records name them (graph/stores/duckdb/local.py)
) WHERE coalesce(name, uei, duns) IS NOT NULL GROUP BY ALL
"""


def _party_join(alias: str, prefix: str, table: str) -> str:
    return (
        f"LEFT JOIN party_vendor {alias} ON {alias}.name = coalesce({table}.{prefix}_name, '') "
        f"AND {alias}.uei = coalesce({table}.{prefix}_uei, '') AND {alias}.duns = coalesce({table}.{prefix}_duns, '')"
    )


# (child vendor, reported parent vendor, dates of the first and last record reporting it, the latest record)
REPORTED_PARENTS = """
SELECT child, parent, min(seen) AS first, max(seen) AS last,
       first(source ORDER BY seen DESC NULLS LAST, source DESC, record DESC) AS source,
       first(record ORDER BY seen DESC NULLS LAST, source DESC, record DESC) AS record,
       first(permalink ORDER BY seen DESC NULLS LAST, source DESC, record DESC) AS permalink
FROM (
    SELECT recipient AS child, parent_vendor AS parent, action_date AS seen, source, record, permalink FROM resolved
    UNION ALL
    SELECT vendor, parent_vendor, action_date, source, record, permalink FROM subaward_fact
) WHERE child IS NOT NULL AND parent IS NOT NULL AND child <> parent GROUP BY child, parent
"""


def _agency_ids(role: str) -> str:
    top = f"coalesce({role}_toptier, ca_{role}.parent_code)"
    return (
        f"CASE WHEN {top} IS NOT NULL THEN 'toptier:' || {top} END AS {role}_toptier_id, "
        f"CASE WHEN {role}_subtier IS NOT NULL THEN 'subtier:' || {role}_subtier END AS {role}_subtier_id, "
        f"CASE WHEN {role}_office IS NOT NULL THEN 'office:' || {role}_office END AS {role}_office_id, "
        f"coalesce({role}_office_id, {role}_subtier_id, {role}_toptier_id) AS {role}_id"
    )


# Each chosen record with its vendor (and how it matched) and its agencies' ids at every tier.
RESOLVED = f"""
CREATE OR REPLACE TEMP TABLE resolved AS
SELECT chosen.*, pv.vendor_id AS recipient, pv.match AS match, pp.vendor_id AS parent_vendor,
       {_agency_ids("awarding")}, {_agency_ids("funding")},
       -- the order "latest" means: action date, then a summary after the actions of its day, then modification
       row_number() OVER (ORDER BY action_date NULLS FIRST,
                                   CASE kind WHEN 'summary' THEN 2 WHEN 'action' THEN 1 ELSE 0 END,
                                   modification NULLS FIRST, key) AS ord
FROM chosen {_party_join("pv", "recipient", "chosen")} {_party_join("pp", "parent", "chosen")}
LEFT JOIN curated_agency ca_awarding ON ca_awarding.code = chosen.awarding_subtier
LEFT JOIN curated_agency ca_funding ON ca_funding.code = chosen.funding_subtier
"""


def _latest(column: str) -> str:
    return f"max_by({column}, ord) FILTER (WHERE {column} IS NOT NULL) AS {column}"


# The award as of its latest record: each attribute from the latest record that reports it.
AWARD = f"""
CREATE OR REPLACE TABLE award AS
SELECT award_key AS key, {", ".join(_latest(field.name) for field in AWARD_FIELDS)},
       {_latest("recipient")}, {_latest("awarding_id")}, {_latest("funding_id")}, {_latest("vehicle")},
       max_by(match, ord) FILTER (WHERE recipient IS NOT NULL) AS match,
       min_by(action_description, ord) FILTER (WHERE action_description IS NOT NULL) AS first_action_description,
       max(amount) FILTER (WHERE kind = 'summary') AS obligated_summary,
       count(*) FILTER (WHERE kind = 'summary') > 0 AS has_summary,
       -- in whole cents: a sum of doubles depends on the order DuckDB's threads add them in
       sum(CAST(round(amount * 100) AS BIGINT)) FILTER (WHERE kind = 'action') / 100 AS obligated_actions,
       count(amount) FILTER (WHERE kind = 'action') AS actions_reporting,
       count(*) FILTER (WHERE kind = 'action') AS tx_count,
       max(amount) FILTER (WHERE kind = 'subaward_prime') AS prime_amount_subaward_file,
       least(min(action_date) FILTER (WHERE kind = 'action'), min(base_date)) AS first_action,
       greatest(max(action_date) FILTER (WHERE kind = 'action'), max(base_date)) AS last_action,
       max(action_date) FILTER (WHERE kind = 'summary') AS summary_as_of,
       max_by(source, ord) AS source, max_by(record, ord) AS record, max_by(retrieved, ord) AS retrieved,
       max_by(permalink, ord) FILTER (WHERE permalink IS NOT NULL) AS permalink
FROM resolved GROUP BY award_key
ORDER BY award_key;  -- in key order: awards read by key (a profile's, a ranking's citations) sit in few blocks
UPDATE award SET description = first_action_description WHERE description IS NULL;
ALTER TABLE award ADD COLUMN obligated DOUBLE;
ALTER TABLE award ADD COLUMN obligated_basis VARCHAR;
ALTER TABLE award ADD COLUMN obligated_cents BIGINT;
ALTER TABLE award ADD COLUMN current_cents BIGINT;
ALTER TABLE award ADD COLUMN potential_cents BIGINT;
UPDATE award SET
    obligated = CASE WHEN obligated_summary IS NOT NULL THEN obligated_summary
                     WHEN actions_reporting > 0 THEN obligated_actions
                     ELSE prime_amount_subaward_file END,
    obligated_basis = CASE WHEN obligated_summary IS NOT NULL THEN 'award summary'
                           WHEN actions_reporting > 0 THEN 'sum of ' || actions_reporting || ' action(s) loaded'
                           WHEN prime_amount_subaward_file IS NOT NULL THEN 'prime award amount in a subaward file'
                           ELSE 'not reported' END;
ALTER TABLE award ADD COLUMN award_no BIGINT;
UPDATE award SET award_no = n.award_no FROM (SELECT key, row_number() OVER (ORDER BY key) AS award_no FROM award) n
WHERE award.key = n.key;
UPDATE award SET obligated_cents = CAST(round(obligated * 100) AS BIGINT),
                 current_cents = CAST(round(current_value * 100) AS BIGINT),
                 potential_cents = CAST(round(potential_value * 100) AS BIGINT);
-- awards are read by key a few at a time (profiles cite their largest): an index finds them without reading every
-- column of every award
CREATE INDEX award_key ON award (key);
"""


def _tier_ids(role: str, source: str) -> str:
    return ", ".join(f"{source}.{tier}_id AS {role}_{tier}" for tier in TIERS)


# Every money figure is a sum over these: one fact per action (in the fiscal year of its date), plus,
# for an award whose summary was loaded, one fact with what the summary has that its loaded actions do
# not ("award total, not split by year", dated at the summary's last modification); an award known only
# from a subaward file contributes the prime amount that file reported, likewise not split by year.
FACT = f"""
CREATE OR REPLACE TABLE fact AS
WITH base AS (
    SELECT r.key, r.award_key, 'action' AS kind, TRUE AS split, r.action_date, r.fiscal_year, r.amount,
           coalesce(r.recipient, a.recipient) AS recipient,
           CASE WHEN r.recipient IS NULL THEN a.match ELSE r.match END AS match,
           coalesce(r.awarding_id, a.awarding_id) AS awarding_id, coalesce(r.funding_id, a.funding_id) AS funding_id,
           r.modification, r.source, r.record, coalesce(r.permalink, a.permalink) AS permalink
    FROM resolved r JOIN award a ON a.key = r.award_key WHERE r.kind = 'action'
    UNION ALL
    SELECT 'rest|' || a.key, a.key, CASE WHEN a.has_summary THEN 'summary' ELSE 'subaward_prime' END, FALSE,
           a.summary_as_of, year(a.summary_as_of + INTERVAL 3 MONTH),
           (a.obligated_cents - coalesce(round(a.obligated_actions * 100), 0)) / 100,
           a.recipient, a.match, a.awarding_id, a.funding_id, NULL, a.source, a.record, a.permalink
    FROM award a
    WHERE (a.has_summary AND (a.actions_reporting = 0
                              OR round(coalesce(a.obligated_summary, 0) - coalesce(a.obligated_actions, 0), 2) <> 0))
       OR (NOT a.has_summary AND a.actions_reporting = 0 AND a.prime_amount_subaward_file IS NOT NULL)
)
SELECT base.*, CAST(round(base.amount * 100) AS BIGINT) AS cents, coalesce(vf.family, base.recipient) AS family,
       aw.award_type, aw.award_no,
       {_tier_ids("awarding", "ga")}, {_tier_ids("funding", "gf")}
FROM base
JOIN award aw ON aw.key = base.award_key
LEFT JOIN vendor_family vf ON vf.vendor_id = base.recipient
     AND (vf.valid_from IS NULL OR coalesce(base.action_date, DATE '9999-12-31') >= vf.valid_from)
     AND (vf.valid_to IS NULL OR coalesce(base.action_date, DATE '9999-12-31') < vf.valid_to)
LEFT JOIN agency_tiers ga ON ga.id = base.awarding_id
LEFT JOIN agency_tiers gf ON gf.id = base.funding_id
ORDER BY family, recipient, award_key;  -- a family's or vendor's facts sit together: its questions read few blocks
"""

# The agency profile's money by category and year (graph/questions/queries.py `_agency_categories`) and the targets'
# money by recipient, category and rule, read instead of every fact of the agency: for each awarding agency at every
# tier, derived once the facts have their category.
AGENCY_CATEGORY = """
CREATE OR REPLACE TABLE agency_category AS
SELECT agency, category, split, fiscal_year, sum(cents) AS cents, count(DISTINCT award_no) AS awards,
       count(*) AS facts, count(amount) AS reported
FROM (SELECT unnest([awarding_toptier, awarding_subtier, awarding_office]) AS agency, category, split, fiscal_year,
             cents, amount, award_no FROM fact)
WHERE agency IS NOT NULL GROUP BY ALL ORDER BY ALL;
CREATE OR REPLACE TABLE agency_recipient_rule AS  -- the targets' categories with the rules that placed them
SELECT agency, recipient, category, category_rule, sum(cents) AS cents, count(amount) AS reported, count(*) AS facts,
       count(DISTINCT award_no) AS awards
FROM (SELECT unnest([awarding_toptier, awarding_subtier, awarding_office]) AS agency, recipient, category,
             category_rule, cents, amount, award_no FROM fact)
WHERE agency IS NOT NULL GROUP BY ALL;
"""

# Rollups, derived data the agency questions read instead of scanning every fact of a department: for each
# agency at every tier, as awarding and as funding agency, its facts by fiscal year (and the grand total, with
# its own distinct award count), by recipient, by recipient and awarding sub-agency, and its largest awards.
ROLLUPS = (
    """
CREATE OR REPLACE TEMP TABLE fact_by_agency AS
"""
    + " UNION ALL ".join(
        f"SELECT '{role}' AS role, {role}_{tier} AS agency, recipient, awarding_subtier, split, fiscal_year, cents, amount, "
        f"award_no FROM fact WHERE {role}_{tier} IS NOT NULL"
        for role in ("awarding", "funding")
        for tier in TIERS
    )
    + f""";
CREATE OR REPLACE TABLE agency_year AS
SELECT role, agency, split, fiscal_year, GROUPING(split, fiscal_year) AS g, sum(cents) AS cents,
       count(amount) AS reported, count(*) AS facts, count(DISTINCT award_no) AS awards
FROM fact_by_agency GROUP BY GROUPING SETS ((role, agency, split, fiscal_year), (role, agency));
CREATE OR REPLACE TABLE agency_recipient AS
SELECT role, agency, recipient, sum(cents) AS cents, count(amount) AS reported, count(*) AS facts,
       count(DISTINCT award_no) AS awards
FROM fact_by_agency GROUP BY role, agency, recipient;
CREATE OR REPLACE TABLE agency_recipient_year AS  -- the targets' and the agency money's own money by year
SELECT role, agency, recipient, split, fiscal_year, sum(cents) AS cents, count(amount) AS reported, count(*) AS facts,
       count(DISTINCT award_no) AS awards
FROM fact_by_agency GROUP BY role, agency, recipient, split, fiscal_year;
CREATE OR REPLACE TABLE agency_pair AS
SELECT agency, recipient, awarding_subtier, sum(cents) AS cents, count(amount) AS reported, count(*) AS facts,
       count(DISTINCT award_no) AS awards
FROM fact_by_agency WHERE role = 'awarding' GROUP BY agency, recipient, awarding_subtier;
CREATE OR REPLACE TABLE agency_top AS
SELECT agency, award_key, rank FROM (
    SELECT f.agency, a.key AS award_key,
           row_number() OVER (PARTITION BY f.agency ORDER BY coalesce(a.obligated_cents, 0) DESC, a.key) AS rank
    FROM (SELECT DISTINCT agency, award_no FROM fact_by_agency WHERE role = 'awarding') f
    JOIN award a ON a.award_no = f.award_no)
WHERE rank <= {TOP_AWARDS};
CREATE OR REPLACE TABLE award_recipient AS
SELECT award_key, recipient, min(action_date)::VARCHAR AS first, max(action_date)::VARCHAR AS last
FROM fact WHERE kind = 'action' AND recipient IS NOT NULL GROUP BY award_key, recipient ORDER BY award_key;
CREATE INDEX award_recipient_key ON award_recipient (award_key);  -- read a few awards at a time, as `award`
CREATE OR REPLACE TABLE facets AS
SELECT (SELECT list_sort(list(DISTINCT award_type)) FROM award WHERE award_type <> '') AS award_types,
       min(fiscal_year) AS fy_min, max(fiscal_year) AS fy_max FROM fact WHERE split;
"""
)

# Agencies from codes: one row per (tier, code); a curated name wins, else the label seen most often.
AGENCY_NAMES = " UNION ALL ".join(
    f"SELECT '{tier}' AS tier, {role}_{tier}_id AS id, {role}_{tier}_name AS name FROM resolved"
    for role in ("awarding", "funding")
    for tier in TIERS
)
AGENCY_LINKS = " UNION ALL ".join(
    f"SELECT {role}_{child}_id AS child, {role}_{parent}_id AS parent FROM resolved"
    for role in ("awarding", "funding")
    for child, parent in (("office", "subtier"), ("subtier", "toptier"), ("office", "toptier"))
)
AGENCY = f"""
CREATE OR REPLACE TABLE agency AS
WITH names AS (SELECT tier, id, name, count(*) AS seen FROM ({AGENCY_NAMES}) WHERE id IS NOT NULL GROUP BY ALL),
picked AS (SELECT tier, id, first(name ORDER BY seen DESC, name) FILTER (WHERE name IS NOT NULL) AS label,
                  list_sort(list_distinct(list(name))) AS aliases
           FROM names GROUP BY tier, id)
SELECT p.id, split_part(p.id, ':', 2) AS code, p.tier,
       coalesce(CASE WHEN p.tier <> 'office' THEN c.name END, p.label) AS name,
       CASE WHEN p.tier <> 'office' THEN nullif(c.abbreviation, '') END AS abbreviation,
       list_sort(list_distinct(list_concat(p.aliases, CASE WHEN p.tier <> 'office' AND c.name IS NOT NULL
                                                          THEN [c.name] ELSE [] END))) AS aliases
FROM picked p LEFT JOIN curated_agency c ON c.code = split_part(p.id, ':', 2) AND c.tier = p.tier;
CREATE OR REPLACE TABLE agency_link AS
SELECT DISTINCT child, parent FROM ({AGENCY_LINKS}) WHERE child IS NOT NULL AND parent IS NOT NULL;
-- an agency's place at every tier: itself and the agencies above it
CREATE OR REPLACE TABLE agency_tiers AS
SELECT a.id,
       CASE a.tier WHEN 'toptier' THEN a.id ELSE coalesce(
           (SELECT min(l.parent) FROM agency_link l WHERE l.child = a.id AND starts_with(l.parent, 'toptier:')),
           (SELECT min(l2.parent) FROM agency_link l1 JOIN agency_link l2 ON l2.child = l1.parent
            WHERE l1.child = a.id AND starts_with(l2.parent, 'toptier:'))) END AS toptier_id,
       CASE a.tier WHEN 'subtier' THEN a.id WHEN 'office' THEN
           (SELECT min(l.parent) FROM agency_link l WHERE l.child = a.id AND starts_with(l.parent, 'subtier:')) END
           AS subtier_id,
       CASE a.tier WHEN 'office' THEN a.id END AS office_id
FROM agency a;
"""


# The review queue's merges: parties (as records report them) that joined a vendor by their name only, while the
# vendor has other parties too, with what they bring and the reviewer's judgement if there is one.
NAME_MERGES = """
CREATE OR REPLACE TABLE name_merge AS
WITH joined AS (
    SELECT pv.* FROM party_vendor pv
    WHERE pv.match = 'name' AND pv.vendor_id IN (SELECT vendor_id FROM party_vendor GROUP BY vendor_id
                                                  HAVING count(*) > 1)
),
brought AS (
    SELECT coalesce(recipient_name, '') AS name, coalesce(recipient_uei, '') AS uei,
           coalesce(recipient_duns, '') AS duns, count(*) AS records,
           sum(CAST(round(amount * 100) AS BIGINT)) FILTER (WHERE kind = 'action') AS cents,
           count(amount) FILTER (WHERE kind = 'action') AS reported, count(DISTINCT award_key) AS awards,
           min(action_date)::VARCHAR AS first, max(action_date)::VARCHAR AS last,
           min(award_key) AS award_key, min(permalink) AS permalink, min(source) AS source, min(record) AS record
    FROM resolved GROUP BY ALL
)
SELECT j.name || '|' || j.uei || '|' || j.duns AS party, j.name, nullif(j.uei, '') AS uei, nullif(j.duns, '') AS duns,
       j.vendor_id AS vendor, v.name AS vendor_name, v.uei AS vendor_uei, v.duns AS vendor_duns,
       (SELECT list_sort(list(DISTINCT p.name)) FROM party_vendor p
        WHERE p.vendor_id = j.vendor_id AND p.match <> 'name') AS vendor_identified_names,
       coalesce(b.records, 0) AS records, b.cents, coalesce(b.reported, 0) AS reported, coalesce(b.awards, 0) AS awards,
       b.first, b.last, b.award_key, b.permalink, b.source, b.record,
       m.verdict, m.who, m.judged_at, m.why
FROM joined j JOIN vendor v ON v.id = j.vendor_id
LEFT JOIN brought b ON b.name = j.name AND b.uei = j.uei AND b.duns = j.duns
LEFT JOIN judged_merge m ON m.party = j.name || '|' || j.uei || '|' || j.duns AND m.vendor = j.vendor_id
ORDER BY party, vendor
"""


# Subawards, each once, with the vendor its sub-recipient resolved to.
SUBAWARDS = f"""
CREATE OR REPLACE TABLE subaward_fact AS
SELECT s.*, pv.vendor_id AS vendor, pv.match AS match, pp.vendor_id AS parent_vendor
FROM (SELECT * FROM subaward QUALIFY row_number() OVER (PARTITION BY key ORDER BY retrieved DESC NULLS LAST, source,
                                                                                   record) = 1) s
{_party_join("pv", "sub", "s")} {_party_join("pp", "sub_parent", "s")};
"""


# Each vendor's USAspending recipient profile by fiscal year (every agency, every award type): the profile
# fetched last for each recipient and year, joined to the vendor with its UEI.
RECIPIENT_YEARS = """
CREATE OR REPLACE TABLE recipient_year AS
SELECT v.id AS vendor, r.fiscal_year, r.amount, split_part(r.key, '|', 1) AS recipient_id, r.action_description AS
       transactions, r.source, r.record, r.retrieved, r.permalink
FROM (SELECT * FROM record WHERE kind = 'recipient_year'
      QUALIFY row_number() OVER (PARTITION BY key ORDER BY retrieved DESC NULLS LAST, source, record) = 1) r
JOIN vendor v ON v.uei = r.recipient_uei AND NOT v.curated
QUALIFY row_number() OVER (PARTITION BY v.id, r.fiscal_year ORDER BY r.key) = 1
ORDER BY vendor, fiscal_year;
"""


# Contract vehicles (record kind 'vehicle', Issue 27 part 4), in a table of their own: each IDV with every attribute
# from its latest record that reports it (a base entry's description, the latest ceiling and last date to order), its
# holder as a vendor of the spending (`vehicle_party`: graph/questions/vehicles.py `attach_holders`, which never changes one)
# and its family on the date of its latest record (as a fact's), its awarding agency with the sub-tier and toptier
# names (curated, else as reported). Never joined to an award, fact, rollup or agency row: a ceiling is not money,
# and a vehicle's agency is no agency of the loaded spending. (The harvest's one BPA call, an order under a
# schedule, is kept as a record and is no vehicle.)
_VEHICLE_OWN = [field.name for field in VEHICLE_FIELDS[1:10]]
VEHICLE_PARTIES = "SELECT DISTINCT recipient_name, recipient_uei, recipient_duns FROM record WHERE kind = 'vehicle'"
VEHICLE = f"""
CREATE OR REPLACE TEMP TABLE vehicle_record AS
SELECT r.*, hv.vendor_id AS recipient, hv.match AS match, {_agency_ids("awarding")},
       row_number() OVER (ORDER BY r.action_date NULLS FIRST, r.retrieved NULLS FIRST, r.source DESC,
                                   r.record DESC) AS ord
FROM record r
LEFT JOIN vehicle_party hv ON hv.name = coalesce(r.recipient_name, '') AND hv.uei = coalesce(r.recipient_uei, '')
     AND hv.duns = coalesce(r.recipient_duns, '')
LEFT JOIN curated_agency ca_awarding ON ca_awarding.code = r.awarding_subtier
WHERE r.kind = 'vehicle' AND starts_with(r.award_key, 'CONT_IDV_');
CREATE OR REPLACE TABLE vehicle AS
WITH latest AS (
    SELECT award_key AS key, {", ".join(_latest(name) for name in _VEHICLE_OWN)},
           max_by(amount, ord) AS obligated, max(action_date) AS as_of, count(*) AS records,
           max_by(recipient, ord) FILTER (WHERE recipient IS NOT NULL) AS recipient,
           max_by(match, ord) FILTER (WHERE recipient IS NOT NULL) AS match,
           {
    ", ".join(
        f"max_by({c}, ord) FILTER (WHERE awarding_id IS NOT NULL) AS {c}"
        for c in (
            "awarding_id",
            "awarding_toptier_id",
            "awarding_subtier_id",
            "awarding_office_id",
            "awarding_toptier_name",
            "awarding_subtier_name",
            "awarding_office_name",
        )
    )
},
           max_by(source, ord) AS source, max_by(record, ord) AS record, max_by(retrieved, ord) AS retrieved,
           max_by(permalink, ord) FILTER (WHERE permalink IS NOT NULL) AS permalink
    FROM vehicle_record GROUP BY award_key
)
SELECT l.key, {", ".join(f"l.{name}" for name in _VEHICLE_OWN)}, l.obligated, l.as_of, l.records, l.recipient,
       v.name AS recipient_name, l.match, coalesce(vf.family, l.recipient) AS family, l.awarding_id,
       coalesce(l.awarding_subtier_id, l.awarding_office_id, l.awarding_toptier_id) AS agency_id,
       CASE WHEN l.awarding_subtier_id IS NOT NULL THEN coalesce(cs.name, l.awarding_subtier_name)
            WHEN l.awarding_office_id IS NOT NULL THEN l.awarding_office_name
            ELSE coalesce(ct.name, l.awarding_toptier_name) END AS agency_name,
       CASE WHEN l.awarding_subtier_id IS NOT NULL THEN 'subtier' WHEN l.awarding_office_id IS NOT NULL THEN 'office'
            WHEN l.awarding_toptier_id IS NOT NULL THEN 'toptier' END AS agency_tier,
       l.awarding_toptier_id AS department_id, coalesce(ct.name, l.awarding_toptier_name) AS department_name,
       l.source, l.record, l.retrieved, l.permalink
FROM latest l
LEFT JOIN vendor v ON v.id = l.recipient
LEFT JOIN vendor_family vf ON vf.vendor_id = l.recipient
     AND (vf.valid_from IS NULL OR coalesce(l.as_of, DATE '9999-12-31') >= vf.valid_from)
     AND (vf.valid_to IS NULL OR coalesce(l.as_of, DATE '9999-12-31') < vf.valid_to)
LEFT JOIN curated_agency cs ON cs.tier = 'subtier' AND cs.code = split_part(l.awarding_subtier_id, ':', 2)
LEFT JOIN curated_agency ct ON ct.tier = 'toptier' AND ct.code = split_part(l.awarding_toptier_id, ':', 2)
ORDER BY l.key;
"""


# What a run brought: its awards, the vendors its rows resolved to, the agencies they name (a contract vehicle's rows
# count in none of these), and its contract vehicles.
RUN_COUNTS = f"""
SELECT (SELECT count(DISTINCT award_key) FROM record_new WHERE kind NOT IN ('vehicle', 'deletion')),  -- deletions: counted apart
       (SELECT count(DISTINCT vendor_id) FROM (
            SELECT pv.vendor_id FROM record_new {_party_join("pv", "recipient", "record_new")} WHERE kind <> 'vehicle'
            UNION ALL SELECT pv.vendor_id FROM record_new {_party_join("pv", "parent", "record_new")}
            WHERE kind <> 'vehicle'
            UNION ALL SELECT pv.vendor_id FROM subaward_new {_party_join("pv", "sub", "subaward_new")}
       )),
       (SELECT count(DISTINCT a) FROM (SELECT unnest([
            awarding_toptier, awarding_subtier, awarding_office, funding_toptier, funding_subtier, funding_office
       ]) AS a FROM record_new WHERE kind <> 'vehicle') WHERE a IS NOT NULL),
       (SELECT count(DISTINCT award_key) FROM record_new WHERE kind = 'vehicle' AND starts_with(award_key, 'CONT_IDV_'))
"""
