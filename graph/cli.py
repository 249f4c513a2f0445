"""`python -m graph`: ask the graph questions (stats, vendor families, agencies, paths, search).

JSON on stdout with --json, a short readable report otherwise; errors are one line on stderr.
Exit codes: 0 answered, 1 not found or store unavailable, 2 ambiguous (candidates on stderr).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from core.categories import sectors
from core.coverage import notes as coverage_notes
from core.facts import AWARD_READ_NAMES, UnknownField
from core.judgements import append_judgement, judgements_file
from core.products import BadTable
from core.wording import NO_FEDERAL_AWARDS, money
from graph.console import OneLineParser, number, print_json
from graph.questions.analytics import vendor_centrality
from graph.questions.answers import cite
from graph.questions.local import MAX_SHARING_HOPS, federal_path, federal_sentence
from graph.questions.queries import MAX_HOPS, Queries
from graph.questions.ties import shared_office
from graph.reports.brief import assemble as assemble_brief
from graph.reports.brief_render import FORMATS as BRIEF_FORMATS
from graph.reports.brief_render import render as render_brief
from graph.reports.export import FORMATS, export_sector
from graph.store import STORES, Ambiguous, NotFound, StoreUnavailable, open_store

COUNT = number(int, 1, 10**9)  # how many rows to list
YEAR = number(int, 1900, 2100)  # a fiscal year
MAX_AMOUNT = 1e12  # dollars: no contract action comes near


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m graph", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--store",
        choices=sorted(STORES),
        default="embedded",
        help="which store to read (default: the embedded store under KG_HOME)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name, text):
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument("--json", action="store_true", help="print JSON on stdout")
        sub.add_argument("--store", choices=sorted(STORES), default=argparse.SUPPRESS, help="which store to read")
        return sub

    def sector(sub):
        sub.add_argument(
            "--sector",
            action="append",
            metavar="NAME",
            help="only these categories (repeatable): technology (surveillance, data, cloud), all, or "
            "a category (surveillance, data, cloud, it, telecom, detention, transport, other, "
            "unclassified)",
        )
        return sub

    command("stats", "count nodes by label and relationships by type")
    vendor = command("vendor", "a vendor family: top parent, subsidiaries, awards, agencies, totals")
    vendor.add_argument("name", help="part of a vendor name or alias (case-insensitive)")
    sector(vendor)
    agency = command("agency", "an agency with its sub-agencies and offices: awards, funding, vendors")
    agency.add_argument("name", metavar="NAME|CODE", help="code (070, 7012, 70CDCR), abbreviation (ICE) or name")
    agency.add_argument("--limit", type=COUNT, default=100, help="awards listed (totals count all)")
    sector(agency)
    award = command("award", "awards by key: the award as readers see it, or --field values as stored")
    award.add_argument(
        "keys", nargs="+", metavar="KEY", help="generated award id, e.g. CONT_AWD_70CDCR18P00000008_7012_-NONE-_-NONE-"
    )
    award.add_argument(
        "--field",
        action="append",
        dest="fields",
        metavar="NAME",
        help=f"only this declared field (repeatable): {', '.join(AWARD_READ_NAMES)}",
    )
    search = command("search", "vendors and agencies whose name, alias or code contains TEXT")
    search.add_argument("text")
    search.add_argument("--limit", type=COUNT, default=20)
    ties = command("ties", "every direct tie between two entities: awards, obligated, years, offices; subawards")
    ties.add_argument("a")
    ties.add_argument("b")
    sector(ties)
    paths = command("paths", "shortest chains of records linking two entities")
    paths.add_argument("a")
    paths.add_argument("b")
    paths.add_argument("--max-hops", type=number(int, 1, MAX_HOPS), default=6, metavar=f"1..{MAX_HOPS}")
    paths.add_argument("--limit", type=COUNT, default=5)
    paths.add_argument(
        "--direct-only", action="store_true", help="leave out the links of makers' products sold through other vendors"
    )
    paths.add_argument(
        "--shared-offices",
        action="store_true",
        help="also list chains that only pass through an office both ends dealt with (no link), after the real ones",
    )

    def network_filters(sub):
        sub.add_argument("--agency")
        sub.add_argument("--vendor")
        sub.add_argument("--from-year", type=YEAR, dest="fy_from", help="first fiscal year")
        sub.add_argument("--to-year", type=YEAR, dest="fy_to", help="last fiscal year")
        sub.add_argument("--min-amount", type=number(float, 0, MAX_AMOUNT), default=0.0)
        sub.add_argument(
            "--award-type",
            action="append",
            dest="award_types",
            metavar="TYPE",
            help="only awards of this type (repeatable), e.g. 'DELIVERY ORDER'",
        )
        sector(sub)

    network_filters(command("subgraph", "vendor-agency network with filters (what the network view draws)"))
    centrality = command("centrality", "vendors ranked by centrality in the vendor-agency network (networkx)")
    network_filters(centrality)
    centrality.add_argument("--limit", type=COUNT, default=25)
    export = command(
        "export",
        "write the whole store as graphml, gexf, neo4j-admin csv, a Cypher script or "
        "FollowTheMoney entities (ftm: JSON lines for Aleph)",
    )
    export.add_argument("--format", required=True, choices=FORMATS)
    export.add_argument("out", type=Path, help="file (graphml, gexf, cypher, ftm) or directory (csv)")
    sector(export)
    command("runs", "what was loaded, when, from where, with row counts and rejects")
    changes = command(
        "changes",
        "what the loads added or changed: new awards and modifications, changed amounts "
        "and end dates, new vendors and vendor-agency pairs, each with its record",
    )
    changes.add_argument(
        "--since",
        type=_since,
        metavar="DATE",
        help="loaded on or after this ISO date (default: what the latest load changed)",
    )
    changes.add_argument("--vendor", help="only this vendor's family (part of a name)")
    changes.add_argument("--agency", metavar="NAME|CODE", help="only this agency, with its sub-agencies and offices")
    changes.add_argument("--limit", type=COUNT, help="at most this many (default: all)")
    attribute = command(
        "attribute",
        "attribute actions to the makers their descriptions name again, with the "
        "current data/product_makers.csv and data/judgements.csv (run after editing "
        "either)",
    )
    attribute.add_argument(
        "--strict",
        action="store_true",
        help="a judgement naming a record the store does not "
        "hold is an error (by default it is warned about and counted as pending)",
    )
    review = command(
        "review",
        "the review queue: attributions by amount and vendor merges made by name only, each "
        "with its evidence; with --verdict, record a judgement in data/judgements.csv",
    )
    review.add_argument(
        "--kind",
        choices=("attribution", "merge", "local"),
        help="only this kind (local: local agencies of two sources with one name and state)",
    )
    review.add_argument("--pending", action="store_true", help="only what no one has judged yet")
    review.add_argument("--limit", type=COUNT, help="at most this many of each kind")
    review.add_argument(
        "--record",
        help="the action or award key (attributions), name|uei|duns (merges) or the match's record (local) judged",
    )
    target = review.add_mutually_exclusive_group()
    target.add_argument("--maker", help="the maker an attribution names (its family's canonical name)")
    target.add_argument("--vendor", help="the vendor id a party was merged into")
    review.add_argument("--verdict", choices=("correct", "wrong", "same", "not_same"))
    review.add_argument("--who", help="who judges (a name or handle)")
    review.add_argument("--why", help="the evidence read")
    brief = command(
        "brief",
        "a one-page brief on a vendor family to hand out: money by agency, top awards, "
        "upcoming end dates, sources (Markdown on stdout, or --out FILE)",
    )
    brief.add_argument("name", help="part of a vendor name or alias, a UEI, DUNS or vendor id")
    brief.add_argument("--format", choices=BRIEF_FORMATS, default="md", help="md (default), html or pdf")
    brief.add_argument("--out", type=Path, help="write the brief to this file (pdf needs one)")
    sector(brief)
    command(
        "bridge",
        "vendor families local agencies use (deployments, local contracts), with what the same "
        "family sells to federal agencies: both sides' counts, money and records",
    )
    sharing = command(
        "sharing",
        "who can search a local agency's data (Flock portals' access lists), directly and "
        "through N hops, the federal agencies among them, and whose data it can search",
    )
    sharing.add_argument(
        "agency", metavar="AGENCY", nargs="?", help="a local agency's name as a source spells it, or its id"
    )
    sharing.add_argument(
        "--federal",
        action="store_true",
        help="instead of one agency: every local agency whose data a federal agency can search",
    )
    sharing.add_argument("--hops", type=number(int, 1, MAX_SHARING_HOPS), default=1, metavar=f"1..{MAX_SHARING_HOPS}")
    policies = command(
        "policies",
        "local agencies whose policy prohibits a use, with how many agencies in how many "
        "other states can search their data",
    )
    policies.add_argument("--prohibits", required=True, metavar="TEXT", help='e.g. "immigration"')
    outcomes = command(
        "outcomes",
        "campaign outcomes: where deployments were cancelled, rejected or ended, when, the status "
        "in the source's words and as mapped, the source and its archived copy, beside the "
        "deployment's other records",
    )
    outcomes.add_argument("--vendor", help="part of a vendor name or alias: that vendor's family only")
    outcomes.add_argument("--state", help="a state's code or name")
    outcomes.add_argument(
        "--status",
        default="cancelled,rejected,ended",
        metavar="LIST",
        help="statuses, comma-separated (default cancelled,rejected,ended; active is accepted too)",
    )
    outcomes.add_argument("--since", type=_day, help="only records dated on or after this day (ISO date)")
    targets = command(
        "targets",
        "an agency's vendor families ranked for a campaign: money in the sector (default: "
        "the technology lens), sales through resellers, dependence where measured, graded "
        "renewal pressure, and local levers beside the score",
    )
    targets.add_argument("agency", metavar="AGENCY", help="code (7012), abbreviation (ICE) or name")
    targets.add_argument(
        "--sector",
        action="append",
        metavar="NAME",
        help="technology (the default: surveillance, data, cloud), all (every purchase), or a category (repeatable)",
    )
    targets.add_argument("--months", type=number(int, 1, 120), default=12, help="renewal window (default 12)")
    targets.add_argument("--today", type=_day, help="the day the window starts (ISO date; default: today)")
    clear = command("clear", "empty the store")
    clear.add_argument("--yes", action="store_true", help="really empty it")
    return parser


def _review(ask: Queries, args) -> dict:
    """List the queue, or (with --verdict) check one judgement against the store and append it to the file."""
    if args.verdict is None:
        if args.record or args.maker or args.vendor or args.who or args.why:
            raise BadTable("to record a judgement give --record, --maker or --vendor, --verdict, --who and --why")
        return ask.review(kind=args.kind, pending=args.pending, limit=args.limit)
    if args.kind == "local":
        kind, target = "local", "(the pair's other agency)"
        if args.verdict not in ("same", "not_same") or args.maker or args.vendor:
            raise BadTable("a local judgement is --verdict same or not_same on --record (no --maker or --vendor)")
    else:
        kind = "attribution" if args.verdict in ("correct", "wrong") else "merge"
        target = args.maker if kind == "attribution" else args.vendor
    missing = [
        flag
        for flag, value in (
            ("--record", args.record),
            ("--maker" if kind == "attribution" else "--vendor", target),
            ("--who", args.who),
            ("--why", args.why),
        )
        if not value
    ]
    if missing:
        raise BadTable(f"a {kind} judgement needs {', '.join(missing)}")
    record = args.record
    if kind == "local":  # the queue's record names the pair: its two agencies are what the file keeps
        record, target = ask.local_match(args.record)
    row = {
        "kind": kind,
        "record": record,
        "target": target,
        "verdict": args.verdict,
        "who": args.who,
        "why": args.why,
    }
    from core.judgements import check  # the row's own checks first: they name what is wrong

    judged = check({**row, "when": "2000-01-01"}, _families(), "the judgement given")
    ask.check_judged(kind, judged.record, judged.target)
    written = append_judgement(row)
    return {
        "recorded": {k: getattr(written, k) for k in ("kind", "record", "target", "verdict", "who", "when", "why")},
        "file": str(judgements_file()),
    }


def _brief(ask: Queries, args) -> dict:
    """Assemble and render the brief; write it to --out (pdf must go to a file), else keep the text for stdout."""
    if args.format == "pdf" and args.out is None:
        raise BadTable("--format pdf writes a file: give --out FILE.pdf")
    content = render_brief(cite(assemble_brief(ask, args.name, categories=sectors(args.sector))), args.format)
    if args.out is None:
        return {"format": args.format, "out": None, "text": content.decode("utf-8")}
    args.out.write_bytes(content)
    return {"format": args.format, "out": str(args.out), "bytes": len(content)}


def _families():
    from core.curated import load_families

    return load_families()


def _day(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date (YYYY-MM-DD)") from None


def _targets_report(answer: dict) -> str:
    """`targets`: the ranking, one line of figures and one reason per family, then who lacks a profile."""
    from graph.questions.targets import report

    return report(answer)


def _since(text: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}(T[\d:.+-]+Z?)?", text.strip()):
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date (YYYY-MM-DD)")
    return text.strip()


def _local_report(command: str, answer: dict) -> str:
    if command == "bridge":
        lines = []
        for row in answer["families"]:
            local, federal = row["local"], row["federal"]
            lines.append(
                f"{row['name']}: used by {local['agencies']} local agencies in {local['states']} states "
                f"({local['deployments']} deployments, {local['contracts']} local contracts); federal: "
                + (
                    f"${federal['obligated']:,.2f} obligated in {federal['awards']} awards"
                    if row["in_federal_data"]
                    else "none in the federal data loaded"
                )
            )
        return "\n".join(lines) or "no local deployments or contracts loaded"
    if command == "sharing" and "links" in answer:  # --federal
        return _federal_report(answer)
    if command == "sharing":
        agency, found = answer["agency"], answer["searchable_by"]
        searched = (
            f"{found['direct_count']} agencies can search its data"
            if found["direct_count"]
            else "who can search its data: not reported (no access list of its own in the data)"
        )
        lines = [
            f"{agency['name']} ({agency['id']}): {searched}; "
            f"it can search {answer['can_search']['count']} agencies' data"
        ]
        lines += [f"  hop {level['hop']}: {level['count']} agencies" for level in found["by_hop"]]
        lines += [f"  federal: {a['name']} (hop {a['hop']})" for a in found["federal"]]
        lines += [f"  searches: {a['name']}" for a in answer["can_search"]["agencies"][:50]]
        return "\n".join(lines)
    lines = [f"{answer['count']} agencies' policies prohibit {answer['prohibits']!r}"]
    lines += [
        f"  {a['name']}: searchable by {a['searchable_by']} agencies, {a['other_state_agencies']} of them in "
        f"{a['other_states']} other states"
        if a["searchable_by"]
        else f"  {a['name']}: who can search its data not reported (no access list of its own in the data)"
        for a in answer["agencies"]
    ]
    return "\n".join(lines)


def _outcomes_report(answer: dict) -> str:
    """`outcomes`: the answer in one sentence, then one line per record (newest first) and its deployment's others."""
    from core.wording import count, words_or

    asked = answer["filters"]
    whose = f" of {asked['vendor']}" if asked["vendor"] else ""
    where = f" in {asked['state']}" if asked["state"] else ""
    since = f" since {asked['since']}" if asked["since"] else ""
    lines = [
        f"{count(answer['count'], 'record')} at {count(answer['agencies'], 'local agency', 'local agencies')}{where} "
        f"say a deployment{whose} was {words_or(asked['statuses'])}{since}."
    ]
    for row in answer["outcomes"]:
        agency = row["agency"]
        place = ", ".join(p for p in (agency["city"], agency["state"]) if p) or "place not reported"
        said = "" if row["status_as_written"] == row["status"] else f" (the source says {row['status_as_written']!r})"
        sources = " ".join(u for u in (row["source_url"], row["archive_url"] and f"archived {row['archive_url']}") if u)
        lines.append(
            f"  {row['date'] or 'date not reported'}  {agency['name']} ({place}): {row['status']}{said}, "
            f"{row['vendor']['name']}; {sources or 'no source link'}; {Path(row['cited']['source']).name} "
            f"{row['cited']['record']}"
        )
        lines += [
            f"      also {other['date'] or 'date not reported'}: {other['status'] or 'status not reported'}; "
            f"{Path(other['cited']['source']).name} {other['cited']['record']}"
            for other in row["other_records"]
        ]
    return "\n".join(lines)


def _federal_report(answer: dict) -> str:
    """`sharing --federal`: the answer in one line, then one line per listing with its hierarchy and source row."""
    from core.wording import count

    lines = [federal_sentence(answer)]
    for row in answer["links"]:
        chain = federal_path(row["federal"]["name"], row["federal_relation"], row["federal_chain"])
        lines.append(
            f"  {row['agency']['name']} ({row['agency']['state'] or 'state not given'}): {chain} "
            f"via {row['system'] or 'system not reported'}; {Path(row['source']).name} {row['record']}"
        )
    lines += [f"  {b['name']}: {count(b['agencies'], 'agency', 'agencies')}" for b in answer["federal_agencies"]]
    return "\n".join(lines)


def _report(command: str, answer) -> str:
    """A short human-readable view; --json gives everything."""
    if command == "stats":
        lines = [f"{label}: {count}" for label, count in answer["nodes"].items()]
        lines += [f"-[{rel}]-> {count}" for rel, count in answer["relationships"].items()]
        lines += [f"local {name.replace('_', ' ')}: {count}" for name, count in answer.get("local", {}).items()]
        return "\n".join(lines)
    if command in ("bridge", "sharing", "policies"):
        return _local_report(command, answer)
    if command == "outcomes":
        return _outcomes_report(answer)
    if command == "vendor":
        lines = [
            f"{answer['name']}  total obligated {money(answer['total_obligated'])} in {answer['award_count']} awards"
            if answer["award_count"]
            else f"{answer['name']}: {NO_FEDERAL_AWARDS}"
        ]
        lines += _covered(answer) + _sector_line(answer)
        lines += [
            f"  subsidiary/registration: {s['name']}  "
            + (money(s["total_obligated"]) if s["award_count"] else NO_FEDERAL_AWARDS)
            for s in answer["subsidiaries"]
        ]
        lines += [f"  agency: {a['name']} ({a['code']})  {money(a['total_obligated'])}" for a in answer["agencies"]]
        through = answer["through_others"]
        if through["actions"]:
            lines.append(
                f"  through others ({through['label']}): ${through['obligated'] or 0:,.2f} in "
                f"{through['actions']} actions, not in the total above"
            )
            lines += [
                f"    via {r['name']}: ${r['obligated'] or 0:,.2f} in {r['actions']} actions "
                f"({', '.join(r['products'])})"
                for r in through["resellers"][:10]
            ]
        lines += [
            f"  award {r['piid']}  ${r['obligated']:,.2f} obligated ({r['obligated_basis']})  "
            f"{(r['awarding_agency'] or {}).get('name') or ''}  {r['permalink']}"
            for r in answer["awards"][:10]
        ]
        if answer["award_count"] > 10:
            lines.append(f"  … {answer['award_count'] - 10} more awards (--json lists them all)")
        return "\n".join(lines)
    if command == "agency":
        lines = [
            f"{answer['name']} ({answer['code']}, {answer['tier']})  awarded {money(answer['total_obligated'])} "
            f"in {answer['award_count']} awards; funded {money(answer['funded_obligated'])}"
        ]
        lines += _covered(answer) + _sector_line(answer)
        lines += [f"  {v['name']}  {money(v['total_obligated'])}" for v in answer["vendors"][:25]]
        return "\n".join(lines)
    if command == "ties":
        return _ties_report(answer)
    if command == "paths":
        return _paths_report(answer)
    if command == "attribute":
        return (
            f"{answer['mentions']} actions attributed to makers through other vendors ({answer['rules']} rules, "
            f"{answer['texts']} distinct texts matched in {answer['match_s']}s); "
            f"{answer['judgements_pending']} judgements wait for records not loaded"
        )
    if command == "review":
        if "recorded" in answer:
            return f"recorded in {answer['file']}: {answer['recorded']}; run `python -m graph attribute` to apply it"
        lines = []
        for entry in answer.get("attributions", []):
            amount = money(entry["obligated"])
            verdict = (entry["judgement"] or {}).get("verdict", "pending")
            lines.append(
                f"attribution  {amount}  {entry['maker']['name']} ({', '.join(entry['products'])}) via "
                f"{entry['recipient']['name']}  {entry['actions']} actions  [{verdict}]  {entry['record']}"
            )
            if entry["evidence"]:
                lines.append(f'    "{entry["evidence"][0]["text"]}"  {entry["permalink"]}')
        for entry in answer.get("merges", []):
            amount = money(entry["obligated"])
            verdict = (entry["judgement"] or {}).get("verdict", "pending")
            lines.append(
                f"merge  {amount}  {entry['party']['name']!r} joined {entry['vendor']['name']} "
                f"({entry['vendor']['id']}) by name  [{verdict}]  {entry['record']}"
            )
        return "\n".join(lines + [answer["how_to_judge"]])
    if command == "award":
        return "\n".join(
            "  ".join(f"{name}={value}" for name, value in row.items() if not isinstance(value, (dict, list)))
            for row in answer
        )
    if command == "changes":
        lines = [
            f"{answer['count']} {answer['scope']}"
            + (f" {answer['since']}" if answer["since"] else "")
            + "".join(f"; {kind} {n}" for kind, n in answer["counts"].items())
        ]
        lines += [
            f"  {c['loaded_at']}  {c['change']}  {c['award_key'] or ''}  {(c['vendor'] or {}).get('name') or ''}  "
            f"{c['field']}: {c['before'] or '-'} -> {c['after'] or '-'}  ({c['source']} {c['record']})"
            for c in answer["changes"][:50]
        ]
        if answer["count"] > 50:
            lines.append(f"  … {answer['count'] - 50} more (--json lists them all)")
        return "\n".join(lines)
    if command == "search":
        return "\n".join(f"{h['kind']}: {h['name']} ({h['id']})" for h in answer)
    if command == "centrality":
        return (
            "\n".join(
                [line.strip() for line in _sector_line(answer)]
                + [
                    f"{v['name']}  agencies {v['agencies']}  betweenness {v['betweenness']:.4f}  ${v['obligated']:,.2f}"
                    for v in answer["vendors"]
                ]
            )
            or "no vendors"
        )
    if command == "brief":
        return (
            answer["text"].rstrip("\n")
            if answer["out"] is None
            else (f"wrote the {answer['format']} brief to {answer['out']} ({answer['bytes']:,} bytes)")
        )
    if command == "targets":
        return _targets_report(answer)
    if command == "export":
        return (
            f"wrote {answer['nodes']} nodes and {answer['relationships']} relationships: {', '.join(answer['files'])}"
            + (f"\nnote: {answer['note']}" if answer.get("note") else "")
            + (
                "\nFtM entities: " + ", ".join(f"{n:,} {schema}" for schema, n in answer["entities"].items())
                if answer.get("entities")
                else ""
            )
            + "".join(f"\n{line.strip()}" for line in _sector_line(answer))
        )
    return json.dumps(answer, indent=2)


def _paths_report(answer: dict) -> str:
    """`paths`: each chain as sentences that say every relation in its own direction, without the hop a name adds
    by resolving to its own family; chains through a shared office (asked for) come last, marked."""
    from graph.questions.ties import sentence, shared_office, trimmed

    if not answer["chains"]:
        return (
            "no chain of ownership, subaward or money links them; the only chains pass through a shared office "
            "(--shared-offices lists them)"
            if answer["shared_office_chains"]
            else "no path"
        )
    blocks = []
    for chain in answer["chains"]:
        hops, meant = trimmed(chain)
        office = shared_office(chain)
        blocks.append(
            "\n".join(
                [f"through a shared office ({office}), no link:" if office else "linked:"]
                + [
                    f"  {sentence(hop)}"
                    + (f"\n    through others: {hop['through_others']['route']}" if hop.get("through_others") else "")
                    for hop in hops
                ]
                + ([f"  (where a name means its family: {'; '.join(meant)})"] if meant else [])
            )
        )
    return "\n\n".join(blocks)


def _ties_report(answer: dict) -> str:
    from core.wording import count, money, years

    names = [end["name"] for end in answer["ends"]]
    if answer["same_family"]:
        return f"same family: {names[0]} (`paths` gives the parent links between the two names)"
    lines = []
    both = answer.get("both")
    money_ties = [t for t in answer["ties"] if t["role"] != "subaward"]
    if both and len(money_ties) == 2 and both["actions"] == money_ties[0]["actions"] == money_ties[1]["actions"]:
        money_ties[0] = {**money_ties[0], "relation": "awarded and funded by"}  # the same actions: one block
        money_ties = money_ties[:1]
    for tie in [t for t in answer["ties"] if t["role"] == "subaward"] + money_ties:
        if tie["role"] == "subaward":
            lines.append(
                f"{count(tie['subawards'], 'subaward')} under {count(tie['prime_awards'], 'prime award')} of "
                f"{tie['prime_family']}: {money(tie['amount'])}, {tie['first'] or '?'} to {tie['last'] or '?'}"
            )
            continue
        span = years(tie["fy_first"], tie["fy_last"]) if tie["fy_first"] else "no action dated by fiscal year"
        lines.append(
            f"{tie['relation']} {names[1] if answer['ends'][1]['kind'] == 'Agency' else names[0]}: "
            f"{count(tie['awards'], 'award')}, {count(tie['actions'], 'action')}, {money(tie['obligated'])} "
            f"obligated, {span}"
        )
        if both and len(money_ties) == 2 and tie["role"] == "funding" and both["actions"]:
            lines.append(
                f"  of these, also awarded by it: {count(both['actions'], 'action')}, {money(both['obligated'])}"
            )
        lines += [
            f"  registration {r['name']}  {money(r['obligated'])}  {count(r['awards'], 'award')}"
            for r in tie.get("registrations", [])
            if len(tie.get("registrations", [])) > 1
        ]
        lines += [
            f"  {o['name']} ({o['code'] or '-'})  {money(o['obligated'])}  {count(o['awards'], 'award')}"
            for o in tie["awarding_offices"][:10]
        ]
    lines = lines or [f"no direct tie between {names[0]} and {names[1]}"]
    return "\n".join([line.strip() for line in _sector_line(answer)] + lines)


def _sector_line(answer: dict) -> list[str]:
    """The sector an answer covers (`graph.questions.sectors.scope`), said only when it is not every purchase."""
    scope = answer.get("sector") or {}
    return [f"  sector: {scope['line']}"] if scope.get("leaves_out") else []


def _covered(answer: dict) -> list[str]:
    coverage = answer.get("coverage") or {}
    return ([f"  years held: {coverage['line']}"] if coverage.get("cells") else []) + [
        f"  leaves out: {note}" for note in coverage.get("notes") or []
    ]


def figure_coverage(ask: Queries, agencies: list[str], yearly: list[dict]) -> dict:
    """What a profile's figures cover, as the dashboard shows it: the years of its agencies (gaps named), each
    year's status, and what its totals leave out."""
    scoped = ask.coverage(within=agencies)
    held = [y["fiscal_year"] for y in yearly]
    return {
        "line": scoped["line"],
        "years": scoped["years"],
        "cells": scoped["cells"],
        "notes": coverage_notes(scoped["cells"], held),
    }


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    store = None
    try:
        store = open_store(args.store)
        ask = Queries(store)
        if args.command == "clear":
            if not args.yes:
                print("error: clear empties the store; add --yes to confirm", file=sys.stderr)
                return 1
            store.clear()
            answer = {"cleared": args.store}
        elif args.command == "stats":
            answer = ask.stats()
        elif args.command == "vendor":
            answer = ask.vendor_family(args.name, categories=sectors(args.sector))
            answer["coverage"] = figure_coverage(ask, [a["id"] for a in answer["agencies"]], answer["yearly"])
        elif args.command == "agency":
            answer = ask.agency_profile(args.name, limit=args.limit, categories=sectors(args.sector))
            parent = answer.get("parent") if answer["tier"] == "office" else None
            answer["coverage"] = figure_coverage(
                ask, [answer["id"]] + ([parent["id"]] if parent else []), answer["yearly"]
            )
        elif args.command == "award":
            answer = ask.awards(args.keys, args.fields)
        elif args.command == "search":
            answer = ask.search(args.text, limit=args.limit)
        elif args.command == "ties":
            answer = ask.direct_ties(args.a, args.b, categories=sectors(args.sector))
        elif args.command == "paths":
            ends = [ask.end(text) for text in (args.a, args.b)]
            found = ask.paths(
                args.a,
                args.b,
                max_hops=args.max_hops,
                limit=args.limit,
                through_others=not args.direct_only,
                shared_offices=False,
            )
            weak = (
                [
                    chain
                    for chain in ask.paths(
                        args.a, args.b, max_hops=args.max_hops, limit=args.limit, through_others=not args.direct_only
                    )
                    if shared_office(chain)
                ]
                if args.shared_offices or not found
                else []
            )  # through an office both ends dealt with: no link
            answer = found + weak if args.shared_offices else found
            if not answer and ends[0]["id"] == ends[1]["id"]:
                print(
                    f"same entity: both names mean {ends[0]['name']} ({ends[0]['id']}); no chain to show "
                    f"(`vendor` or `agency` shows it)",
                    file=sys.stderr,
                )
            if not args.json:
                answer = {"chains": answer, "shared_office_chains": len(weak)}
        elif args.command == "attribute":
            answer = store.attribute(strict=args.strict)
        elif args.command == "review":
            answer = _review(ask, args)
        elif args.command == "brief":
            answer = _brief(ask, args)
        elif args.command in ("subgraph", "centrality"):
            answer = ask.subgraph(
                agency=args.agency,
                vendor=args.vendor,
                fy_from=args.fy_from,
                fy_to=args.fy_to,
                min_amount=args.min_amount,
                award_types=args.award_types,
                categories=sectors(args.sector),
            )
            if args.command == "centrality":
                answer = {**vendor_centrality(answer, limit=args.limit), "sector": answer["sector"]}
        elif args.command == "changes":
            answer = ask.changes(since=args.since, vendor=args.vendor, agency=args.agency, limit=args.limit)
        elif args.command == "bridge":
            answer = ask.bridge()
        elif args.command == "sharing":
            if args.federal == bool(args.agency):
                raise BadTable("give one local AGENCY, or --federal (every agency a federal agency can search)")
            answer = ask.federal_sharing() if args.federal else ask.sharing(args.agency, hops=args.hops)
        elif args.command == "policies":
            answer = ask.policies(args.prohibits)
        elif args.command == "outcomes":
            since = args.since.isoformat() if args.since else None
            answer = ask.outcomes(args.vendor, args.state, tuple(args.status.split(",")), since)
        elif args.command == "targets":
            from graph.questions.targets import targets as rank_targets

            answer = rank_targets(ask, args.agency, sectors=args.sector, months=args.months, today=args.today)
        elif args.command == "export":
            answer = {"store": args.store, **export_sector(store, args.format, args.out, sectors(args.sector))}
        else:
            answer = store.runs()
    except Ambiguous as error:
        print(f"error: {error}", file=sys.stderr)
        for candidate in error.candidates:
            print(f"  {json.dumps(candidate)}", file=sys.stderr)
        return 2
    except (NotFound, StoreUnavailable, UnknownField, OSError, BadTable, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        if store is not None:
            store.close()
    answer = cite(answer)  # one permalink rule for every answer (graph.questions.answers.cited)
    if args.json:
        print_json(answer)
    else:
        print(_report(args.command, answer))
    return 0
