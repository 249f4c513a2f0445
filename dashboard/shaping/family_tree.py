"""The family tree on the vendor page: who is whose parent, each link with the record that reports it or the
curated table (and its note) that states it, so a reader can check every branch before printing it."""

from __future__ import annotations

from dashboard.render.text import record_link
from dashboard.shaping.exports import where_from


def tree_lines(family: dict) -> list[str]:
    """The family as an indented tree from its head; a member reported under several parents appears under
    each (its links differ in source), a member whose parent is outside the tree hangs from the head."""
    members = {m["id"]: m for m in family["subsidiaries"]}
    children: dict[str, set[str]] = {}
    for member in family["subsidiaries"]:
        parents = {p["parent_id"] for p in member["parents_reported"]} & (set(members) | {family["id"]})
        for parent in parents or {family["id"]}:
            children.setdefault(parent, set()).add(member["id"])
    lines, seen = [f"{family['name']}  ({family['id']})"], {family["id"]}

    def walk(parent: str, depth: int) -> None:
        for child in sorted(children.get(parent, ()), key=lambda c: (members[c]["name"] or "", c)):
            bases = sorted({p["basis"] for p in members[child]["parents_reported"] if p["parent_id"] == parent})
            lines.append(
                f"{'    ' * depth}└─ {members[child]['name'] or child}  ({child})"
                + (f"  [{', '.join(bases)}]" if bases else "  [in the family by its records]")
            )
            if child not in seen:
                seen.add(child)
                walk(child, depth + 1)

    walk(family["id"], 1)
    return lines


def link_rows(family: dict) -> list[dict]:
    """Every parent link with where it comes from: a record (file, line, dates reported, permalink) or the
    curated table with its note."""
    rows = []
    for member in [family, *family["subsidiaries"]]:
        for link in member.get("parents_reported") or []:
            rows.append(
                {
                    "vendor": member["name"],
                    "parent": link["parent"],
                    "relation": link["relation"],
                    "basis": link["basis"],
                    "source": where_from(link) if link.get("source") else "",
                    "reported": " to ".join(d for d in (link["first_reported"], link["last_reported"]) if d),
                    "note": link.get("note") or "",
                    "permalink": record_link(link.get("permalink")),
                }
            )
    return rows
