"""Each fact's category and the rule that placed it (`core/categories.py`), derived after attribution.

The makers named in an action's descriptions come from attribution's `text_match` (every rule that fired,
a reviewer's "wrong" removed), so a product the review queue rejected does not place the action either.
Only the distinct combinations of (products named, seller family, PSC, NAICS) reach Python, so the cost follows
the vocabulary of the records, not their number. The fact table gains `category` and `category_rule`, and each
mention its action's category.
"""

from __future__ import annotations

import logging
import time

from core.categories import Classifier

log = logging.getLogger(__name__)

NAMED = """
CREATE OR REPLACE TEMP TABLE fact_named AS
SELECT t.key, list(DISTINCT m.rule ORDER BY m.rule) AS rules
FROM fact_text t JOIN text_match m USING (action_text, award_text, psc, naics) JOIN fact f ON f.key = t.key
WHERE NOT EXISTS (SELECT 1 FROM judged_in j WHERE j.verdict = 'wrong' AND j.maker = m.maker
                  AND j.record IN (f.key, f.award_key))
GROUP BY t.key
"""
INPUTS = """
CREATE OR REPLACE TEMP TABLE fact_class_in AS
SELECT f.key, coalesce(n.rules, []::VARCHAR[]) AS rules,
       CASE WHEN list_contains(?, f.family) THEN f.family END AS seller,
       coalesce(a.psc, '') AS psc, coalesce(a.psc_description, '') AS psc_description,
       coalesce(a.naics, '') AS naics, coalesce(a.naics_description, '') AS naics_description
FROM fact f JOIN award a ON a.key = f.award_key LEFT JOIN fact_named n ON n.key = f.key
"""
DISTINCT = """SELECT DISTINCT rules, coalesce(seller, '') AS seller, psc, psc_description, naics, naics_description
              FROM fact_class_in"""
WITH_CATEGORY = """
CREATE OR REPLACE TABLE fact AS
SELECT f.*, c.category, c.category_rule
FROM fact f JOIN fact_class_in i USING (key)
JOIN category_of c ON c.rules = array_to_string(i.rules, ' ') AND c.seller = coalesce(i.seller, '')
     AND c.psc = i.psc AND c.psc_description = i.psc_description AND c.naics = i.naics
     AND c.naics_description = i.naics_description
ORDER BY f.family, f.recipient, f.award_key  -- the order graph/stores/duckdb/sql.py FACT keeps
"""
# a mention carries its action's category, so the reseller layers follow a sector filter without a join to `fact`
MENTION_CATEGORY = """
CREATE OR REPLACE TABLE mention AS
SELECT m.*, f.category FROM mention m LEFT JOIN fact f ON f.key = m.fact_key
ORDER BY m.maker, m.recipient, m.award_key, m.fact_key  -- attribution's order
"""


def derive_categories(con, classifier: Classifier, rules) -> dict:
    """Add `category` and `category_rule` to table `fact`; returns the count of facts per category."""
    from graph.stores.duckdb import arrow as duck_arrow

    started = time.perf_counter()
    order = {rule.id: (index, rule.maker) for index, rule in enumerate(rules)}
    con.execute(NAMED)
    con.execute(INPUTS, [sorted(classifier.seller)])
    rows = []
    for named, seller, psc, psc_text, naics, naics_text in con.execute(DISTINCT).fetchall():
        products = sorted(((rule, order[rule][1]) for rule in named if rule in order), key=lambda p: order[p[0]][0])
        category, rule_key = classifier.classify(products, seller or None, psc, psc_text, naics, naics_text)
        rows.append((" ".join(named), seller, psc, psc_text, naics, naics_text, category, rule_key))
    duck_arrow.frame(
        con,
        "category_of",
        ["rules", "seller", "psc", "psc_description", "naics", "naics_description", "category", "category_rule"],
        rows,
    )
    before = con.execute("SELECT count(*) FROM fact").fetchone()[0]
    con.execute(WITH_CATEGORY)
    con.execute(MENTION_CATEGORY)
    counts = dict(con.execute("SELECT category, count(*) FROM fact GROUP BY ALL ORDER BY ALL").fetchall())
    if sum(counts.values()) != before:  # every fact keeps exactly one category
        raise RuntimeError(f"categories: {sum(counts.values())} facts placed of {before}")
    log.info(
        "categories: %d combinations placed in %.2fs: %s",
        len(rows),
        time.perf_counter() - started,
        ", ".join(f"{k} {v}" for k, v in counts.items()),
    )
    return counts
