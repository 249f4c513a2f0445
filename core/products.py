"""Which maker's product an action's description names: the curated rule table `data/product_makers.csv`.

A reseller or integrator is the recipient of record for much of what a maker sells ("…TO INCREASE AMAZON WEB
SERVICES…" under Four Points Technology). A rule names a product pattern, the maker (a family of
`data/vendor_families.csv`), exclusions, optional PSC/NAICS constraints, a confidence and the source that
justifies it. Matching is a pure function of the texts, so every store attributes the same actions.
Every pattern is compiled by RE2 (`core/tables.py`), the engine DuckDB screens texts with: matching time is
linear in the text, and a pattern RE2 cannot read (a lookaround, a backreference) stops with its line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .curated import DATA, Family, load_families
from .tables import BadTable
from .tables import pattern as compiled
from .tables import rows as table_rows

RULES_FILE = DATA / "product_makers.csv"
RULE_COLUMNS = ("id", "maker", "product", "pattern", "exclude", "psc", "naics", "confidence", "source")
# the texts an action is matched on, in order: its own description, else its award's
TEXT_FIELDS = ("action description", "award description")


__all__ = ["BadTable", "Match", "Matcher", "Rule", "load_rules", "rule_screens", "rules_file", "screen_pattern"]


@dataclass(frozen=True)
class Rule:
    id: str
    maker: str  # family id (org:…)
    maker_name: str
    product: str
    pattern: Any  # RE2 patterns (core/tables.py), case-insensitive; re2 has no type stubs
    exclude: Any | None
    psc: Any | None
    naics: Any | None
    confidence: float
    source: str
    line: int
    source_pattern: str = ""  # the pattern as the table writes it (without the word boundaries the matcher adds)


@dataclass(frozen=True)
class Match:
    """One maker's product found in one text: the first rule (in file order) that fires for that maker."""

    rule: Rule
    field: str  # which text: one of TEXT_FIELDS
    start: int
    end: int
    span: str  # the matched text


def rules_file() -> Path:
    return Path(os.environ.get("KG_PRODUCT_RULES") or RULES_FILE)


def _alternatives(source: str) -> list[str]:
    """The pattern's top-level alternatives (a `|` inside a group, a class or after a backslash does not split)."""
    parts, start, depth, i, in_class = [], 0, 0, 0, False
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += 2 if source[i + 1 : i + 2] == "]" else (3 if source[i + 1 : i + 3] == "^]" else 1)
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
        i += 1
    return parts + [source[start:]]


def _punctuation(token: str) -> bool:
    """Whether a pattern's first or last token is a literal character that is not a word character."""
    literal = token[1:] if token.startswith("\\") and len(token) == 2 else token
    return (
        len(literal) == 1
        and not (literal.isalnum() or literal == "_")
        and (token.startswith("\\") or literal not in "()[]{}.*+?^$|")
    )


def bounded(source: str) -> str:
    """The pattern with word boundaries around each alternative, except beside a punctuation mark it starts or
    ends with (`\\(CLEAR\\)` needs none): a product name is never matched inside a longer word."""
    out = []
    for part in _alternatives(source):
        first = part[:2] if part.startswith("\\") else part[:1]
        last = part[-2:] if len(part) >= 2 and part[-2] == "\\" and not part.endswith("\\\\") else part[-1:]
        out.append(("" if _punctuation(first) else r"\b") + part + ("" if _punctuation(last) else r"\b"))
    return "|".join(f"(?:{part})" for part in out)


def _regex(path: Path, line: int, column: str, text: str, wrap: bool = False) -> Any | None:
    text = (text or "").strip()
    if not text:
        return None
    compiled(text, f"{path} line {line}: column {column!r}")  # an error names the pattern as written
    return compiled(bounded(text) if wrap else text, f"{path} line {line}: column {column!r}")


def load_rules(path: Path | None = None, families: dict[str, Family] | None = None) -> list[Rule]:
    """The rules, checked whole: one bad line and none is applied."""
    path = Path(path or rules_file())
    families = load_families() if families is None else families
    by_name = {family.name: family for family in families.values()}
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    if not path.is_file():
        raise BadTable(f"cannot read the product rules {path}: no such file")
    reader = table_rows(path)  # the whole file decoded strictly first: a bad byte names its line
    missing = [column for column in RULE_COLUMNS if column not in (reader.fieldnames or ())]
    if missing:
        raise BadTable(
            f"{path} line 1: missing column(s) {', '.join(missing)}; the columns are {','.join(RULE_COLUMNS)}"
        )
    for line, row in enumerate(reader, start=2):
        rule_id = (row["id"] or "").strip()
        if not rule_id:
            raise BadTable(f"{path} line {line}: give the rule an id")
        if rule_id in seen:
            raise BadTable(f"{path} line {line}: rule id {rule_id!r} is already used on line {seen[rule_id]}")
        seen[rule_id] = line
        maker = by_name.get((row["maker"] or "").strip())
        if maker is None:
            raise BadTable(
                f"{path} line {line}: unknown maker {row['maker']!r}; use a canonical name of "
                f"data/vendor_families.csv (add the family there first)"
            )
        pattern = _regex(path, line, "pattern", row["pattern"], wrap=True)
        if pattern is None:
            raise BadTable(f"{path} line {line}: rule {rule_id!r} has no pattern")
        if compiled(row["pattern"].strip(), f"{path} line {line}: column 'pattern'").fullmatch(""):
            raise BadTable(f"{path} line {line}: pattern {row['pattern']!r} matches empty text")
        try:
            confidence = float(row["confidence"])
        except (TypeError, ValueError):
            confidence = -1.0
        if not 0 < confidence <= 1:
            raise BadTable(f"{path} line {line}: confidence must be a number in (0, 1], not {row['confidence']!r}")
        source = (row["source"] or "").strip()
        if not source:
            raise BadTable(f"{path} line {line}: rule {rule_id!r} gives no source (a URL or a note)")
        rules.append(
            Rule(
                rule_id,
                maker.id,
                maker.name,
                (row["product"] or "").strip() or rule_id,
                pattern,
                _regex(path, line, "exclude", row["exclude"]),
                _regex(path, line, "psc", row["psc"]),
                _regex(path, line, "naics", row["naics"]),
                confidence,
                source,
                line,
                row["pattern"].strip(),
            )
        )
    return rules


def rule_screens(rules: list[Rule]) -> list[str]:
    """For each rule, its own pattern as DuckDB's `regexp_matches` reads it: RE2 in both engines, so a store
    can say which rules are worth trying on a text and the screen finds exactly what the rule does."""
    return [f"(?i){bounded(rule.source_pattern)}" for rule in rules]


def screen_pattern(rules: list[Rule]) -> str:
    """All the rules' patterns in one, for screening texts before any rule is tried."""
    return "(?i)" + "|".join(f"(?:{screen[4:]})" for screen in rule_screens(rules))


class Matcher:
    """Finds the makers whose products a record's texts name. One combined pattern screens every text first:
    most descriptions name no product, and they cost one search."""

    def __init__(self, rules: list[Rule]):
        self.rules = rules
        self._screen = compiled(screen_pattern(rules), "the product rules' screen") if rules else None

    def match(
        self,
        texts: tuple[str | None, ...],
        psc: str | None = None,
        naics: str | None = None,
        candidates: tuple[set[int] | None, ...] | None = None,
    ) -> list[Match]:
        """[Match] per maker, for the texts in TEXT_FIELDS order: a text is read only when the ones before it
        named none of the maker's products; `psc`/`naics` are the award's code and description. `candidates`
        (per text, the indexes of the rules whose screens match it, see `rule_screens`) spares the others."""
        if self._screen is None:
            return []
        found: dict[str, Match] = {}
        for position, (field, text) in enumerate(zip(TEXT_FIELDS, texts, strict=False)):
            tried = candidates[position] if candidates is not None else None
            if not text or (tried is not None and not tried) or (tried is None and self._screen.search(text) is None):
                continue
            for index, rule in enumerate(self.rules):
                if rule.maker in found or (tried is not None and index not in tried):
                    continue
                hit = rule.pattern.search(text)
                if hit is None or (rule.exclude is not None and rule.exclude.search(text)):
                    continue
                if rule.psc is not None and not (psc and rule.psc.search(psc)):
                    continue
                if rule.naics is not None and not (naics and rule.naics.search(naics)):
                    continue
                found[rule.maker] = Match(rule, field, hit.start(), hit.end(), hit.group(0))
        return [found[maker] for maker in sorted(found)]
