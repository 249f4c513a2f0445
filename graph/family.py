"""Which family a vendor belongs to on a given date: one at a time, so no money is counted twice.

A vendor's parent is its curated parent company if the curated table names one (a judgement with a
cited source, valid at all times); otherwise the parent its records report, as of the record: the
parent reported on the latest record at or before the date (before its first record, the first one
reported). The family is the top of that chain on that date; a chain that loops stands at its smallest
id. Facts go to the family of their date, so the families' totals add up to the grand total.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass


@dataclass(frozen=True)
class Reported:
    parent: str
    first: str | None  # ISO dates of the first and last record reporting this parent
    last: str | None


class Families:
    def __init__(self, curated: dict[str, list[str]], reported: dict[str, list[Reported]]):
        self.curated = {child: min(parents) for child, parents in curated.items() if parents}
        self.events: dict[str, list[tuple[str, str]]] = {}  # child -> [(date, parent)] sorted
        for child, links in reported.items():
            if child in self.curated:
                continue
            events = sorted({(date, link.parent) for link in links for date in (link.first, link.last) if date})
            undated = sorted(link.parent for link in links if not (link.first or link.last))
            if not events and undated:
                events = [("", undated[0])]
            if events:
                self.events[child] = events

    def parent(self, vendor: str, date: str | None) -> str | None:
        """The vendor's parent on `date` (None: as of its latest record)."""
        if vendor in self.curated:
            return self.curated[vendor]
        events = self.events.get(vendor)
        if not events:
            return None
        if date is None:
            date = events[-1][0]
        dates = [event[0] for event in events]
        at = bisect_right(dates, date) - 1
        if at < 0:
            return events[0][1]
        same_day = [parent for day, parent in events if day == events[at][0]]
        return min(same_day)  # two parents reported on one day: the smaller id, whatever the load order

    def family(self, vendor: str, date: str | None) -> str:
        chain, current = [vendor], self.parent(vendor, date)
        while current is not None and current not in chain:
            chain.append(current)
            current = self.parent(current, date)
        if current is None:
            return chain[-1]
        return min(chain[chain.index(current) :])  # a loop of reported parents

    def _breakpoints(self, vendor: str) -> list[str]:
        seen, stack, dates = {vendor}, [vendor], set()
        while stack:
            node = stack.pop()
            if node in self.curated:
                nexts = [self.curated[node]]
            else:
                events = self.events.get(node, [])
                dates.update(day for day, _ in events[1:])  # before the first event the first parent holds
                nexts = [parent for _, parent in events]
            for following in nexts:
                if following not in seen:
                    seen.add(following)
                    stack.append(following)
        return sorted(day for day in dates if day)

    def timeline(self, vendor: str) -> list[tuple[str | None, str | None, str]]:
        """[(valid from, valid to, family)]: half-open date intervals, None = unbounded, adjacent ones merged."""
        points = self._breakpoints(vendor)
        starts = [None, *points]
        rows: list[list] = []
        for index, start in enumerate(starts):
            family = self.family(vendor, start if start is not None else "")
            end = points[index] if index < len(points) else None
            if rows and rows[-1][2] == family:
                rows[-1][1] = end
            else:
                rows.append([start, end, family])
        return [tuple(row) for row in rows]
