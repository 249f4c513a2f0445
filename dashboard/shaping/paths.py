"""What the Paths page says and draws: its answer in one sentence, the direct ties (awarded and funded said once
when they are the same actions), and the chains, each as a small graph of its own with the amount on every hop,
after folding the chains that cite the very same records (two offices of one agency reached through the same
awards read as one chain, "also through" the others). Pure functions: same answers, same words and picture."""

from __future__ import annotations

from core.wording import count, money, short_money, year_runs, years
from dashboard.render.profile_links import agency_url, vendor_url
from dashboard.shaping.network import short_label
from graph.questions.ties import SAME_COMPANY, sentence, shared_office, trimmed

ROW = 150  # vertical distance between two chains in the drawing
STEP = 260  # horizontal distance between two hops
LINKS_WITHOUT_MONEY = ("PARENT", "PART_OF")  # a family's or an agency's own structure


def cited(hop: dict) -> tuple:
    """What a money hop rests on: its awards (largest first), else its one record, else its two ends."""
    awards = tuple(r["award"] for r in hop.get("records") or [])
    if awards:
        return awards
    if hop.get("source"):
        return hop.get("source"), hop.get("record")
    return hop["rel"], hop["from"]["id"], hop["to"]["id"]


def collapse(chains: list[list[dict]]) -> list[dict]:
    """Chains whose money hops cite the same records, in order, are one (they differ only in the family members
    or parent agencies they pass): the first kept, the others' middle entities listed as `also_through`."""
    kept: dict[tuple, dict] = {}
    for chain in chains:
        signature = tuple(cited(hop) for hop in chain if hop["rel"] not in LINKS_WITHOUT_MONEY) or tuple(
            cited(hop) for hop in chain
        )
        middle = " → ".join(h["to"]["name"] or h["to"]["id"] for h in chain[:-1])
        if signature in kept:
            kept[signature]["also_through"].append(middle)
        else:
            kept[signature] = {"hops": chain, "also_through": []}
    return list(kept.values())


def hop_label(hop: dict) -> str:
    """The amount on a hop, as short as a drawing needs (the exact figure is in the table below it)."""
    if hop["rel"] in ("AWARDED", "FUNDED"):
        verb = "awarded" if hop["rel"] == "AWARDED" else "funded"
        return f"{verb} {short_money(hop.get('obligated'))} in {hop.get('awards', 0):,} award(s)"
    if hop["rel"] == "SUBAWARD":
        return f"subaward {short_money(hop.get('amount'))}"
    if hop["rel"] == "THROUGH_OTHERS":
        return f"via resellers {short_money(hop.get('obligated'))} (attributed)"
    forwards = hop.get("child") in (None, hop["from"]["id"])  # the left end is the child: the label reads left to right
    if hop["rel"] == "PART_OF":
        return "part of →" if forwards else "← part of"
    word = {SAME_COMPANY: "another registration of", "subsidiary": "subsidiary of"}.get(
        hop.get("relation"), "reports as parent"
    )
    return f"{word} →" if forwards else f"← {word}"


def _url(end: dict) -> str | None:
    if end["kind"] == "Vendor":
        return vendor_url(end["id"], end["name"])
    return agency_url(end["id"].split(":", 1)[-1], end["name"])


def chains_graph(chains: list[dict]) -> tuple[dict, dict[str, tuple[float, float]]]:
    """One picture holding each chain on a row of its own (its entities drawn once per chain), for
    `network.build_html`, with fixed positions."""
    nodes, edges, where = [], [], {}
    for row, chain in enumerate(chains):
        hops = chain["hops"]
        ends = [hops[0]["from"]] + [hop["to"] for hop in hops]
        ids = [f"{row}|{end['kind']}:{end['id']}" for end in ends]
        for column, (nid, end) in enumerate(zip(ids, ends, strict=False)):
            nodes.append(
                {
                    "id": nid,
                    "kind": end["kind"],
                    "name": end["name"] or end["id"],
                    "label": short_label(end["name"] or end["id"]),
                    "url": _url(end),
                    "obligated": None,
                    "tier": end["id"].split(":", 1)[0] if end["kind"] == "Agency" else None,
                }
            )
            where[nid] = (float(column * STEP), float(row * ROW))
        for hop, left, right in zip(hops, ids, ids[1:], strict=False):
            edges.append({"source": left, "target": right, "type": "CHAIN", "label": hop_label(hop)})
    return {"nodes": nodes, "edges": edges}, where


# -- the words ------------------------------------------------------------------------------------------------
def said(sentences) -> str:
    """Sentences joined as prose, one full stop each (a name ending in "Inc." ends its sentence already)."""
    return " ".join(s if s.endswith(".") else s + "." for s in sentences)


def money_blocks(answer: dict) -> list[dict]:
    """The vendor–agency money ties as blocks: one "awarded and funded" block when the agency awarded and funded
    the very same actions; the smaller one said in a line inside the larger when all its actions are in it; else
    both, each saying what they share. Each block: {tie, verb, note}."""
    money_ties = {t["role"]: t for t in answer["ties"] if t["role"] != "subaward"}
    both, agency = answer.get("both"), _agency(answer)
    if len(money_ties) < 2 or not both:
        return [{"tie": t, "verb": t["relation"].split()[0], "note": None} for t in money_ties.values()]
    awarded, funded = money_ties["awarding"], money_ties["funding"]
    if both["actions"] == awarded["actions"] == funded["actions"]:
        return [{"tie": awarded, "verb": "awarded and funded", "note": None}]
    shared = f"{count(both['actions'], 'action')} ({money(both['obligated'])} in {count(both['awards'], 'award')})"
    if both["actions"] == funded["actions"]:
        return [
            {
                "tie": awarded,
                "verb": "awarded",
                "note": f"{agency} also funded {shared} of these; it funded no other action of this family.",
            }
        ]
    if both["actions"] == awarded["actions"]:
        return [
            {
                "tie": funded,
                "verb": "funded",
                "note": f"{agency} also awarded {shared} of these; it awarded no other action of this family.",
            }
        ]
    note = f"{shared} are in both blocks: {agency} awarded and funded them." if both["actions"] else None
    return [{"tie": awarded, "verb": "awarded", "note": note}, {"tie": funded, "verb": "funded", "note": note}]


def _agency(answer: dict) -> str:
    return next((e["name"] or e["id"] for e in answer["ends"] if e["kind"] == "Agency"), "the agency")


def _vendor(answer: dict) -> str:
    return next((e["name"] or e["id"] for e in answer["ends"] if e["kind"] == "Vendor"), "the vendor")


def family(name: str) -> str:
    """ "the Palantir Technologies Inc. family", "The GEO Group, Inc. family" (never "the The")."""
    return f"{name} family" if name.lower().startswith("the ") else f"the {name} family"


def block_line(answer: dict, block: dict) -> str:
    """One tie block in a sentence: who paid whom, how much, in how many awards and actions, over which years."""
    tie = block["tie"]
    span = years(tie["fy_first"], tie["fy_last"]) if tie["fy_first"] else "no action dated by fiscal year"
    return (
        f"{_agency(answer)} {block['verb']} contract actions to {family(_vendor(answer))}: "
        f"{money(tie['obligated'])} obligated in {count(tie['awards'], 'award')} ({count(tie['actions'], 'action')}), "
        f"{span}."
    )


def headline(
    answer: dict, real: list[dict], weak: list[list[dict]], max_hops: int, not_loaded: tuple[int, ...] = ()
) -> tuple[str, str | None]:
    """The page's answer in one sentence, before any evidence or caveat; and, when there is no link, one more
    sentence saying what was looked for (None otherwise). `not_loaded`: the fiscal years the store lacks, named
    when they fall inside the tie's span (a quote must not outrun the data)."""
    names = [e["name"] or e["id"] for e in answer["ends"]]
    blocks = money_blocks(answer)
    if answer["same_family"]:
        links = "; ".join(sentence(h) for h in real[0]["hops"]) if real else ""
        return said(["Both names belong to one company family" + (f": {links}" if links else "")]), None
    if blocks:
        tie = blocks[0]["tie"]
        span = years(tie["fy_first"], tie["fy_last"]) if tie["fy_first"] else "no action dated by fiscal year"
        gaps = [y for y in not_loaded if tie["fy_first"] and tie["fy_first"] < y < tie["fy_last"]]
        span += f" ({year_runs(gaps)} not loaded)" if gaps else ""
        return (
            f"{_agency(answer)} {blocks[0]['verb']} {family(_vendor(answer))} {short_money(tie['obligated'])} "
            f"in {count(tie['awards'], 'award')}, {span}: a direct tie."
        ), None
    subawards = [t for t in answer["ties"] if t["role"] == "subaward"]
    if subawards:
        tie = subawards[0]
        prime = next(e["name"] or e["id"] for e in answer["ends"] if e["id"] == tie["prime_family"])
        sub = names[1] if prime == names[0] else names[0]
        return (
            f"{prime}'s prime awards made {count(tie['subawards'], 'subaward')} to {family(sub)}: "
            f"{short_money(tie['amount'])}, a direct tie."
        ), None
    vendor = "Vendor" in {e["kind"] for e in answer["ends"]}
    none = f"{names[0]} and {names[1]} have no direct tie in this store."
    looked = (
        "No contract action between them, no subaward between their families"
        if vendor
        else "Neither agency is part of the other"
    )
    if real:
        hops = real[0]["hops"]
        linked = said(
            [
                f"{names[0]} and {names[1]} are linked in {count(len(hops), 'hop')}: "
                + "; ".join(sentence(h) for h in hops)
            ]
        )
        return (
            f"{none[:-1]}; they are linked in {count(len(hops), 'hop')}: "
            + said(["; ".join(sentence(h) for h in hops)])
            if vendor
            else linked
        ), None
    if weak and not vendor:
        return none, (
            f"{looked}; the only chains within {count(max_hops, 'hop')} run through "
            f"{shared_office(weak[0])}, which is no link between them."
        )
    if weak:
        return none, (
            f"{looked}, and no chain of ownership, subaward or money within {count(max_hops, 'hop')}: the "
            f"only chains run through an office that dealt with both sides ({shared_office(weak[0])})."
        )
    return none, f"{looked}, and no chain of at most {count(max_hops, 'hop')} links them."


def readable(folded: list[dict]) -> list[dict]:
    """Folded chains with the hops a name adds by resolving to its own family taken off (`meant` keeps what those
    hops said: "PALANTIR TECHNOLOGIES INC. is another registration of Palantir Technologies Inc.")."""
    out = []
    for chain in folded:
        hops, meant = trimmed(chain["hops"])
        out.append({**chain, "hops": hops, "meant": meant})
    return out


def hop_vs_tie(hop: dict, answer: dict) -> str | None:
    """Why a chain's registration-to-agency hop shows less than the family's tie above it, in words: the hop
    counts one registration's actions whose records name the agency itself; the tie counts the whole family's
    actions at or below the agency. None when they agree or the hop is not one of the tie's."""
    if hop["rel"] not in ("AWARDED", "FUNDED") or hop.get("obligated") is None:
        return None
    vendor, agency = (hop["from"], hop["to"]) if hop["from"]["kind"] == "Vendor" else (hop["to"], hop["from"])
    role = "awarding" if hop["rel"] == "AWARDED" else "funding"
    tie = next((t for t in answer["ties"] if t["role"] == role), None)
    if tie is None or agency["id"] not in {e["id"] for e in answer["ends"]} or tie["obligated"] is None:
        return None
    registration = next((r for r in tie["registrations"] if r["id"] == vendor["id"]), None)
    if registration is None or registration["obligated"] is None:
        return None
    offices = round(registration["obligated"] - hop["obligated"], 2)
    others = [r for r in tie["registrations"] if r["id"] != vendor["id"]]
    rest = round(tie["obligated"] - registration["obligated"], 2)
    if not offices and not rest:
        return None
    name, where = vendor["name"] or vendor["id"], agency["name"] or agency["id"]
    parts = []
    if offices:
        parts.append(
            f"{short_money(offices)} more to {name} in actions whose records name an office of {where} "
            "rather than the agency itself"
        )
    if rest:
        parts.append(
            f"{short_money(rest)} to the family's other registrations (" + ", ".join(r["name"] for r in others) + ")"
        )
    verb = "awarded" if role == "awarding" else "funded"
    return (
        f"This hop's {short_money(hop['obligated'])} in {count(hop.get('awards'), 'award')} counts only the "
        f"actions of {name} whose records name {where} itself; the family's tie above "
        f"({short_money(tie['obligated'])} {verb} in {count(tie['awards'], 'award')}) also holds "
        + " and ".join(parts)
        + "."
    )
