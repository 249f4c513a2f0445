"""The technology lens: one category for every contract action, with the rule that placed it.

The store holds everything ICE and CBP buy (detention beds, fuel, fences); a campaign against surveillance
vendors needs the surveillance, data and cloud purchases apart. `data/technology_categories.csv` gives each
category its rules, and an action takes the first that applies:
  1. a maker's product named in its description (`product`, else `maker` rows; `data/product_makers.csv`),
     or the action sold by a maker family that sells only such technology (`seller` rows);
  2. else its product or service code (`psc`, a code or prefix: the longest wins);
  3. else its NAICS code (`naics`, likewise);
  4. else "unclassified", shown as such and counted.
A PSC or NAICS the code lists know but no rule names is "everything else". Records that carry only a code's
description (the spending-by-transaction exports) are looked up in `data/psc_codes.csv` / `naics_codes.csv`
(`ingest/code_lists.py` says where they come from). Classification is a pure function of those texts and
tables, so both stores, in any load order, place every action alike.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .curated import DATA, Family, load_families
from .tables import BadTable
from .tables import rows as table_rows


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    lens: bool  # in the technology lens, the campaign views' default


CATEGORIES = (
    Category("surveillance", "surveillance and biometrics", True),
    Category("data", "data and analytics", True),
    Category("cloud", "cloud and hosting", True),
    Category("it", "IT services and software", False),
    Category("telecom", "telecommunications and radio", False),
    Category("detention", "detention and custody", False),
    Category("transport", "transport and removal", False),
    Category("other", "everything else", False),
    Category("unclassified", "unclassified", False),
)
BY_ID = {category.id: category for category in CATEGORIES}
LENS = tuple(category.id for category in CATEGORIES if category.lens)
TECHNOLOGY = "technology"  # the sector name that stands for the lens
ALL = "all"
RULES_FILE = DATA / "technology_categories.csv"
PSC_FILE = DATA / "psc_codes.csv"
NAICS_FILE = DATA / "naics_codes.csv"
PRODUCT_RULES_FILE = DATA / "product_makers.csv"
BY = ("product", "maker", "seller", "psc", "naics")
COLUMNS = ("category", "by", "key", "source")


@dataclass(frozen=True)
class CategoryRule:
    category: str
    by: str
    key: str  # a product rule id, a family id, or a code or prefix
    source: str
    line: int
    name: str = ""  # the family's name for maker and seller rules


def rules_file() -> Path:
    return Path(os.environ.get("KG_CATEGORY_RULES") or RULES_FILE)


def label(category: str | None) -> str:
    return BY_ID[category].label if category in BY_ID else "unclassified"


def sectors(names: Iterable[str] | None) -> tuple[str, ...] | None:
    """The category ids `--sector NAME` (repeatable) stands for: `technology` is the lens, `all` (or nothing)
    is no filter; a name is a category id or its label. Raises ValueError naming the choices."""
    chosen: list[str] = []
    for name in names or ():
        key = " ".join(str(name).lower().replace("_", " ").split())
        if key == ALL:
            return None
        if key == TECHNOLOGY:
            ids = LENS
        else:
            ids = tuple(c.id for c in CATEGORIES if key in (c.id, c.label.lower()))
            if not ids:
                raise ValueError(
                    f"unknown sector {name!r}: give technology, all, or one of " + ", ".join(c.id for c in CATEGORIES)
                )
        chosen += [i for i in ids if i not in chosen]
    return tuple(sorted(chosen, key=list(BY_ID).index)) if chosen else None


def _code_key(text: str | None) -> str:
    return " ".join((text or "").upper().split())


def _codes(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """({description: code}, {code: description}), the first row of each winning (the file is in priority order)."""
    by_text: dict[str, str] = {}
    by_code: dict[str, str] = {}
    for line, row in enumerate(table_rows(path), start=2):
        code, text = (row.get("code") or "").strip().upper(), _code_key(row.get("description"))
        if not code or not text:
            raise BadTable(f"{path} line {line}: give both a code and its description (nothing was applied)")
        by_text.setdefault(text, code)
        by_code.setdefault(code, text)
    return by_text, by_code


@dataclass
class Classifier:
    rules: list[CategoryRule]
    psc_by_text: dict[str, str]
    psc_text: dict[str, str]
    naics_by_text: dict[str, str]
    naics_text: dict[str, str]

    def __post_init__(self) -> None:
        self.product = {r.key: r for r in self.rules if r.by == "product"}
        self.maker = {r.key: r for r in self.rules if r.by == "maker"}
        self.seller = {r.key: r for r in self.rules if r.by == "seller"}
        self.psc = {r.key: r for r in self.rules if r.by == "psc"}
        self.naics = {r.key: r for r in self.rules if r.by == "naics"}

    @staticmethod
    def _longest(table: dict[str, CategoryRule], code: str) -> CategoryRule | None:
        for length in range(len(code), 0, -1):
            if code[:length] in table:
                return table[code[:length]]
        return None

    def _code(self, code: str | None, text: str | None, by_text: dict[str, str]) -> str | None:
        code = (code or "").strip().upper()
        return code or by_text.get(_code_key(text))

    def classify(
        self,
        products: Iterable[tuple[str, str]],
        seller: str | None,
        psc: str | None,
        psc_description: str | None,
        naics: str | None,
        naics_description: str | None,
    ) -> tuple[str, str]:
        """(category id, rule key) for one action. `products`: the (product rule id, maker family id) named in
        its descriptions, in the product table's order; `seller`: its recipient's family on its date."""
        for rule_id, maker in products:
            rule = self.product.get(rule_id) or self.maker.get(maker)
            if rule is not None:
                return rule.category, f"{rule.by}|{rule.key}|{rule_id}"
        if seller and seller in self.seller:
            return self.seller[seller].category, f"seller|{seller}"
        for kind, code, table in (
            ("psc", self._code(psc, psc_description, self.psc_by_text), self.psc),
            ("naics", self._code(naics, naics_description, self.naics_by_text), self.naics),
        ):
            if code:
                rule = self._longest(table, code)
                if rule is not None:
                    return rule.category, f"{kind}|{rule.key}|{code}"
                if kind == "psc" or code in self.naics_text:
                    return "other", f"{kind}|-|{code}"
        return "unclassified", "unclassified"

    def reason(self, rule_key: str | None, names: dict[str, str] | None = None) -> str:
        """The rule key a fact keeps, in words, with its source (`names`: family names by id)."""
        kind, _, rest = (rule_key or "unclassified").partition("|")
        key, _, detail = rest.partition("|")
        names = names or {}
        if kind in ("product", "maker", "seller"):
            rule = getattr(self, kind).get(key)
            who = names.get(key) or (rule.name if rule else "") or key
            what = {
                "product": f"names a product of product rule {key}",
                "maker": f"names a product of {who} (product rule {detail})",
                "seller": f"sold by {who}",
            }[kind]
            return what + (f": {rule.source}" if rule else "")
        if kind in ("psc", "naics"):
            texts = self.psc_text if kind == "psc" else self.naics_text
            what = f"{kind.upper()} {detail} {texts.get(detail, '')}".strip()
            if key == "-":
                return f"{what}: no technology rule names it ({label('other')})"
            rule = (self.psc if kind == "psc" else self.naics).get(key)
            if rule is None:
                return what
            # the rule's source names its code already when the rule is the code itself, not a prefix of it
            return rule.source if key == detail else f"{what}, under rule {kind.upper()} {key}: {rule.source}"
        return "no maker, PSC or NAICS code the tables know"


def load(
    path: Path | None = None, families: dict[str, Family] | None = None, product_rules: Path | None = None
) -> Classifier:
    """The category rules and code lists, checked: a bad line is one BadTable naming the file and line, and
    nothing is applied."""
    path = Path(path or rules_file())
    families = families if families is not None else load_families()
    family_by_name = {family.name: family.id for family in families.values()}
    product_path = Path(product_rules or os.environ.get("KG_PRODUCT_RULES") or PRODUCT_RULES_FILE)
    # a rule of the shipped table or of the one in use (a smaller table of one's own leaves the others inert)
    product_ids = {
        row.get("id", "").strip() for table in {PRODUCT_RULES_FILE, product_path} for row in table_rows(table)
    }
    rules: list[CategoryRule] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in enumerate(table_rows(path), start=2):
        where = f"{path} line {line}"
        missing = [column for column in COLUMNS if not (row.get(column) or "").strip()]
        if missing:
            raise BadTable(f"{where}: give {', '.join(missing)} (columns {', '.join(COLUMNS)}; nothing was applied)")
        category, by, key = row["category"].strip(), row["by"].strip(), row["key"].strip()
        if category not in BY_ID or category == "unclassified":
            raise BadTable(
                f"{where}: unknown category {category!r}; use one of "
                f"{', '.join(c.id for c in CATEGORIES if c.id != 'unclassified')} (nothing was applied)"
            )
        if by not in BY:
            raise BadTable(f"{where}: unknown rule kind {by!r}; use one of {', '.join(BY)} (nothing was applied)")
        name = ""
        if by in ("maker", "seller"):
            if key not in family_by_name:
                raise BadTable(
                    f"{where}: {key!r} is not a family of data/vendor_families.csv or "
                    f"data/product_makers.csv; spell it as the family's name (nothing was applied)"
                )
            name, key = key, family_by_name[key]
        elif by == "product" and key not in product_ids:
            raise BadTable(f"{where}: no rule {key!r} in {PRODUCT_RULES_FILE} or {product_path} (nothing was applied)")
        elif by in ("psc", "naics"):
            key = key.upper()
            if not key.isalnum() or (by == "naics" and not key.isdigit()):
                raise BadTable(f"{where}: {key!r} is not a {by.upper()} code or prefix (nothing was applied)")
        if (by, key) in seen:
            raise BadTable(
                f"{where}: {by} {row['key'].strip()!r} already has a rule at line {seen[by, key]} (nothing was applied)"
            )
        seen[by, key] = line
        rules.append(CategoryRule(category, by, key, row["source"].strip(), line, name))
    psc_by_text, psc_text = _codes(PSC_FILE)
    naics_by_text, naics_text = _codes(NAICS_FILE)
    return Classifier(rules, psc_by_text, psc_text, naics_by_text, naics_text)


_LOADED: dict[tuple[Any, ...], Classifier] = {}


def cached() -> Classifier:
    """`load()` for readers (answers, pages), kept while its files are unchanged: reading the code lists takes
    longer than most questions."""
    product_path = Path(os.environ.get("KG_PRODUCT_RULES") or PRODUCT_RULES_FILE)
    files = (rules_file(), product_path, PSC_FILE, NAICS_FILE)
    key = tuple((str(path), path.stat().st_mtime_ns if path.exists() else None) for path in files)
    if key not in _LOADED:
        _LOADED.clear()
        _LOADED[key] = load()
    return _LOADED[key]
