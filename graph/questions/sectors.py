"""The sector an answer covers, and money by category: what `--sector` and the dashboard's sector filter add.

An answer filtered to some categories must say which (and what it leaves out), so a figure never passes for the
agency's whole spending; a profile's money by category adds up to its total, with "unclassified" its own line.
"""

from __future__ import annotations

import functools

from core import categories as cat
from graph.questions.answers import cents_to_dollars


def scope(chosen: tuple[str, ...] | None) -> dict:
    """{"sector", "categories", "leaves_out", "line"} for category ids (None: every purchase)."""
    if not chosen:
        return {
            "sector": cat.ALL,
            "categories": [c.id for c in cat.CATEGORIES],
            "leaves_out": [],
            "line": "all purchases (every category)",
        }
    name = cat.TECHNOLOGY if tuple(chosen) == cat.LENS else ",".join(chosen)
    out = [c.id for c in cat.CATEGORIES if c.id not in chosen]
    words = (
        "the technology lens (" + ", ".join(cat.label(c) for c in chosen) + ")"
        if name == cat.TECHNOLOGY
        else ", ".join(cat.label(c) for c in chosen)
    )
    return {
        "sector": name,
        "categories": list(chosen),
        "leaves_out": out,
        "line": f"{words} only; leaves out {', '.join(cat.label(c) for c in out)}",
    }


def by_category_year(rows: list[dict]) -> list[dict]:
    """Rows of grouping "category,split,fiscal_year" as one row per category (in CATEGORIES order, only those
    with facts): its obligated, facts, the actions by fiscal year and the award totals not split by year."""
    out: dict[str, dict] = {}
    for row in rows:
        entry = out.setdefault(
            row["category"] or "unclassified", {"cents": None, "facts": 0, "years": {}, "rest": None}
        )
        if row["cents"] is not None:
            entry["cents"] = (entry["cents"] or 0) + row["cents"]
            if row["split"] and row["fiscal_year"] is not None:
                entry["years"][row["fiscal_year"]] = (entry["years"].get(row["fiscal_year"]) or 0) + row["cents"]
            else:
                entry["rest"] = (entry["rest"] or 0) + row["cents"]
        entry["facts"] += row["facts"]
    order = list(cat.BY_ID)
    return [
        {
            "category": key,
            "label": cat.label(key),
            "lens": key in cat.LENS,
            "obligated": cents_to_dollars(entry["cents"]),
            "facts": entry["facts"],
            "yearly": [
                {"fiscal_year": year, "obligated": cents_to_dollars(cents)}
                for year, cents in sorted(entry["years"].items())
            ],
            "not_split_by_year": cents_to_dollars(entry["rest"]),
        }
        for key, entry in sorted(out.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)
    ]


@functools.lru_cache(maxsize=1)
def classifier():
    """The category rules, read once per process (they change only with the files, and a reload re-derives)."""
    return cat.load()


def reasons(rows: list[dict], names: dict[str, str] | None = None) -> list[dict]:
    """Rows of grouping "category,category_rule" as one row per category with its rules in words (largest first)."""
    rules = classifier()
    out: dict[str, dict] = {}
    for row in rows:
        key = row["category"] or "unclassified"
        entry = out.setdefault(
            key,
            {
                "category": key,
                "label": cat.label(key),
                "lens": key in cat.LENS,
                "cents": None,
                "facts": 0,
                "reasons": [],
            },
        )
        if row["cents"] is not None:
            entry["cents"] = (entry["cents"] or 0) + row["cents"]
        entry["facts"] += row["facts"]
        entry["reasons"].append(
            {
                "rule": row["category_rule"],
                "reason": rules.reason(row["category_rule"], names),
                "obligated": cents_to_dollars(row["cents"]),
                "facts": row["facts"],
            }
        )
    order = list(cat.BY_ID)
    for entry in out.values():
        entry["obligated"] = cents_to_dollars(entry.pop("cents"))
        entry["reasons"].sort(key=lambda r: (-(r["obligated"] or 0), r["rule"] or ""))
    return sorted(out.values(), key=lambda e: order.index(e["category"]) if e["category"] in order else 99)


def technology_share(rows: list[dict], total: float | None) -> dict:
    """How much of `total` the lens holds, by category, from rows of grouping "category"."""
    lens = [
        {"category": r["category"], "label": cat.label(r["category"]), "obligated": cents_to_dollars(r["cents"])}
        for r in rows
        if r["category"] in cat.LENS
    ]
    lens.sort(key=lambda r: cat.LENS.index(r["category"]))
    cents = sum(r["cents"] or 0 for r in rows if r["category"] in cat.LENS)
    reported = any(r["cents"] is not None for r in rows if r["category"] in cat.LENS)
    return {
        "obligated": cents / 100 if reported else None,
        "total": total,
        "share": (cents / 100 / total) if reported and total else None,
        "by_category": lens,
        "categories": list(cat.LENS),
    }
