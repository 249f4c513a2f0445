"""Issue 26, part 4: Paths that read right, on the bundled sample (its real records, the embedded store).

- a hop says its relation in its own direction ("B.I. INCORPORATED is a subsidiary of The GEO Group, Inc."),
  whichever way the chain walks it;
- a name that resolves to its own family adds no hop ("Palantir -> PALANTIR TECHNOLOGIES INC." is gone);
- a chain through an office both sides dealt with is no link: left out unless asked for, and below real links;
- "awarded" and "funded" are one block when they are the same actions;
- the page opens with its answer in one sentence, and a chain's registration-level figure says why it is not the
  family's tie ("$8.46M more ... through ICE's offices and $2.05M to PALANTIR USG, INC.").
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dashboard.shaping import paths as paths_view
from graph.questions.queries import Queries
from graph.questions.ties import sentence, shared_office, trimmed
from graph.store import open_store
from tests.apptest_support import frame, run, texts
from tests.dashboard_support import ROOT, opens_with, saying

SHARED_OFFICE = "HOMELAND SECURITY INTEL - HQ DIV 4"


@pytest.fixture(scope="module")
def store(home):
    opened = open_store("embedded", home=home)
    yield opened
    opened.close()


def said(chains: list[list[dict]]) -> list[list[str]]:
    return [[sentence(hop) for hop in trimmed(chain)[0]] for chain in chains]


def test_a_hop_says_its_relation_in_its_own_direction_either_way(store):
    forwards = said(Queries(store).paths("GEO Group", "ICE", shared_offices=False))
    backwards = said(Queries(store).paths("ICE", "GEO Group", shared_offices=False))
    subsidiary = "B.I. INCORPORATED is a subsidiary of The GEO Group, Inc."
    assert [
        subsidiary,
        "U.S. Immigration and Customs Enforcement awarded B.I. INCORPORATED $1.63B in 8 awards",
    ] in forwards
    assert any(subsidiary in chain for chain in backwards)  # read from ICE's end: the same sentence
    assert said(Queries(store).paths("70CDCR", "ICE")) == [
        ["DETENTION COMPLIANCE AND REMOVALS is part of U.S. Immigration and Customs Enforcement"]
    ]
    assert said(Queries(store).paths("DHS", "ICE")) == [
        ["U.S. Immigration and Customs Enforcement is part of Department of Homeland Security"]
    ]


def test_a_name_that_means_its_family_adds_no_hop(store):
    (chain,) = Queries(store).paths("Palantir", "ICE", shared_offices=False)
    assert [hop["rel"] for hop in chain] == ["PARENT", "AWARDED"]  # the store keeps the record of it
    hops, meant = trimmed(chain)
    assert [hop["rel"] for hop in hops] == ["AWARDED"]
    assert meant == [
        "PALANTIR TECHNOLOGIES INC. is another registration of Palantir Technologies Inc. (source: vendor_families.csv)"
    ]
    (b_i,) = [
        c
        for c in Queries(store).paths("GEO Group", "ICE", shared_offices=False)
        if c[0]["to"]["name"] == "B.I. INCORPORATED"
    ]
    assert trimmed(b_i) == (b_i, [])  # a subsidiary is news, not a tautology: kept
    (family,) = Queries(store).paths("West Publishing", "Thomson Reuters", shared_offices=False)
    assert said([family]) == [["WEST PUBLISHING CORPORATION is a subsidiary of Thomson Reuters Corporation"]]


def test_chains_through_a_shared_office_are_no_link(store):
    assert (
        Queries(store).paths("Palantir", "CBP", shared_offices=False) == []
    )  # no real link at any length up to 6 hops
    every = Queries(store).paths("Palantir", "CBP")
    assert every and {shared_office(chain) for chain in every} == {SHARED_OFFICE}
    real = Queries(store).paths("GEO Group", "ICE", shared_offices=False)
    assert real == Queries(store).paths("GEO Group", "ICE")  # real links are never dropped
    assert all(shared_office(chain) is None for chain in real)


def test_awarded_and_funded_are_one_block_when_they_are_the_same_actions(store):
    same = Queries(store).direct_ties("STG INTERNATIONAL, INC.", "ICE")
    blocks = paths_view.money_blocks(same)
    assert [block["verb"] for block in blocks] == ["awarded and funded"]
    assert same["both"]["actions"] == same["ties"][0]["actions"] == same["ties"][1]["actions"]
    palantir = Queries(store).direct_ties(
        "Palantir", "ICE"
    )  # ICE funded 11 of the 44 actions it awarded: said in a line
    blocks = paths_view.money_blocks(palantir)
    assert [block["verb"] for block in blocks] == ["awarded"]
    assert blocks[0]["note"] == (
        "U.S. Immigration and Customs Enforcement also funded 11 actions ($10,509,017.48 in "
        "6 awards) of these; it funded no other action of this family."
    )


def test_the_chain_figure_says_why_it_is_not_the_family_tie(store):
    ties = Queries(store).direct_ties("Palantir", "ICE")
    awarded = ties["ties"][0]
    assert round(sum(r["obligated"] for r in awarded["registrations"]), 2) == awarded["obligated"] == 329201440.48
    hop = trimmed(Queries(store).paths("Palantir", "ICE", shared_offices=False)[0])[0][0]
    assert (hop["obligated"], hop["awards"]) == (318692423.0, 8)
    label = paths_view.hop_vs_tie(hop, ties)
    assert label == (
        "This hop's $318.69M in 8 awards counts only the actions of PALANTIR TECHNOLOGIES INC. whose "
        "records name U.S. Immigration and Customs Enforcement itself; the family's tie above ($329.20M "
        "awarded in 12 awards) also holds $8.46M more to PALANTIR TECHNOLOGIES INC. in actions whose "
        "records name an office of U.S. Immigration and Customs Enforcement rather than the agency "
        "itself and $2.05M to the family's other registrations (PALANTIR USG, INC.)."
    )
    # the parts add up to the tie, to the cent
    member = next(r for r in awarded["registrations"] if r["id"] == hop["from"]["id"] or r["id"] == hop["to"]["id"])
    assert (
        round(
            hop["obligated"] + (member["obligated"] - hop["obligated"]) + (awarded["obligated"] - member["obligated"]),
            2,
        )
        == awarded["obligated"]
    )


def test_palantir_to_cbp_says_no_direct_tie_first_and_hides_the_shared_office(home):
    app = run("paths", a="Palantir", b="CBP")
    answer = saying(app.main.markdown, "have no direct tie in this store")
    assert opens_with(app, answer) and answer.value.replace("\\", "") == (
        "#### Palantir Technologies Inc. and U.S. Customs and Border Protection have no direct tie in this store."
    )  # said in one sentence first
    saying(app.main.markdown, SHARED_OFFICE)  # one Markdown of its own names the office
    assert not [d for d in app.dataframe if "What the records say" in d.value.columns]  # no chain drawn as a path
    assert "tick “Also show chains through a shared office”" in texts(app).replace("\\", "")
    asked = run("paths", a="Palantir", b="CBP", shared="True")
    shown = texts(asked).replace("\\", "")
    assert "Chains through a shared office (no link between them)" in shown
    hops = frame(asked, "What the records say")["What the records say"]
    assert hops[0] == f"{SHARED_OFFICE} funded PALANTIR TECHNOLOGIES INC. $250.00k in 1 award"


def test_geo_group_to_ice_reads_right_on_the_page(home):
    app = run("paths", a="GEO Group", b="ICE")
    answer = saying(app.main.markdown, "awarded The GEO Group, Inc. family $4.80B in 136 awards")
    assert opens_with(app, answer) and answer.value.replace("\\", "").startswith(
        "#### U.S. Immigration and Customs Enforcement awarded The GEO Group, Inc. family $4.80B in 136 awards"
    )
    shown = texts(app).replace("\\", "")
    assert "B.I. INCORPORATED is a subsidiary of The GEO Group, Inc." in shown
    assert "[parent company]" not in shown
    cells = {str(v) for d in app.dataframe for v in d.value.astype(str).to_numpy().ravel()}
    assert not cells & {"None", "nan", "$0.00"}  # through core.wording: a zero is "$0 net", no value is said
    assert "$0 net" in cells  # CORNELL COMPANIES, INC.'s two actions under ICE net to zero
    expander = app.main.expander[0]
    assert expander.label == "How to read these figures"  # the caveats wait in an expander, after the answer


def test_the_url_may_say_from_and_to_and_a_name_that_names_nothing_says_so(home):
    app = run("paths", **{"from": "Palantir", "to": "ICE"})
    assert (app.text_input(key="p_a").value, app.text_input(key="p_b").value) == ("Palantir", "ICE")
    assert "from" not in app.query_params and app.query_params["a"] == "Palantir"
    missing = run("paths", a="Nothing Named This Zq", b="ICE")
    assert "no vendor name or alias contains 'Nothing Named This Zq'" in [w.value for w in missing.warning]


def test_the_cli_reads_right_and_leaves_shared_offices_out_unless_asked(home):
    env = {**os.environ, "KG_HOME": str(home), "KG_STORE": "embedded"}

    def graph(*args):
        done = subprocess.run([sys.executable, "-m", "graph", *args], cwd=ROOT, capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "B.I. INCORPORATED is a subsidiary of The GEO Group, Inc." in graph("paths", "GEO Group", "ICE")
    assert graph("paths", "Palantir", "CBP").startswith("no chain of ownership, subaward or money links them")
    asked = graph("paths", "Palantir", "CBP", "--shared-offices")
    assert asked.startswith(f"through a shared office ({SHARED_OFFICE}), no link:")
    ties = graph("ties", "STG INTERNATIONAL, INC.", "ICE")
    assert (
        ties.startswith("awarded and funded by U.S. Immigration and Customs Enforcement")
        and "funded by U.S." not in ties.split("\n", 1)[1]
    )
