"""Recipient profiles as the denominator of dependence, on every store.

The award is the REAL recorded NASA detail (awards_contract.json: THE UNIVERSITY OF IOWA, UEI Z1H9VJS8NG16) with
its three REAL recorded actions (awards_transactions.json, FY2025); the profile answer is the REAL recorded one
(recipient_university.json). The recipient listing is synthetic, built from that profile's ids in the shape
of contracts/v2/recipient.md (the vendor's child registration and its parent, which has the same UEI).
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from werkzeug import Request, Response

from core.records import Provenance, Transaction
from graph.questions.queries import Queries
from graph.questions.targets import NOT_MEASURED, targets
from ingest import cli
from ingest.http import HttpClient
from ingest.load import load
from ingest.usaspending_api import award_from_detail
from ingest.usaspending_recipients import profiles

from .test_usaspending_api import NASA_ID

UEI = "Z1H9VJS8NG16"


def recorded(api_responses, name: str):
    return json.loads((api_responses / "planetary_usaspending_orm" / name).read_text(encoding="utf-8"))


def nasa_records(api_responses) -> list:
    detail = recorded(api_responses, "awards_contract.json")
    award = award_from_detail(detail, Provenance("awards_contract.json", NASA_ID, "2025-08-17T00:00:00+00:00"))
    return [award] + [
        Transaction(
            key=row["id"],
            award=award,
            modification=row["modification_number"],
            action_date=row["action_date"],
            obligation=row["federal_action_obligation"],
            description=row["description"],
        )
        for row in recorded(api_responses, "awards_transactions.json")["results"]
    ]


class RecipientApi:
    def __init__(self, httpserver, api_responses):
        self.profile = recorded(api_responses, "recipient_university.json")
        self.asked = []
        child, parent = self.profile["recipient_id"], self.profile["parent_id"]
        listing = {
            "page_metadata": {"page": 1, "hasNext": False},
            "results": [
                {
                    "id": parent,
                    "duns": self.profile["duns"],
                    "uei": UEI,
                    "name": self.profile["name"],
                    "recipient_level": "P",
                    "amount": 1.0e9,
                },
                {
                    "id": child,
                    "duns": self.profile["duns"],
                    "uei": UEI,
                    "name": self.profile["name"],
                    "recipient_level": "C",
                    "amount": 9.0e8,
                },
            ],
        }
        httpserver.expect_request("/api/v2/recipient/", method="POST").respond_with_json(listing)
        httpserver.expect_request(re.compile(r"^/api/v2/recipient/[^/]+/$"), method="GET").respond_with_handler(
            self.answer
        )

    def answer(self, request: Request) -> Response:
        self.asked.append((request.path.split("/")[-2], request.args.get("year")))
        if request.args.get("year") == "2025":
            return Response(json.dumps(self.profile), content_type="application/json")
        # synthetic: a year the recordings hold no answer for, refused as a missing page would be
        return Response(json.dumps({"detail": "not found"}), status=404, content_type="application/json")


def test_profiles_are_the_denominator_of_dependence(make_store, httpserver, api_responses, tmp_path):
    store = make_store()
    load(
        store,
        nasa_records(api_responses),
        command="usaspending-api",
        inputs=["recorded"],
        rejects_dir=tmp_path / "rejects",
        progress=False,
    )
    vendor = next(vid for vid, uei, _, _ in store.vendor_index() if uei == UEI)
    # before the profile: dependence is not measured and leaves the score (the other weights renormalized)
    (without,) = targets(Queries(store), "8000", ["all"], today=date(2025, 9, 1))["families"]
    assert without["dependence"] is None and without["dependence_basis"].startswith(NOT_MEASURED)
    assert without["weighted"]["dependence"] is None
    assert without["score"] == pytest.approx(sum(v for v in without["weighted"].values() if v is not None), abs=1e-3)
    api = RecipientApi(httpserver, api_responses)

    client = HttpClient(httpserver.url_for("/"), sleep=lambda s: None)
    summary = load(
        store,
        profiles(client, [(vendor, UEI)], [2024, 2025]),
        command="usaspending-recipients",
        inputs=["local"],
        rejects_dir=tmp_path / "rejects",
        progress=False,
    )

    assert (summary["rows_read"], summary["rows_loaded"], summary["rows_rejected"]) == (2, 1, 1)
    assert api.asked == [(api.profile["recipient_id"], "2024"), (api.profile["recipient_id"], "2025")]  # C before P
    totals = Queries(store).federal_totals([vendor])
    assert list(totals) == [vendor] and list(totals[vendor]) == [2025]
    year = totals[vendor][2025]
    assert year["amount"] == 267039000.14 and year["recipient_id"] == api.profile["recipient_id"]
    assert year["permalink"] == f"https://www.usaspending.gov/recipient/{api.profile['recipient_id']}/2025"
    # no money figure of the graph moved: the profile is a denominator, not an action
    assert Queries(store).vendor_totals([vendor])[0]["total_obligated"] == 172213419.67

    answer = targets(Queries(store), "8000", ["all"], today=date(2025, 9, 1))
    (row,) = answer["families"]
    fy2025 = 1600000.0 + 1200000.0 + 282046.29  # the three recorded FY2025 actions
    assert row["dependence"] == round(fy2025 / 267039000.14, 4) == row["parts"]["dependence"]
    assert row["weighted"]["dependence"] is not None and row["weighted"]["dependence"] > 0  # it enters the score
    assert row["federal_total"] == 267039000.14
    assert row["dependence_basis"].startswith("USAspending recipient profile FY2025–FY2025 (1 years)")
    assert answer["lacking_profile"] == []


def load_with_profiles(httpserver, api_responses, tmp_path) -> tuple[RecipientApi, dict]:
    """The recorded NASA awards in the store under KG_HOME, then their vendor's FY2025 profile fetched from the
    recorded API through the CLI's own load."""
    from graph.store import open_store

    store = open_store("embedded")
    try:
        load(
            store,
            nasa_records(api_responses),
            command="usaspending-api",
            inputs=["recorded"],
            rejects_dir=tmp_path / "rejects",
            progress=False,
        )
    finally:
        store.close()
    api = RecipientApi(httpserver, api_responses)
    args = cli.build_parser().parse_args(
        ["usaspending-recipients", "--base-url", httpserver.url_for("/"), "--fy", "2025", "--no-progress"]
    )
    return api, cli.run_load(args)


def test_cli_fetches_the_store_vendors_profiles(httpserver, api_responses, tmp_path, monkeypatch):
    from graph.store import open_store

    monkeypatch.setenv("KG_HOME", str(tmp_path / "kg"))
    _, summary = load_with_profiles(httpserver, api_responses, tmp_path)
    assert summary["rows_loaded"] == 1 and summary["vendors_asked"] == 1
    store = open_store("embedded")
    try:
        (vendor,) = [vid for vid, uei, _, _ in store.vendor_index() if uei == UEI]
        assert Queries(store).federal_totals([vendor])[vendor][2025]["amount"] == 267039000.14
        assert store.runs()[-1]["command"] == "usaspending-recipients"
    finally:
        store.close()
