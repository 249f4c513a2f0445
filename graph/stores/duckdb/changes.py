"""What each load changed, kept as a log: the derived figures before a commit compared with those after.

Comparing the derived tables (not the rows read) is what makes the log honest: loading the same file
again changes nothing and logs nothing; a file fetched again with three revised rows logs those three.
Only constant text is composed here; the run's id and time travel as parameters.
"""

from __future__ import annotations

# (change, field, award column, how the value is shown): an award's figures and dates as they stood
AWARD_WATCHED = (
    ("changed_amount", "obligated", "obligated_cents", "money"),
    ("changed_amount", "current_value", "current_cents", "money"),
    ("changed_amount", "potential_value", "potential_cents", "money"),
    ("changed_end_date", "end_date", "end_date", "date"),
    ("changed_end_date", "potential_end_date", "potential_end_date", "date"),
)
KINDS = (
    "new_award",
    "new_modification",
    "changed_amount",
    "changed_end_date",
    "new_vendor",
    "new_vendor_agency",
    "removed_action",
)
COLUMNS = (
    "seq",
    "run_id",
    "loaded_at",
    "change",
    "award_key",
    "action_key",
    "vendor",
    "family",
    "agency",
    "agency_toptier",
    "agency_subtier",
    "field",
    "before",
    "after",
    "source",
    "record",
    "permalink",
)

CREATE = """
CREATE TABLE IF NOT EXISTS change (seq BIGINT, run_id INTEGER, loaded_at VARCHAR, change VARCHAR, award_key VARCHAR,
    action_key VARCHAR, vendor VARCHAR, family VARCHAR, agency VARCHAR, agency_toptier VARCHAR, agency_subtier VARCHAR,
    field VARCHAR, before VARCHAR, after VARCHAR, source VARCHAR, record VARCHAR, permalink VARCHAR);
"""

_AWARD_COLUMNS = "key, recipient, awarding_id, " + ", ".join(column for _, _, column, _ in AWARD_WATCHED)
# the state a commit starts from (empty before the first load)
BEFORE = f"""
CREATE OR REPLACE TEMP TABLE before_award AS SELECT {_AWARD_COLUMNS} FROM award;
CREATE OR REPLACE TEMP TABLE before_action AS
SELECT key, cents, award_key, recipient, awarding_id, permalink FROM fact WHERE kind = 'action';
CREATE OR REPLACE TEMP TABLE before_vendor AS SELECT id FROM vendor WHERE NOT curated;
CREATE OR REPLACE TEMP TABLE before_pair AS
SELECT DISTINCT recipient, coalesce(awarding_subtier, awarding_toptier) AS agency FROM fact WHERE recipient IS NOT NULL;
"""
NOTHING_BEFORE = """
CREATE OR REPLACE TEMP TABLE before_award (key VARCHAR, recipient VARCHAR, awarding_id VARCHAR, obligated_cents BIGINT,
    current_cents BIGINT, potential_cents BIGINT, end_date DATE, potential_end_date DATE);
CREATE OR REPLACE TEMP TABLE before_action (key VARCHAR, cents BIGINT, award_key VARCHAR, recipient VARCHAR,
    awarding_id VARCHAR, permalink VARCHAR);
CREATE OR REPLACE TEMP TABLE before_vendor (id VARCHAR);
CREATE OR REPLACE TEMP TABLE before_pair (recipient VARCHAR, agency VARCHAR);
"""


def _shown(column: str, how: str) -> str:
    return f"printf('%.2f', {column} / 100)" if how == "money" else f"CAST({column} AS VARCHAR)"


_AWARD_CHANGES = " UNION ALL ".join(
    f"""SELECT '{change}' AS change, a.key AS award_key, NULL AS action_key, a.recipient AS vendor,
               a.awarding_id AS agency, '{field}' AS field, {_shown("b." + column, how)} AS before,
               {_shown("a." + column, how)} AS after, a.source, a.record, a.permalink
        FROM award a JOIN before_award b ON b.key = a.key WHERE a.{column} IS DISTINCT FROM b.{column}"""
    for change, field, column, how in AWARD_WATCHED
)

# every change of this commit, numbered after those logged before, in a fixed order
RECORD = f"""
INSERT INTO change
WITH found AS (
    SELECT 'new_award' AS change, a.key AS award_key, NULL AS action_key, a.recipient AS vendor,
           a.awarding_id AS agency, 'obligated' AS field, NULL AS before, {_shown("a.obligated_cents", "money")} AS after,
           a.source, a.record, a.permalink
    FROM award a ANTI JOIN before_award b ON b.key = a.key
    UNION ALL
    SELECT 'new_modification', f.award_key, f.key, f.recipient, f.awarding_id, 'obligation', NULL,
           {_shown("f.cents", "money")}, f.source, f.record, f.permalink
    FROM fact f SEMI JOIN before_award b ON b.key = f.award_key
    ANTI JOIN before_action x ON x.key = f.key WHERE f.kind = 'action'
    UNION ALL
    SELECT 'changed_amount', f.award_key, f.key, f.recipient, f.awarding_id, 'obligation', {_shown("x.cents", "money")},
           {_shown("f.cents", "money")}, f.source, f.record, f.permalink
    FROM fact f JOIN before_action x ON x.key = f.key WHERE f.kind = 'action' AND f.cents IS DISTINCT FROM x.cents
    UNION ALL
    SELECT 'removed_action', x.award_key, x.key, x.recipient, x.awarding_id, 'obligation', {_shown("x.cents", "money")},
           NULL, d.source, d.record, x.permalink
    FROM before_action x ANTI JOIN fact f ON f.key = x.key AND f.kind = 'action'
    LEFT JOIN (SELECT key, source, record FROM record WHERE kind = 'deletion'  -- the one CHOSEN (sql.py) follows
               QUALIFY row_number() OVER (PARTITION BY key ORDER BY retrieved DESC NULLS LAST, source, record) = 1) d
        ON d.key = x.key
    UNION ALL
    {_AWARD_CHANGES}
    UNION ALL
    SELECT 'new_vendor', first_award.key, NULL, v.id, first_award.awarding_id, 'name', NULL, v.name,
           first_award.source, first_award.record, first_award.permalink
    FROM vendor v ANTI JOIN before_vendor b ON b.id = v.id
    LEFT JOIN (SELECT recipient, arg_min(key, coalesce(first_action, DATE '9999-12-31')) AS key FROM award
               GROUP BY recipient) fa ON fa.recipient = v.id
    LEFT JOIN award first_award ON first_award.key = fa.key
    WHERE NOT v.curated
    UNION ALL
    SELECT 'new_vendor_agency', p.award_key, p.action_key, p.recipient, p.agency, 'agency', NULL, p.agency,
           p.source, p.record, p.permalink
    FROM (SELECT recipient, coalesce(awarding_subtier, awarding_toptier) AS agency,
                 arg_min(award_key, (coalesce(action_date, DATE '9999-12-31'), key)) AS award_key,
                 arg_min(CASE WHEN kind = 'action' THEN key END, (coalesce(action_date, DATE '9999-12-31'), key))
                     AS action_key,
                 arg_min(source, (coalesce(action_date, DATE '9999-12-31'), key)) AS source,
                 arg_min(record, (coalesce(action_date, DATE '9999-12-31'), key)) AS record,
                 arg_min(permalink, (coalesce(action_date, DATE '9999-12-31'), key)) AS permalink
          FROM fact WHERE recipient IS NOT NULL AND coalesce(awarding_subtier, awarding_toptier) IS NOT NULL
          GROUP BY ALL) p
    ANTI JOIN before_pair b ON b.recipient = p.recipient AND b.agency = p.agency
)
SELECT (SELECT coalesce(max(seq), 0) FROM change)
           + row_number() OVER (ORDER BY f.change, f.award_key NULLS FIRST, f.action_key NULLS FIRST, f.field,
                                f.vendor NULLS FIRST, f.agency NULLS FIRST) AS seq,
       $run AS run_id, $at AS loaded_at, f.change, f.award_key, f.action_key, f.vendor, v.family, f.agency,
       t.toptier_id, t.subtier_id, f.field, f.before, f.after, f.source, f.record, f.permalink
FROM found f LEFT JOIN vendor v ON v.id = f.vendor LEFT JOIN agency_tiers t ON t.id = f.agency;
"""


def before(con) -> None:
    """Keep the state this commit starts from (call after the rows merge, before the figures derive)."""
    derived = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'fact' AND NOT temporary"
    ).fetchone()[0]
    con.execute(BEFORE if derived else NOTHING_BEFORE)


def record(con, run_id: int, loaded_at: str) -> int:
    """Log what the figures derived now differ by; returns how many changes."""
    top = con.execute("SELECT coalesce(max(seq), 0) FROM change").fetchone()[0]
    con.execute(RECORD, {"run": run_id, "at": loaded_at})
    return con.execute("SELECT count(*) FROM change WHERE seq > ?", [top]).fetchone()[0]
