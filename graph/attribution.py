"""Attribution: the actions whose descriptions name a maker's product, sold through another vendor.

Derived at the end of every load (and by `python -m graph attribute` when the rules or judgements change)
into table `mention`: one row per (fact, maker), each with the rule, the matched span, the text it was found
in, the action's amount and provenance, and the reviewer's judgement if there is one. A match whose
recipient was in the maker's family on the action's date is a direct sale and is not a mention. Only the
distinct texts are matched (in Python, with `core.products.Matcher`), so the cost follows the vocabulary of
descriptions, not the number of actions.
"""

from __future__ import annotations

import logging
import time

from core.curated import load_families
from core.judgements import Judgement, judgements_file, load_judgements
from core.products import BadTable, Matcher, load_rules, rule_screens, rules_file, screen_pattern

log = logging.getLogger(__name__)

# Each fact with the texts it is matched on: its action's own description, then its award's (which, for an
# export without one, is the award's first action's), with the award's PSC and NAICS for the constraints.
FACT_TEXT = """
CREATE OR REPLACE TEMP TABLE fact_text AS
SELECT f.key, coalesce(r.action_description, '') AS action_text, coalesce(a.description, '') AS award_text,
       concat_ws(' ', a.psc, a.psc_description) AS psc, concat_ws(' ', a.naics, a.naics_description) AS naics
FROM fact f JOIN award a ON a.key = f.award_key
LEFT JOIN (SELECT key, action_description FROM resolved WHERE kind = 'action') r ON r.key = f.key
"""
DISTINCT_TEXTS = "SELECT DISTINCT action_text, award_text, psc, naics FROM fact_text"
# only the texts DuckDB's own regular-expression engine (RE2, vectorized, on every core) finds a product in
# reach Python: the rules are compiled by RE2 in Python too (core/tables.py), so the screen
# (core.products.screen_pattern) finds exactly the texts a rule matches
SCREENED_TEXTS = DISTINCT_TEXTS + " WHERE regexp_matches(action_text, ?) OR regexp_matches(award_text, ?)"
MATCH_COLUMNS = [
    "action_text",
    "award_text",
    "psc",
    "naics",
    "maker",
    "rule",
    "product",
    "field",
    "span",
    "span_start",
    "span_end",
    "text",
    "confidence",
]
# A mention as every store returns it (Neo4j keeps these as the MENTIONS_PRODUCT relationship's properties).
MENTION_READ = (
    "fact_key",
    "award_key",
    "maker",
    "rule",
    "product",
    "field",
    "span",
    "span_start",
    "span_end",
    "text",
    "confidence",
    "verdict",
    "who",
    "judged_at",
    "why",
    "recipient",
    "recipient_family",
    "kind",
    "split",
    "action_date",
    "fiscal_year",
    "amount",
    "cents",
    "awarding_id",
    "awarding_toptier",
    "awarding_subtier",
    "awarding_office",
    "funding_id",
    "award_type",
    "modification",
    "source",
    "record",
    "permalink",
    "category",
)
# A mention's money grouped in the store, for the questions that only add it up (the agency's makers, targets):
# each grouping's columns (never user text); every group has cents (None = not reported), reported, actions,
# awards (distinct) and products (distinct, sorted).
MENTION_GROUPINGS = {
    by: tuple(by.split(","))
    for by in ("maker", "maker,recipient", "maker,recipient,split,fiscal_year", "maker,recipient,award_key")
}


def mention_groups(rows: list[dict], by: str) -> list[dict]:
    """The groups as both stores return them: no reported amount is None (Cypher sums nothing to 0), products
    sorted, groups in the order of their columns (a missing value last)."""
    columns = MENTION_GROUPINGS[by]
    shaped = [
        {
            **row,
            "cents": row["cents"] if row["reported"] else None,
            "products": sorted(p for p in row["products"] or [] if p is not None),
        }
        for row in rows
    ]
    return sorted(shaped, key=lambda row: tuple((row[c] is None, row[c] if row[c] is not None else 0) for c in columns))


NAME_MERGE_READ = (
    "party",
    "name",
    "uei",
    "duns",
    "vendor",
    "vendor_name",
    "vendor_uei",
    "vendor_duns",
    "vendor_identified_names",
    "records",
    "cents",
    "reported",
    "awards",
    "first",
    "last",
    "award_key",
    "permalink",
    "source",
    "record",
    "verdict",
    "who",
    "judged_at",
    "why",
)
JUDGED_COLUMNS = ["record", "maker", "verdict", "who", "judged_at", "why", "line"]

MENTION = """
CREATE OR REPLACE TABLE mention AS
WITH found AS (
    SELECT t.key AS fact_key, m.maker, m.rule, m.product, m.field, m.span, CAST(m.span_start AS INTEGER) AS span_start,
           CAST(m.span_end AS INTEGER) AS span_end, m.text, CAST(m.confidence AS DOUBLE) AS confidence
    FROM fact_text t JOIN text_match m USING (action_text, award_text, psc, naics)
),
judged AS (  -- a judgement of the action itself wins over one of its award
    SELECT fact_key, maker, first(verdict ORDER BY own DESC) AS verdict, first(who ORDER BY own DESC) AS who,
           first(judged_at ORDER BY own DESC) AS judged_at, first(why ORDER BY own DESC) AS why
    FROM (SELECT f.key AS fact_key, TRUE AS own, j.* FROM judged_in j JOIN fact f ON f.key = j.record
          UNION ALL
          SELECT f.key, FALSE, j.* FROM judged_in j JOIN fact f ON f.award_key = j.record)
    GROUP BY fact_key, maker
),
linked AS (
    SELECT coalesce(found.fact_key, judged.fact_key) AS fact_key, coalesce(found.maker, judged.maker) AS maker,
           coalesce(found.rule, 'judgement') AS rule, found.product, found.field, found.span, found.span_start,
           found.span_end, found.text, CASE WHEN judged.verdict = 'correct' THEN 1.0 ELSE found.confidence END
           AS confidence, judged.verdict, judged.who, judged.judged_at, judged.why
    FROM found FULL JOIN judged USING (fact_key, maker)
    WHERE (found.fact_key IS NOT NULL OR judged.verdict = 'correct') AND judged.verdict IS DISTINCT FROM 'wrong'
)
SELECT l.fact_key, f.award_key, l.maker, l.rule, coalesce(l.product, v.name) AS product, l.field, l.span,
       l.span_start, l.span_end, coalesce(l.text, t.action_text) AS text, l.confidence, l.verdict, l.who,
       l.judged_at, l.why, f.recipient, f.family AS recipient_family, f.kind, f.split, f.action_date, f.fiscal_year,
       f.amount, f.cents, f.awarding_id, f.awarding_toptier, f.awarding_subtier, f.awarding_office, f.funding_id,
       f.award_type, f.modification, f.source, f.record, f.permalink
FROM linked l JOIN fact f ON f.key = l.fact_key JOIN fact_text t ON t.key = l.fact_key
LEFT JOIN vendor v ON v.id = l.maker
WHERE f.family IS DISTINCT FROM l.maker  -- the maker's own family selling it: a direct sale, already its money
ORDER BY l.maker, f.recipient, f.award_key, l.fact_key
"""


def rules_and_judgements():
    """The rule table and the judgements, both checked (a BadTable names the file and line)."""
    families = load_families()
    return load_rules(families=families), load_judgements(families=families)


def merge_apart(judgements: dict[tuple, Judgement]) -> set[tuple[str, str]]:
    """(party "name|uei|duns", vendor id) pairs a reviewer judged not the same: name matching keeps them apart."""
    return {(j.record, j.target) for j in judgements.values() if j.kind == "merge" and j.verdict == "not_same"}


def _candidates(con, rules, texts: set[str]) -> dict[str, set[int]]:
    """{text: indexes of the rules whose screens match it}, each screen a parameter compiled once by DuckDB."""
    if not rules or not texts:
        return {}
    flags = ", ".join("regexp_matches(t, ?)" for _ in rules)  # placeholders only: the patterns are parameters
    rows = con.execute(
        f"SELECT t, {flags} FROM (SELECT unnest(?::VARCHAR[]) AS t)", [*rule_screens(rules), sorted(texts)]
    ).fetchall()
    return {row[0]: {index for index, hit in enumerate(row[1:]) if hit} for row in rows}


def derive_mentions(con, rules, judgements: dict[tuple, Judgement], strict: bool = False) -> dict:
    """Build table `mention`; with `strict`, a judgement naming a record the store does not hold is an error
    (`graph attribute`), else it waits for that record's load and is counted as pending."""
    from graph.stores.duckdb import arrow as duck_arrow

    started = time.perf_counter()
    con.execute(FACT_TEXT)
    texted = time.perf_counter()
    screen = screen_pattern(rules)  # RE2 has read every rule already (core/tables.py): DuckDB reads it alike
    texts = con.execute(SCREENED_TEXTS, [screen, screen]).fetchall() if rules else []
    candidates = _candidates(con, rules, {text for row in texts for text in row[:2] if text})
    matcher, rows = Matcher(rules), []
    for action_text, award_text, psc, naics in texts:
        tried = (candidates.get(action_text), candidates.get(award_text))
        for match in matcher.match((action_text, award_text), psc, naics, tried):
            text = action_text if match.field == "action description" else award_text
            rows.append(
                (
                    action_text,
                    award_text,
                    psc,
                    naics,
                    match.rule.maker,
                    match.rule.id,
                    match.rule.product,
                    match.field,
                    match.span,
                    str(match.start),
                    str(match.end),
                    text,
                    str(match.rule.confidence),
                )
            )
    matched = time.perf_counter()
    duck_arrow.frame(con, "text_match", MATCH_COLUMNS, rows)
    attributions = [j for j in judgements.values() if j.kind == "attribution"]
    duck_arrow.frame(
        con,
        "judged_in",
        JUDGED_COLUMNS,
        [(j.record, j.target, j.verdict, j.who, j.when, j.why, str(j.line)) for j in attributions],
    )
    unknown = con.execute("""SELECT record, line FROM judged_in WHERE record NOT IN (SELECT key FROM fact)
                             AND record NOT IN (SELECT key FROM award) ORDER BY CAST(line AS INTEGER)""").fetchall()
    if unknown and strict:
        record, line = unknown[0]
        raise BadTable(
            f"{judgements_file()} line {line}: no action or award with key {record!r} is in the store; "
            f"correct the key (the review queue lists them) or load that record first — nothing was "
            f"applied"
        )
    if unknown:
        log.warning(
            "%d judgement(s) in %s name records this store does not hold (first: line %s); they apply "
            "when those records are loaded",
            len(unknown),
            judgements_file(),
            unknown[0][1],
        )
    linking = time.perf_counter()
    con.execute(MENTION)
    count = con.execute("SELECT count(*) FROM mention").fetchone()[0]
    log.info(
        "attribution phases: texts %.2fs, screen and match %.2fs, judgements %.2fs, links %.2fs",
        texted - started,
        matched - texted,
        linking - matched,
        time.perf_counter() - linking,
    )
    facts = con.execute("SELECT count(*) FROM fact_text").fetchone()[0]
    log.info(
        "attribution: %d facts, %d distinct texts with a possible product matched in %.2fs (%d rules), %d mentions",
        facts,
        len(texts),
        matched - started,
        len(rules),
        count,
    )
    seconds = time.perf_counter() - started
    return {
        "facts": facts,
        "texts": len(texts),
        "match_s": round(matched - started, 3),
        "attribution_s": round(seconds, 3),
        "facts_per_second": round(facts / seconds) if seconds else None,
        "mentions": count,
        "rules": len(rules),
        "judgements_pending": len(unknown),
        "rules_file": str(rules_file()),
    }
