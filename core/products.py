"""Which maker's product an action's description names: the curated rule table `data/product_makers.csv`.

A reseller or integrator is the recipient of record for much of what a maker sells ("…TO INCREASE AMAZON WEB
SERVICES…" under Four Points Technology). A rule names a product pattern, the maker (a family of
`data/vendor_families.csv`), exclusions, optional PSC/NAICS constraints, a confidence and the source that
justifies it. Matching is a pure function of the texts, so every store attributes the same actions.
"""
from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .curated import DATA, Family, load_families

RULES_FILE = DATA / "product_makers.csv"
RULE_COLUMNS = ("id", "maker", "product", "pattern", "exclude", "psc", "naics", "confidence", "source")
# the texts an action is matched on, in order: its own description, else its award's
TEXT_FIELDS = ("action description", "award description")


class BadTable(ValueError):
    """A curated table (rules or judgements) that cannot be applied: the message names the file and line."""


@dataclass(frozen=True)
class Rule:
    id: str
    maker: str  # family id (org:…)
    maker_name: str
    product: str
    pattern: re.Pattern
    exclude: re.Pattern | None
    psc: re.Pattern | None
    naics: re.Pattern | None
    confidence: float
    source: str
    line: int

    @property
    def source_pattern(self) -> str:
        """The pattern as the table writes it (without the word boundaries the matcher adds)."""
        return self.pattern.pattern[len(r"\b(?:"):-len(r")\b")]


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


def _regex(path: Path, line: int, column: str, text: str, wrap: bool = False) -> re.Pattern | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return re.compile(rf"\b(?:{text})\b" if wrap else text, re.IGNORECASE)
    except re.error as error:
        raise BadTable(f"{path} line {line}: column {column!r} is not a valid regular expression "
                       f"({error}): {text!r}; fix it and run `python -m graph attribute`") from None


def load_rules(path: Path | None = None, families: dict[str, Family] | None = None) -> list[Rule]:
    """The rules, checked whole: one bad line and none is applied."""
    path = Path(path or rules_file())
    families = load_families() if families is None else families
    by_name = {family.name: family for family in families.values()}
    rules, seen = [], {}
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as error:
        raise BadTable(f"cannot read the product rules {path}: {error.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        missing = [column for column in RULE_COLUMNS if column not in (reader.fieldnames or ())]
        if missing:
            raise BadTable(f"{path} line 1: missing column(s) {', '.join(missing)}; the columns are "
                           f"{','.join(RULE_COLUMNS)}")
        for line, row in enumerate(reader, start=2):
            rule_id = (row["id"] or "").strip()
            if not rule_id:
                raise BadTable(f"{path} line {line}: give the rule an id")
            if rule_id in seen:
                raise BadTable(f"{path} line {line}: rule id {rule_id!r} is already used on line {seen[rule_id]}")
            seen[rule_id] = line
            maker = by_name.get((row["maker"] or "").strip())
            if maker is None:
                raise BadTable(f"{path} line {line}: unknown maker {row['maker']!r}; use a canonical name of "
                               f"data/vendor_families.csv (add the family there first)")
            pattern = _regex(path, line, "pattern", row["pattern"], wrap=True)
            if pattern is None:
                raise BadTable(f"{path} line {line}: rule {rule_id!r} has no pattern")
            if re.fullmatch(row["pattern"].strip(), ""):
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
            rules.append(Rule(rule_id, maker.id, maker.name, (row["product"] or "").strip() or rule_id, pattern,
                              _regex(path, line, "exclude", row["exclude"]), _regex(path, line, "psc", row["psc"]),
                              _regex(path, line, "naics", row["naics"]), confidence, source, line))
    return rules


def without_lookarounds(source: str) -> str:
    """The pattern with its lookahead and lookbehind groups taken out: it matches every text the pattern does
    (assertions only narrow), in the syntax RE2 also reads, so a store can screen texts in its own engine."""
    out, i, depth_class = [], 0, False
    while i < len(source):
        char = source[i]
        if char == "\\":
            out.append(source[i:i + 2])
            i += 2
            continue
        if depth_class:
            depth_class = char != "]"
            out.append(char)
            i += 1
            continue
        if char == "[":
            depth_class = True
            out.append(char)
            if source[i + 1:i + 2] == "]" or source[i + 1:i + 3] == "^]":  # a ] first in a class is literal
                step = 2 if source[i + 1] == "]" else 3
                out.append(source[i + 1:i + step])
                i += step
                continue
            i += 1
            continue
        if source.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            i = _group_end(source, i)
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _group_end(source: str, start: int) -> int:
    """Index just after the group opened at `start`."""
    depth, i, in_class = 0, start, False
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(source)


def rule_screens(rules: list[Rule]) -> list[str]:
    """For each rule, a case-insensitive pattern that matches every text the rule could match (word boundaries
    and lookarounds left out): a store's own engine can say which rules are worth trying on a text."""
    return [f"(?i){without_lookarounds(rule.source_pattern)}" for rule in rules]


def screen_pattern(rules: list[Rule]) -> str:
    """All the rules' screens in one pattern, for screening texts before any rule is tried."""
    return "(?i)" + "|".join(f"(?:{screen[4:]})" for screen in rule_screens(rules))


class Matcher:
    """Finds the makers whose products a record's texts name. One combined pattern screens every text first:
    most descriptions name no product, and they cost one search."""

    def __init__(self, rules: list[Rule]):
        self.rules = rules
        self._screen = (re.compile("|".join(f"(?:{rule.pattern.pattern})" for rule in rules), re.IGNORECASE)
                        if rules else None)

    def match(self, texts: tuple[str | None, ...], psc: str | None = None, naics: str | None = None,
              candidates: tuple[set[int] | None, ...] | None = None) -> list[Match]:
        """[Match] per maker, for the texts in TEXT_FIELDS order: a text is read only when the ones before it
        named none of the maker's products; `psc`/`naics` are the award's code and description. `candidates`
        (per text, the indexes of the rules whose screens match it, see `rule_screens`) spares the others."""
        if self._screen is None:
            return []
        found: dict[str, Match] = {}
        for position, (field, text) in enumerate(zip(TEXT_FIELDS, texts)):
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
