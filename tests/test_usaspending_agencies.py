"""Agencies resolved through the USAspending API: codes, abbreviations and names in any case.

The local server answers as the API's source does (usaspending_api/references/v2/views/autocomplete.py:
toptier matches by name or abbreviation, each with its sub-agencies; sub-agency matches by name or
abbreviation, each with its toptier) over a small agency table, and lists the toptier agencies as
`GET /api/v2/references/toptier_agencies/` does (contracts/v2/references/toptier_agencies.md). These
answers are synthetic, built from those contracts; the NASA autocomplete answer is the recorded one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from werkzeug import Request, Response

from ingest.http import ApiError, HttpClient
from ingest.usaspending_agencies import AgencyChoice, agency_filter
from ingest.usaspending_api import build_filters

ROOT = Path(__file__).resolve().parents[1]
NASA = "National Aeronautics and Space Administration"
# (toptier code, toptier name, abbreviation, [(subtier code, subtier name, abbreviation)])
AGENCIES = [
    (
        "015",
        "Department of Justice",
        "DOJ",
        [
            ("1540", "Federal Prison System / Bureau of Prisons", "BOP"),
            ("1544", "Drug Enforcement Administration", "DEA"),
        ],
    ),
    (
        "070",
        "Department of Homeland Security",
        "DHS",
        [
            ("7012", "U.S. Immigration and Customs Enforcement", "ICE"),
            ("7014", "U.S. Customs and Border Protection", "CBP"),
            ("7022", "Federal Emergency Management Agency", "FEMA"),
        ],
    ),
    ("080", NASA, "NASA", [("8000", NASA, "NASA")]),
    (
        "097",
        "Department of Defense",
        "DOD",
        [
            ("1700", "Department of the Navy", "USN"),
            ("2100", "Department of the Army", "USA"),
            ("5700", "Department of the Air Force", "USAF"),
        ],
    ),
]


class ReferenceApi:
    def __init__(self, httpserver, recorded_nasa: dict):
        self.recorded_nasa, self.searches = recorded_nasa, []
        httpserver.expect_request("/api/v2/references/toptier_agencies/", method="GET").respond_with_json(
            {
                "results": [
                    {
                        "abbreviation": abbreviation,
                        "active_fq": "4",
                        "active_fy": "2025",
                        "agency_id": 1000 + int(code),
                        "agency_name": name,
                        "budget_authority_amount": 0,
                        "congressional_justification_url": None,
                        "current_total_budget_authority_amount": 0,
                        "obligated_amount": 0,
                        "outlay_amount": 0,
                        "percentage_of_total_budget_authority": 0,
                        "toptier_code": code,
                        "agency_slug": name.lower().replace(" ", "-"),
                    }
                    for code, name, abbreviation, _ in AGENCIES
                ]
            }
        )
        for kind in ("awarding", "funding"):
            httpserver.expect_request(
                f"/api/v2/autocomplete/{kind}_agency_office/", method="POST"
            ).respond_with_handler(self.autocomplete)

    def autocomplete(self, request: Request) -> Response:
        text = request.get_json()["search_text"]
        self.searches.append(text)
        if text == NASA:
            return Response(json.dumps(self.recorded_nasa), content_type="application/json")
        low = text.lower()
        toptiers = [
            {
                "abbreviation": abbr,
                "code": code,
                "name": name,
                "subtier_agencies": [{"abbreviation": sa, "code": sc, "name": sn} for sc, sn, sa in subs],
                "offices": [],
            }
            for code, name, abbr, subs in AGENCIES
            if low in name.lower() or low in abbr.lower()
        ]
        subtiers = [
            {
                "abbreviation": sa,
                "code": sc,
                "name": sn,
                "offices": [],
                "toptier_agency": {"abbreviation": abbr, "code": code, "name": name},
            }
            for code, name, abbr, subs in AGENCIES
            for sc, sn, sa in subs
            if low in sn.lower() or low in sa.lower()
        ]
        body = {"results": {"toptier_agency": toptiers, "subtier_agency": subtiers, "office": []}, "messages": []}
        return Response(json.dumps(body), content_type="application/json")


@pytest.fixture
def api(httpserver, api_responses):
    recorded = json.loads((api_responses / "planetary_usaspending_orm/agency_autocomplete.json").read_text())
    return ReferenceApi(httpserver, recorded)


def client_for(httpserver) -> HttpClient:
    return HttpClient(httpserver.url_for("/"), sleep=lambda seconds: None)


@pytest.mark.parametrize(
    "typed, expected",
    [
        (
            "ICE",
            {
                "tier": "subtier",
                "name": "U.S. Immigration and Customs Enforcement",
                "toptier_name": "Department of Homeland Security",
            },
        ),
        (
            "u.s. immigration and customs enforcement",
            {
                "tier": "subtier",
                "name": "U.S. Immigration and Customs Enforcement",
                "toptier_name": "Department of Homeland Security",
            },
        ),
        (
            "7012",
            {
                "tier": "subtier",
                "name": "U.S. Immigration and Customs Enforcement",
                "toptier_name": "Department of Homeland Security",
            },
        ),
        # the toptier of 2100 is DoD's 097, not "0" + "21": it comes from the API's answer
        ("2100", {"tier": "subtier", "name": "Department of the Army", "toptier_name": "Department of Defense"}),
        ("5700", {"tier": "subtier", "name": "Department of the Air Force", "toptier_name": "Department of Defense"}),
        ("dhs", {"tier": "toptier", "name": "Department of Homeland Security"}),
        ("070", {"tier": "toptier", "name": "Department of Homeland Security"}),
        ("department of defense", {"tier": "toptier", "name": "Department of Defense"}),
        ("Army", {"tier": "subtier", "name": "Department of the Army", "toptier_name": "Department of Defense"}),
        ("080", {"tier": "toptier", "name": NASA}),
    ],
)
def test_codes_abbreviations_and_names_resolve_through_the_api(api, httpserver, typed, expected):
    assert agency_filter(client_for(httpserver), "awarding", typed) == {"type": "awarding", **expected}


def test_subtier_code_uses_the_recorded_autocomplete(api, httpserver):
    # 8001 is in no agency table of ours: each toptier is asked in turn; NASA's recorded answer lists it.
    found = agency_filter(client_for(httpserver), "funding", "8001")
    assert found == {"type": "funding", "tier": "subtier", "name": "Headquarters, NASA", "toptier_name": NASA}


@pytest.mark.parametrize(
    "typed, names",
    [
        ("Customs", ["U.S. Immigration and Customs Enforcement", "U.S. Customs and Border Protection"]),
        ("Bureau of Nothing", []),
    ],
)
def test_several_or_no_matches_list_the_candidates(api, httpserver, typed, names):
    with pytest.raises(AgencyChoice) as raised:
        agency_filter(client_for(httpserver), "awarding", typed)
    assert [c["name"] for c in raised.value.candidates] == names
    assert typed in str(raised.value) and ("no agency" if not names else f"{len(names)} agencies") in str(raised.value)


def test_unknown_subtier_code_says_to_pass_the_name(api, httpserver):
    with pytest.raises(ApiError, match=r"sub-agency code 9999 is not among .* pass the subtier agency's name"):
        agency_filter(client_for(httpserver), "awarding", "9999")


def test_filters_carry_the_resolved_agencies(api, httpserver):
    filters = build_filters(client_for(httpserver), awarding_agency="ice", funding_agency="080")
    assert filters["agencies"] == [
        {
            "type": "awarding",
            "tier": "subtier",
            "name": "U.S. Immigration and Customs Enforcement",
            "toptier_name": "Department of Homeland Security",
        },
        {"type": "funding", "tier": "toptier", "name": NASA},
    ]


def test_cli_lists_the_candidates_and_exits_2(api, httpserver, tmp_path):
    env = {**os.environ, "KG_HOME": str(tmp_path / "kg")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ingest",
            "usaspending-api",
            "--awarding-agency",
            "Customs",
            "--base-url",
            httpserver.url_for("/").rstrip("/"),
            "--no-progress",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: awarding agency 'Customs': 2 agencies at ")
    assert [json.loads(line)["name"] for line in lines[1:]] == [
        "U.S. Immigration and Customs Enforcement",
        "U.S. Customs and Border Protection",
    ]
