"""USAspending API adapter and shared HTTP client, against a local server replaying REAL recorded answers.

The recorded files in ../shared/data/usaspending_api_responses are never edited. Where a test needs
pages, it serves deep copies of recorded payloads with only `page_metadata.page`/`hasNext` rewritten
(page 1 vs page 2), or a recorded `results` list split across pages; each such place says so.
Award ids the recordings have no detail page for are answered 404 (a synthetic answer, labelled).
"""

from __future__ import annotations

import copy
import json
import re
import socket
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest
from requests_cache import FileCache
from werkzeug import Request, Response

from core.records import AgencyRef, Award, Party, Reject, Subaward
from ingest.http import ApiError, HttpClient
from ingest.usaspending_api import iter_records

from .test_usaspending_agencies import ReferenceApi

SEARCH = "/api/v2/search/spending_by_award/"
DOD_ID = "CONT_AWD_0007_9700_FA870215D0001_9700"
NASA_ID = "CONT_AWD_80GSFC18C0008_8000_-NONE-_-NONE-"
NASA = "National Aeronautics and Space Administration"


def load(api_responses: Path, name: str):
    return json.loads((api_responses / name).read_text(encoding="utf-8"))


def as_page(payload: dict, page: int, has_next: bool, results=None) -> dict:
    """A deep copy of a recorded search/subaward answer with only its page metadata (and maybe results) set."""
    data = copy.deepcopy(payload)
    data["page_metadata"] = {**data.get("page_metadata", {}), "page": page, "hasNext": has_next}
    if results is not None:
        data["results"] = copy.deepcopy(results)
    return data


def json_response(data, status=200, headers=None) -> Response:
    return Response(json.dumps(data), status=status, headers=headers, content_type="application/json")


class FakeApi:
    """Replays recorded answers: search pages by the body's `page`, details by id, subaward pages."""

    def __init__(self, httpserver, pages: dict, details: dict, subaward_pages: dict | None = None):
        self.pages, self.details, self.subaward_pages = pages, details, subaward_pages or {}
        self.search_bodies, self.detail_ids, self.subaward_bodies = [], [], []
        httpserver.expect_request(SEARCH, method="POST").respond_with_handler(self.search)
        httpserver.expect_request(re.compile(r"^/api/v2/awards/[^/]+/$"), method="GET").respond_with_handler(
            self.detail
        )

    @property
    def search_pages(self) -> list[int]:
        return [body["page"] for body in self.search_bodies]

    def search(self, request: Request) -> Response:
        body = request.get_json()
        if body.get("spending_level") == "subawards":
            self.subaward_bodies.append(body)
            return json_response(self.subaward_pages[body["page"]])
        self.search_bodies.append(body)
        return json_response(self.pages[body["page"]])

    def detail(self, request: Request) -> Response:
        generated = request.path.split("/")[-2]
        self.detail_ids.append(generated)
        if generated in self.details:
            return json_response(self.details[generated])
        # Synthetic: the recordings hold no detail page for this id; answer as a missing award would.
        return json_response({"detail": f"No award found with: '{generated}'"}, status=404)


def client_for(httpserver, **options) -> HttpClient:
    options.setdefault("sleep", lambda seconds: None)
    return HttpClient(httpserver.url_for("/"), **options)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- award mapping (golden values read from the recorded JSON) -----------------------------------------------


def test_award_mapped_from_recorded_dod_detail(httpserver, api_responses):
    count = load(api_responses, "layonez_bid_buster/02-award-count-dod-mit.json")
    # Served copy: the recording says hasNext true (it was a limit-1 count query); page 1 is the last here.
    api = FakeApi(
        httpserver,
        {1: as_page(count, 1, False)},
        {DOD_ID: load(api_responses, "layonez_bid_buster/03-award-detail-sample.json")},
    )

    records = list(iter_records(client_for(httpserver)))

    assert len(records) == 1
    award = records[0]
    assert isinstance(award, Award)
    assert award.key == DOD_ID
    assert award.piid == "0007"
    assert (award.parent_piid, award.parent_agency) == ("FA870215D0001", "9700")
    assert award.recipient == Party(
        name="MASSACHUSETTS INSTITUTE OF TECHNOLOGY",
        uei="SN5KKUDR9LY8",
        duns=None,
        parent_name="MASSACHUSETTS INSTITUTE OF TECHNOLOGY",
        parent_uei="SN5KKUDR9LY8",
        parent_duns=None,
    )
    assert award.awarding == AgencyRef(
        "097", "Department of Defense", "5700", "Department of the Air Force", None, "FA8702  AFLCMC PZE NON PEO"
    )
    assert award.funding == AgencyRef(
        "097", "Department of Defense", "5700", "Department of the Air Force", None, "F2BDAZ AFLCMC HBF"
    )
    assert award.award_type == "DELIVERY ORDER"
    assert award.description.startswith("IGF::OT::IGF TRANSITION OF PROGRAMS FROM MIT LL CONTRACT")
    assert (award.naics, award.psc) == ("541712", "AC61")
    assert award.naics_description == (
        "RESEARCH AND DEVELOPMENT IN THE PHYSICAL, ENGINEERING, AND LIFE SCIENCES (EXCEPT BIOTECHNOLOGY)"
    )
    assert award.psc_description == "R&D- DEFENSE SYSTEM: ELECTRONICS/COMMUNICATION EQUIPMENT (BASIC RESEARCH)"
    assert (award.base_date, award.start_date, award.end_date, award.potential_end_date) == (
        "2016-06-03",
        "2016-06-03",
        "2030-02-28",
        "2030-02-28",
    )
    assert (award.obligated, award.current_value, award.potential_value) == (
        1594101040.69,
        1617557679.46,
        1630072347.66,
    )
    assert award.values_as_of == "2025-09-22"
    assert award.prov.source == httpserver.url_for(f"/api/v2/awards/{DOD_ID}/")
    assert award.prov.record == DOD_ID
    assert award.prov.permalink == f"https://www.usaspending.gov/award/{DOD_ID}/"
    assert datetime.fromisoformat(award.prov.retrieved).tzinfo is not None
    # subaward_count is 0 in the recorded detail: no subaward request is made.
    assert api.subaward_bodies == []


def test_award_and_subawards_mapped_from_recorded_nasa_answers(httpserver, api_responses):
    search = load(api_responses, "planetary_usaspending_orm/awards_search_results_contracts.json")
    hits = load(api_responses, "planetary_usaspending_orm/awards_search_results_subawards.json")
    assert search["results"][0]["generated_internal_id"] == NASA_ID
    # Served copies: page 1 holds only the first recorded hit; the three recorded subaward hits (for this
    # very prime) are split over two subaward pages, hasNext true then false.
    api = FakeApi(
        httpserver,
        {1: as_page(search, 1, False, search["results"][:1])},
        {NASA_ID: load(api_responses, "planetary_usaspending_orm/awards_contract.json")},
        {1: as_page(hits, 1, True, hits["results"][:2]), 2: as_page(hits, 2, False, hits["results"][2:])},
    )

    records = list(iter_records(client_for(httpserver)))

    award, *subawards = records
    assert isinstance(award, Award)
    assert award.key == NASA_ID and award.piid == "80GSFC18C0008"
    assert (award.parent_piid, award.parent_agency) == (None, None)
    assert award.recipient == Party(
        name="THE UNIVERSITY OF IOWA",
        uei="Z1H9VJS8NG16",
        parent_name="THE UNIVERSITY OF IOWA",
        parent_uei="Z1H9VJS8NG16",
    )
    nasa = AgencyRef("080", NASA, "8000", NASA, None, "NASA GODDARD SPACE FLIGHT CENTER")
    assert award.awarding == nasa and award.funding == nasa
    assert award.award_type == "DEFINITIVE CONTRACT"
    assert (award.naics, award.naics_description) == ("541713", "RESEARCH AND DEVELOPMENT IN NANOTECHNOLOGY")
    assert award.psc == "AR11"
    assert (award.base_date, award.start_date, award.end_date, award.potential_end_date) == (
        "2018-03-05",
        "2018-03-05",
        "2025-08-19",
        "2025-08-23",
    )
    assert (award.obligated, award.current_value, award.potential_value) == (172213419.67, 172272419.67, 172272419.67)

    assert [body["filters"]["award_unique_id"] for body in api.subaward_bodies] == [NASA_ID, NASA_ID]
    assert [body["page"] for body in api.subaward_bodies] == [1, 2]
    assert all(
        body["spending_level"] == "subawards" and "Sub-Recipient UEI" in body["fields"] for body in api.subaward_bodies
    )
    assert all(isinstance(sub, Subaward) and sub.prime is award for sub in subawards)
    assert [(s.number, s.action_date, s.amount, s.sub.name, s.sub.uei) for s in subawards] == [
        ("1002081198", "2021-04-20", 495216.0, "REGENTS OF THE UNIVERSITY OF CALIFORNIA, THE", "GS3YEVSS12N6"),
        ("1002081198", "2022-10-04", 2030214.0, "REGENTS OF THE UNIVERSITY OF CALIFORNIA, THE", "GS3YEVSS12N6"),
        ("1001942526", "2021-02-19", 71739.0, "LOCKHEED MARTIN CORPORATION", "HDHVQ4EF8A89"),
    ]
    # The same subaward number is reported twice (two reports): the keys must still differ.
    assert [s.key for s in subawards][:2] == [
        f"{NASA_ID}|1002081198|2021-04-20|495216.00",
        f"{NASA_ID}|1002081198|2022-10-04|2030214.00",
    ]
    assert len({s.key for s in subawards}) == 3
    assert all(s.key.startswith(NASA_ID + "|") for s in subawards)
    assert subawards[0].description.startswith("UNDER THE DIRECTION OF THE TRACERS PI")
    assert subawards[0].prov.source == httpserver.url_for(SEARCH)
    assert subawards[0].prov.permalink == f"https://www.usaspending.gov/award/{NASA_ID}/"


def contract_example(shared_data: Path, contract: str) -> dict:
    """The example response body written in an API contract (API Blueprint markdown)."""
    text = (shared_data.parent / "reference/usaspending/api_contracts/contracts/v2" / contract).read_text()
    body = text[text.index("+ Response 200") :]
    body = body[body.index("+ Body") :]
    return json.JSONDecoder().raw_decode(body[body.index("{") :])[0]


def test_subaward_rows_of_the_older_subawards_endpoint_shape_map_too(httpserver, api_responses, shared_data):
    search = load(api_responses, "planetary_usaspending_orm/awards_search_results_contracts.json")
    example = contract_example(shared_data, "subawards.md")
    # Served copies: the NASA hit alone on the last page; the contract's example subaward page with
    # hasNext rewritten to false (the example says true).
    FakeApi(
        httpserver,
        {1: as_page(search, 1, False, search["results"][:1])},
        {NASA_ID: load(api_responses, "planetary_usaspending_orm/awards_contract.json")},
        {1: as_page(example, 1, False)},
    )

    award, sub = list(iter_records(client_for(httpserver)))

    assert isinstance(sub, Subaward) and sub.prime is award
    assert (sub.number, sub.action_date, sub.amount) == ("Z981002", "2011-10-27", 110000.0)
    assert sub.sub == Party(name="URS GROUP, INC.")
    assert sub.description.startswith("DEVELOPMENT OF A SELF-SUSTAINED WIRELESS")
    assert sub.key == f"{NASA_ID}|Z981002|2011-10-27|110000.00"


def test_unmappable_detail_is_rejected_and_the_run_goes_on(httpserver, api_responses):
    search = load(api_responses, "layonez_bid_buster/01-award-search-dod-mit.json")
    detail = load(api_responses, "layonez_bid_buster/03-award-detail-sample.json")
    broken = copy.deepcopy(detail)
    broken["recipient"]["recipient_uei"] = "NOT-A-UEI"  # served copy with one value spoiled on purpose
    # Served copy: the recorded page 1, marked as the last page.
    api = FakeApi(httpserver, {1: as_page(search, 1, False)}, {DOD_ID: broken})

    records = list(iter_records(client_for(httpserver), with_subawards=False))

    assert len(records) == len(search["results"]) == 10
    assert all(isinstance(record, Reject) for record in records)
    assert "UEI" in records[0].reason and records[0].record == DOD_ID
    assert "404" in records[1].reason and records[1].source.endswith(f"/api/v2/awards/{records[1].record}/")
    assert len(api.detail_ids) == 10


# -- pagination, request body ------------------------------------------------------------------------------


def three_pages(api_responses) -> dict:
    # Served copies: three different recorded search answers as pages 1-3, page metadata rewritten so
    # pages 1 and 2 say hasNext true and page 3 false; page 4 exists only to prove it is never asked for.
    one = load(api_responses, "layonez_bid_buster/01-award-search-dod-mit.json")
    two = load(api_responses, "layonez_bid_buster/07-non-competed-dod.json")
    three = load(api_responses, "planetary_usaspending_orm/awards_search_results_contracts.json")
    return {1: as_page(one, 1, True), 2: as_page(two, 2, True), 3: as_page(three, 3, False), 4: as_page(one, 4, False)}


def recorded_details(api_responses) -> dict:
    return {
        DOD_ID: load(api_responses, "layonez_bid_buster/03-award-detail-sample.json"),
        NASA_ID: load(api_responses, "planetary_usaspending_orm/awards_contract.json"),
    }


def test_pagination_asks_each_page_once_and_stops_on_has_next_false(httpserver, api_responses):
    pages = three_pages(api_responses)
    api = FakeApi(httpserver, pages, recorded_details(api_responses))
    counted = []

    records = list(iter_records(client_for(httpserver), with_subawards=False, page_size=10, progress=counted.append))

    assert api.search_pages == [1, 2, 3]
    assert len(records) == sum(len(pages[n]["results"]) for n in (1, 2, 3)) == 25
    assert sum(counted) == 25
    expected_ids = [hit["generated_internal_id"] for n in (1, 2, 3) for hit in pages[n]["results"]]
    assert api.detail_ids == expected_ids
    # The recorded NASA page lists its first award twice (the fixture author's edit), so it comes twice.
    assert [r.key for r in records if isinstance(r, Award)] == [DOD_ID, NASA_ID, NASA_ID]
    assert [r.record if isinstance(r, Reject) else r.key for r in records] == expected_ids
    assert all(body["limit"] == 10 for body in api.search_bodies)


def test_request_body_carries_the_filters(httpserver, api_responses):
    count = load(api_responses, "layonez_bid_buster/02-award-count-dod-mit.json")
    api = FakeApi(httpserver, {1: as_page(count, 1, False)}, recorded_details(api_responses))
    # Agencies resolved through the references list and autocomplete (tests/test_usaspending_agencies.py).
    ReferenceApi(httpserver, load(api_responses, "planetary_usaspending_orm/agency_autocomplete.json"))

    list(
        iter_records(
            client_for(httpserver),
            awarding_agency="Department of Defense",
            funding_agency="080",
            recipient="Massachusetts Institute of Technology",
            start="2015-10-01",
            end="9/30/2016",
            page_size=50,
        )
    )

    body = api.search_bodies[0]
    assert body["filters"] == {
        "award_type_codes": ["A", "B", "C", "D"],
        "time_period": [{"start_date": "2015-10-01", "end_date": "2016-09-30"}],
        "agencies": [
            {"type": "awarding", "tier": "toptier", "name": "Department of Defense"},
            {"type": "funding", "tier": "toptier", "name": NASA},
        ],
        "recipient_search_text": ["Massachusetts Institute of Technology"],
    }
    for field in (
        "Award ID",
        "Recipient Name",
        "Recipient UEI",
        "Award Amount",
        "Total Outlays",
        "Description",
        "Start Date",
        "End Date",
        "Awarding Agency",
        "Awarding Sub Agency",
        "Contract Award Type",
        "generated_internal_id",
        "recipient_id",
    ):
        assert field in body["fields"]
    assert (body["page"], body["limit"]) == (1, 50)


def test_refused_search_stops_the_run(httpserver):
    # Synthetic error answer (no refusal was recorded): a 422 with a `detail` as the API gives them.
    httpserver.expect_request(SEARCH, method="POST").respond_with_json(
        {"detail": "Missing value: 'filters|award_type_codes' is a required field"}, status=422
    )

    with pytest.raises(ApiError) as raised:
        list(iter_records(client_for(httpserver)))
    message = str(raised.value)
    assert httpserver.url_for(SEARCH) in message and "422" in message and "award_type_codes" in message


# -- checkpoint / resume -----------------------------------------------------------------------------------


def test_resume_after_interruption_continues_at_the_next_page(httpserver, api_responses, tmp_path):
    pages = three_pages(api_responses)
    api = FakeApi(httpserver, pages, recorded_details(api_responses))
    checkpoint = tmp_path / "state" / "usaspending.checkpoint.json"
    client = client_for(httpserver)

    first = iter_records(client, with_subawards=False, checkpoint=checkpoint)
    taken = [next(first) for _ in range(15)]  # all of page 1 (10) and half of page 2
    first.close()  # interrupted
    assert json.loads(checkpoint.read_text())["page"] == 1

    rest = list(iter_records(client, with_subawards=False, checkpoint=checkpoint))

    assert api.search_pages == [1, 2, 2, 3]  # only the interrupted page is asked for twice
    ids_of = [hit["generated_internal_id"] for n in (1, 2, 3) for hit in pages[n]["results"]]
    assert [r.record if isinstance(r, Reject) else r.key for r in taken] == ids_of[:15]
    assert [r.record if isinstance(r, Reject) else r.key for r in rest] == ids_of[10:]
    assert not checkpoint.exists()  # the run completed


def test_a_page_counts_as_done_only_when_the_consumer_asks_for_more(httpserver, api_responses, tmp_path):
    FakeApi(httpserver, three_pages(api_responses), recorded_details(api_responses))
    checkpoint = tmp_path / "checkpoint.json"

    run = iter_records(client_for(httpserver), with_subawards=False, checkpoint=checkpoint)
    for _ in range(10):  # exactly page 1, without asking for the 11th record
        next(run)
    assert not checkpoint.exists()
    next(run)
    assert json.loads(checkpoint.read_text())["page"] == 1
    run.close()


def test_checkpoint_for_other_filters_is_ignored(httpserver, api_responses, tmp_path):
    api = FakeApi(httpserver, three_pages(api_responses), recorded_details(api_responses))
    checkpoint = tmp_path / "checkpoint.json"
    client = client_for(httpserver)
    run = iter_records(client, with_subawards=False, checkpoint=checkpoint, recipient="MIT")
    for _ in range(11):
        next(run)
    run.close()

    list(iter_records(client, with_subawards=False, checkpoint=checkpoint, recipient="Boeing"))

    assert api.search_pages == [1, 2, 1, 2, 3]


# -- the shared HTTP client --------------------------------------------------------------------------------


def test_retry_after_429_honours_retry_after_seconds(httpserver, api_responses):
    detail = load(api_responses, "layonez_bid_buster/03-award-detail-sample.json")
    path = f"/api/v2/awards/{DOD_ID}/"
    httpserver.expect_ordered_request(path).respond_with_json(
        {"detail": "slow down"}, status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request(path).respond_with_json(detail)
    waits = []

    assert HttpClient(httpserver.url_for("/"), sleep=waits.append).get_json(path) == detail
    assert waits == [7.0]


def test_retry_after_as_http_date(httpserver, api_responses):
    detail = load(api_responses, "layonez_bid_buster/03-award-detail-sample.json")
    path = f"/api/v2/awards/{DOD_ID}/"
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    httpserver.expect_ordered_request(path).respond_with_json({}, status=503, headers={"Retry-After": when})
    httpserver.expect_ordered_request(path).respond_with_json(detail)
    waits = []

    assert HttpClient(httpserver.url_for("/"), sleep=waits.append).get_json(path) == detail
    assert len(waits) == 1 and 25 <= waits[0] <= 31


def test_retry_after_500_backs_off_exponentially(httpserver, api_responses):
    page = load(api_responses, "layonez_bid_buster/01-award-search-dod-mit.json")
    httpserver.expect_ordered_request(SEARCH, method="POST").respond_with_data("boom", status=500)
    httpserver.expect_ordered_request(SEARCH, method="POST").respond_with_data("boom", status=502)
    httpserver.expect_ordered_request(SEARCH, method="POST").respond_with_json(page)
    waits = []

    client = HttpClient(httpserver.url_for("/"), backoff=0.5, sleep=waits.append)
    assert client.post_json(SEARCH, {"page": 1}) == page
    assert waits == [0.5, 1.0]


def test_gives_up_after_n_tries_naming_the_url(httpserver):
    httpserver.expect_request(SEARCH, method="POST").respond_with_data("unavailable", status=503)
    waits = []

    with pytest.raises(ApiError) as raised:
        HttpClient(httpserver.url_for("/"), retries=3, sleep=waits.append).post_json(SEARCH, {"page": 1})

    message = str(raised.value)
    assert httpserver.url_for(SEARCH) in message
    assert "still failing after 3 tries" in message and "HTTP 503" in message
    assert raised.value.status == 503
    assert waits == [1.0, 2.0]
    assert len(httpserver.log) == 3


def test_client_error_is_not_retried_and_carries_the_detail(httpserver):
    path = "/api/v2/awards/CONT_AWD_NOPE/"
    # Synthetic error answer: a 404 with a `detail`, the way the API explains refusals.
    httpserver.expect_request(path).respond_with_json({"detail": "No award found with: 'CONT_AWD_NOPE'"}, status=404)
    waits = []

    with pytest.raises(ApiError) as raised:
        HttpClient(httpserver.url_for("/"), sleep=waits.append).get_json(path)

    assert str(raised.value).startswith(f"{httpserver.url_for(path)} answered 404: No award found with")
    assert raised.value.is_client_error and waits == [] and len(httpserver.log) == 1


def test_unreachable_server_names_the_url():
    base = f"http://127.0.0.1:{closed_port()}"
    waits = []

    with pytest.raises(ApiError) as raised:
        HttpClient(base, retries=2, sleep=waits.append, timeout=5).post_json(SEARCH, {"page": 1})

    message = str(raised.value)
    assert message.startswith(f"cannot reach {base}{SEARCH}: connection refused")
    assert "check --base-url or your network" in message
    assert waits == [1.0]


def test_cache_hit_avoids_a_second_request(httpserver, api_responses, tmp_path):
    detail = load(api_responses, "layonez_bid_buster/03-award-detail-sample.json")
    path = f"/api/v2/awards/{DOD_ID}/"
    httpserver.expect_oneshot_request(path).respond_with_json(detail)
    cache = tmp_path / "cache"

    assert HttpClient(httpserver.url_for("/"), cache_dir=cache).get_json(path) == detail
    assert HttpClient(httpserver.url_for("/"), cache_dir=cache).get_json(path) == detail  # a new client too

    assert len(httpserver.log) == 1
    # requests-cache's file backend: one readable JSON file per answer (beside its redirects.sqlite index)
    (answer,) = cache.glob("*.json")
    stored = json.loads(answer.read_text())
    assert stored["url"] == httpserver.url_for(path) and stored["_decoded_content"] == detail


def test_cache_keys_on_the_body_and_skips_failures(httpserver, api_responses, tmp_path):
    page = load(api_responses, "layonez_bid_buster/01-award-search-dod-mit.json")
    httpserver.expect_ordered_request(SEARCH, method="POST").respond_with_json({"detail": "nope"}, status=400)
    httpserver.expect_ordered_request(SEARCH, method="POST").respond_with_json(page)
    httpserver.expect_ordered_request(SEARCH, method="POST").respond_with_json(page)
    client = HttpClient(httpserver.url_for("/"), cache_dir=tmp_path)

    with pytest.raises(ApiError):
        client.post_json(SEARCH, {"page": 1, "limit": 10})
    assert client.post_json(SEARCH, {"limit": 10, "page": 1}) == page  # the 400 was not cached
    assert client.post_json(SEARCH, {"page": 1, "limit": 10}) == page  # same body, other key order: cached
    assert client.post_json(SEARCH, {"page": 2, "limit": 10}) == page  # another body: asked again

    assert len(httpserver.log) == 3


def test_cached_answers_expire_after_cache_max_age(httpserver, api_responses, tmp_path):
    detail = load(api_responses, "layonez_bid_buster/03-award-detail-sample.json")
    path = f"/api/v2/awards/{DOD_ID}/"
    httpserver.expect_request(path).respond_with_json(detail)
    cache = tmp_path / "cache"
    HttpClient(httpserver.url_for("/"), cache_dir=cache).get_json(path)
    stored = FileCache(cache).responses
    (key,) = stored.keys()
    answer = stored[key]
    answer.created_at -= timedelta(hours=2)  # the answer is two hours old
    stored[key] = answer

    assert HttpClient(httpserver.url_for("/"), cache_dir=cache, cache_max_age=10800).get_json(path) == detail
    assert len(httpserver.log) == 1  # three hours allowed: still served from the cache
    assert HttpClient(httpserver.url_for("/"), cache_dir=cache, cache_max_age=3600).get_json(path) == detail
    assert len(httpserver.log) == 2  # one hour allowed: fetched again


def test_cache_false_neither_reads_nor_writes_the_cache(httpserver, api_responses, tmp_path):
    detail = load(api_responses, "layonez_bid_buster/03-award-detail-sample.json")
    path = f"/api/v2/awards/{DOD_ID}/"
    httpserver.expect_request(path).respond_with_json(detail)
    client = HttpClient(httpserver.url_for("/"), cache_dir=tmp_path / "cache")

    assert client.get_json(path, cache=False) == detail
    assert not list((tmp_path / "cache").glob("*.json"))  # not written
    client.get_json(path)
    assert client.get_json(path, cache=False) == detail
    assert len(httpserver.log) == 3  # the cached copy was not read either


def test_a_cache_file_cut_off_mid_write_is_fetched_again(httpserver, api_responses, tmp_path):
    detail = load(api_responses, "layonez_bid_buster/03-award-detail-sample.json")
    path = f"/api/v2/awards/{DOD_ID}/"
    httpserver.expect_request(path).respond_with_json(detail)
    cache = tmp_path / "cache"
    HttpClient(httpserver.url_for("/"), cache_dir=cache).get_json(path)
    (answer,) = cache.glob("*.json")
    answer.write_bytes(answer.read_bytes()[:500])  # a crash while the file was written

    assert HttpClient(httpserver.url_for("/"), cache_dir=cache).get_json(path) == detail
    assert len(httpserver.log) == 2
    assert json.loads(answer.read_text())["_decoded_content"] == detail  # written whole again


def test_a_damaged_body_and_5xx_answers_share_one_budget_of_tries(httpserver, api_responses):
    page = load(api_responses, "layonez_bid_buster/01-award-search-dod-mit.json")
    cut = json.dumps(page)[:200]  # the recorded page cut off: retried by our reader, not by urllib3
    httpserver.expect_ordered_request(SEARCH, method="POST").respond_with_data(cut, content_type="application/json")
    httpserver.expect_ordered_request(SEARCH, method="POST").respond_with_data("unavailable", status=503)
    httpserver.expect_ordered_request(SEARCH, method="POST").respond_with_data("unavailable", status=503)
    waits = []

    with pytest.raises(ApiError, match=r"still failing after 3 tries \(HTTP 503\)"):
        HttpClient(httpserver.url_for("/"), retries=3, sleep=waits.append).post_json(SEARCH, {"page": 1})
    assert len(httpserver.log) == 3 and waits == [1.0, 2.0]


# -- keyset cursor: no 10,000-award ceiling ----------------------------------------------------------------


class CursorApi:
    """The search as its source pages (usaspending_api/search/v2/views/spending_by_award.py): without a
    cursor, `hasNext` comes from a hit total that stops counting at `counted` (Elasticsearch's 10,000) and
    pages past `window` are refused with 422; with `last_record_unique_id`/`last_record_sort_value` it reads
    `limit + 1` hits after them and `hasNext` is whether the extra one exists. Synthetic hits: the recorded
    DoD–MIT hits, re-keyed (Award ID SYN0000…, internal_id 1…) so there are `total` of them; their
    detail pages are answered 404, so each comes back as a Reject named by its generated id."""

    def __init__(self, httpserver, recorded: dict, total: int, counted: int, window: int, cursor: bool = True):
        self.hits = [self.hit(recorded, n) for n in range(1, total + 1)]
        self.counted, self.window, self.cursor = counted, window, cursor
        self.bodies = []
        httpserver.expect_request(SEARCH, method="POST").respond_with_handler(self.search)
        httpserver.expect_request(re.compile(r"^/api/v2/awards/[^/]+/$"), method="GET").respond_with_data(
            json.dumps({"detail": "No award found"}), status=404, content_type="application/json"
        )

    @staticmethod
    def hit(recorded: dict, n: int, award_id: str | None = None) -> dict:
        hit = copy.deepcopy(recorded["results"][n % len(recorded["results"])])
        award_id = award_id or f"SYN{n:04d}"
        hit.update(
            {"internal_id": n, "Award ID": award_id, "generated_internal_id": f"CONT_AWD_{award_id}_9700_-NONE-_-NONE-"}
        )
        return hit

    def ordered(self) -> list[dict]:
        return sorted(self.hits, key=lambda h: (h["Award ID"], h["internal_id"]))

    def search(self, request: Request) -> Response:
        body = request.get_json()
        self.bodies.append(body)
        limit, page, hits = body["limit"], body["page"], self.ordered()
        if "last_record_unique_id" in body:
            after = (body["last_record_sort_value"], body["last_record_unique_id"])
            taken = [h for h in hits if (h["Award ID"], h["internal_id"]) > after][: limit + 1]
            has_next, results = len(taken) > limit, taken[:limit]
        else:
            start = (page - 1) * limit
            if start >= self.window:
                return json_response(
                    {"detail": f"Page #{page} with limit {limit} is over the maximum result limit {self.window}."},
                    status=422,
                )
            results = hits[start : start + limit]
            has_next = min(len(hits), self.counted) - start > limit
        metadata = {"page": page, "hasNext": has_next}
        if self.cursor and has_next:
            metadata.update(
                last_record_unique_id=results[-1]["internal_id"], last_record_sort_value=results[-1]["Award ID"]
            )
        return json_response(
            {
                "spending_level": "awards",
                "limit": limit,
                "results": results,
                "page_metadata": metadata,
                "messages": ["The filter 'foo' was ignored."],
            }
        )


def ids(records) -> list[str]:
    return [r.record if isinstance(r, Reject) else r.key for r in records]


def test_cursor_pages_past_the_count_ceiling(httpserver, api_responses, caplog):
    recorded = load(api_responses, "layonez_bid_buster/01-award-search-dod-mit.json")
    api = CursorApi(httpserver, recorded, total=47, counted=25, window=30)

    with caplog.at_level("WARNING", logger="ingest.usaspending_api"):
        records = list(iter_records(client_for(httpserver), with_subawards=False, page_size=10))

    assert ids(records) == [h["generated_internal_id"] for h in api.ordered()]  # all 47, each once
    assert "last_record_unique_id" not in api.bodies[0]
    assert [(b["last_record_sort_value"], b["last_record_unique_id"]) for b in api.bodies[1:]] == [
        ("SYN0010", 10),
        ("SYN0020", 20),
        ("SYN0030", 30),
        ("SYN0040", 40),
    ]
    said = [r.getMessage() for r in caplog.records if "says:" in r.getMessage()]
    assert len(said) == 1 and "The filter 'foo' was ignored." in said[0]


def test_without_a_cursor_the_ceiling_is_an_error_not_a_silent_stop(httpserver, api_responses, monkeypatch):
    from ingest import usaspending_api

    monkeypatch.setattr(usaspending_api, "UNCOUNTED_AFTER", 30)  # the API's 10,000, scaled to the fake
    recorded = load(api_responses, "layonez_bid_buster/01-award-search-dod-mit.json")
    CursorApi(httpserver, recorded, total=47, counted=30, window=100, cursor=False)
    # synthetic: a count that stops at the ceiling too, so splitting by date cannot be decided on it
    httpserver.expect_request("/api/v2/search/spending_by_award_count/", method="POST").respond_with_json(
        {
            "results": {"contracts": 30, "idvs": 0, "grants": 0, "loans": 0, "direct_payments": 0, "other": 0},
            "spending_level": "awards",
        }
    )

    with pytest.raises(
        ApiError, match=r"gives no cursor and 30 awards match on \d{4}-\d\d-\d\d alone, more than the 30"
    ):
        list(iter_records(client_for(httpserver), with_subawards=False, page_size=10))


def test_resume_by_cursor_neither_repeats_nor_skips_when_the_index_moves(httpserver, api_responses, tmp_path):
    recorded = load(api_responses, "layonez_bid_buster/01-award-search-dod-mit.json")
    api = CursorApi(httpserver, recorded, total=35, counted=10_000, window=10_000)
    checkpoint = tmp_path / "checkpoint.json"
    client = client_for(httpserver)

    first = iter_records(client, with_subawards=False, page_size=10, checkpoint=checkpoint)
    taken = [next(first) for _ in range(15)]  # page 1, half of page 2
    first.close()
    saved = json.loads(checkpoint.read_text())
    assert saved["page"] == 1 and saved["cursor"] == {"last_record_unique_id": 10, "last_record_sort_value": "SYN0010"}
    # Between runs the index is reloaded: two awards sort before the cursor, so page 2 now starts elsewhere.
    api.hits += [CursorApi.hit(recorded, 100, "SYN0000A"), CursorApi.hit(recorded, 101, "SYN0005A")]

    rest = list(iter_records(client, with_subawards=False, page_size=10, checkpoint=checkpoint))

    expected = [f"CONT_AWD_SYN{n:04d}_9700_-NONE-_-NONE-" for n in range(1, 36)]
    assert ids(taken) == expected[:15]
    assert ids(rest) == expected[10:]  # page 2 again (the interrupted one), then the rest: none skipped
    assert api.bodies[-4]["last_record_unique_id"] == 10  # resumed after the saved cursor, not at "page 2"
    assert not checkpoint.exists()


@pytest.mark.parametrize(
    "codes, message",
    [
        (["A", "IDV_A"], r"mix the groups contracts and idvs, which the search refuses"),
        (["A", "Z"], r"unknown award type code 'Z'; the codes, by group, are contracts: A, B, C, D; idvs: IDV_A"),
    ],
)
def test_award_type_groups_are_checked_before_any_request(codes, message):
    from ingest.usaspending_api import build_filters

    with pytest.raises(ValueError, match=message):
        build_filters(None, award_types=codes)


def test_dates_are_clamped_to_what_the_search_covers(caplog):
    from datetime import date

    from ingest.usaspending_api import build_filters

    with caplog.at_level("WARNING", logger="ingest.usaspending_api"):
        filters = build_filters(None, start="2001-01-01", end="2099-01-01", award_types=["IDV_A", "IDV_B"])
    assert filters["time_period"] == [{"start_date": "2007-10-01", "end_date": date.today().isoformat()}]
    assert filters["award_type_codes"] == ["IDV_A", "IDV_B"]
    text = caplog.text
    assert "before the search's earliest date 2007-10-01" in text and "in the future" in text
    with pytest.raises(ValueError, match="outside the dates the search covers"):
        build_filters(None, start="2001-01-01", end="2005-01-01")


def test_parent_idv_recovered_from_the_generated_id_when_parent_award_is_null(api_responses):
    from core.records import Provenance
    from ingest.usaspending_api import award_from_detail

    # A copy of the recorded DoD detail with `parent_award` null, as the API answers when the parent IDV is
    # not in USAspending; its generated id still names it (CONT_AWD_0007_9700_FA870215D0001_9700).
    detail = copy.deepcopy(load(api_responses, "layonez_bid_buster/03-award-detail-sample.json"))
    detail["parent_award"] = None
    award = award_from_detail(detail, Provenance(source="test", record="1", retrieved="2026-12-02"))
    assert (award.parent_piid, award.parent_agency) == ("FA870215D0001", "9700")


def test_a_subaward_of_another_award_matching_the_text_search_is_left_out(httpserver, api_responses):
    search = load(api_responses, "planetary_usaspending_orm/awards_search_results_contracts.json")
    hits = load(api_responses, "planetary_usaspending_orm/awards_search_results_subawards.json")
    other = copy.deepcopy(hits["results"][0])  # synthetic: a hit of another prime award
    other["prime_award_generated_internal_id"] = NASA_ID + "X"
    FakeApi(
        httpserver,
        {1: as_page(search, 1, False, search["results"][:1])},
        {NASA_ID: load(api_responses, "planetary_usaspending_orm/awards_contract.json")},
        {1: as_page(hits, 1, False, hits["results"] + [other])},
    )

    award, *subawards = list(iter_records(client_for(httpserver)))

    assert len(subawards) == 3 and all(s.prime is award for s in subawards)


def test_one_subaward_read_from_a_bulk_file_and_from_the_api_has_one_key(shared_data, tmp_path):
    """The first real ICE subaward row of the bulk file, and the subaward search hit the API would give for it
    (synthetic: the recorded hit's shape with that row's values), key the same."""
    import csv as csv_module

    from ingest import usaspending_csv

    path = shared_data / "usaspending_bulk_ice_mn/all_after_2020__Contracts_Subawards_2025-03-28_H03M23S17_1.csv"
    bulk = next(r for r in usaspending_csv.read(path) if isinstance(r, Subaward))
    with path.open(newline="", encoding="utf-8-sig") as handle:
        row = next(csv_module.DictReader(handle))
    recorded = load(
        shared_data / "usaspending_api_responses", "planetary_usaspending_orm/awards_search_results_subawards.json"
    )
    hit = {
        **recorded["results"][0],
        "Sub-Award ID": row["subaward_number"],
        "Sub-Award Date": row["subaward_action_date"],
        "Sub-Award Amount": float(row["subaward_amount"]),
        "Sub-Awardee Name": row["subawardee_name"],
        "Sub-Recipient UEI": row["subawardee_uei"],
        "prime_award_generated_internal_id": row["prime_award_unique_key"],
    }
    from core.records import Provenance
    from ingest.usaspending_api import subaward_from_result

    api = subaward_from_result(hit, bulk.prime, Provenance("api", "hit 1", "2026-12-02T00:00:00+00:00"))

    assert api.key == bulk.key and api.sub.uei == bulk.sub.uei == row["subawardee_uei"]


class WindowApi:
    """A search without a keyset cursor (an older API, or a proxy that drops it), over `total` synthetic hits
    (the recorded DoD-MIT hit re-keyed) each dated one day apart from 2020-01-01: page numbers stop at `window`
    hits, `spending_by_award_count` counts what matches the time period exactly, as its source does."""

    def __init__(self, httpserver, recorded: dict, total: int, window: int):
        from datetime import date as day
        from datetime import timedelta

        self.hits = []
        for n in range(1, total + 1):
            hit = CursorApi.hit(recorded, n)
            hit["date"] = (day(2020, 1, 1) + timedelta(days=n - 1)).isoformat()
            self.hits.append(hit)
        self.window, self.bodies, self.counted = window, [], []
        httpserver.expect_request(SEARCH, method="POST").respond_with_handler(self.search)
        httpserver.expect_request("/api/v2/search/spending_by_award_count/", method="POST").respond_with_handler(
            self.count
        )
        httpserver.expect_request(re.compile(r"^/api/v2/awards/[^/]+/$"), method="GET").respond_with_data(
            json.dumps({"detail": "No award found"}), status=404, content_type="application/json"
        )

    def matching(self, filters: dict) -> list[dict]:
        period = (filters.get("time_period") or [{"start_date": "0000", "end_date": "9999"}])[0]
        return [h for h in self.hits if period["start_date"] <= h["date"] <= period["end_date"]]

    def count(self, request: Request) -> Response:
        filters = request.get_json()["filters"]
        self.counted.append(filters.get("time_period"))
        return json_response(
            {
                "results": {
                    "contracts": len(self.matching(filters)),
                    "idvs": 0,
                    "grants": 0,
                    "loans": 0,
                    "direct_payments": 0,
                    "other": 0,
                },
                "spending_level": "awards",
            }
        )

    def search(self, request: Request) -> Response:
        body = request.get_json()
        self.bodies.append(body)
        hits, limit, page = self.matching(body["filters"]), body["limit"], body["page"]
        start = (page - 1) * limit
        if start >= self.window:
            return json_response({"detail": "over the maximum result limit"}, status=422)
        results = hits[start : start + limit]
        return json_response(
            {
                "spending_level": "awards",
                "limit": limit,
                "results": results,
                "page_metadata": {"page": page, "hasNext": min(len(hits), self.window) - start > limit},
            }
        )


def test_without_a_cursor_a_large_result_is_split_into_date_windows(httpserver, api_responses, monkeypatch):
    from ingest import usaspending_api

    monkeypatch.setattr(usaspending_api, "UNCOUNTED_AFTER", 30)  # the API's 10,000, scaled to the fake
    recorded = load(api_responses, "layonez_bid_buster/01-award-search-dod-mit.json")
    api = WindowApi(httpserver, recorded, total=100, window=30)

    records = list(
        iter_records(client_for(httpserver), with_subawards=False, page_size=10, start="2020-01-01", end="2020-04-09")
    )

    assert sorted(ids(records)) == sorted(h["generated_internal_id"] for h in api.hits)  # all 100, each once
    paged = {tuple(b["filters"]["time_period"][0].values()) for b in api.bodies if b["page"] > 1}
    assert paged and all(
        len(api.matching({"time_period": [dict(zip(("start_date", "end_date"), p, strict=False))]})) < 30 for p in paged
    )  # every window paged through holds fewer than page numbers reach
    assert len(api.counted) > 2


def test_details_fetched_side_by_side_come_out_in_the_search_order(api_responses):
    """A threaded local server answers each detail after a random few milliseconds (synthetic details: the
    recorded DoD detail re-keyed), so with 4 workers they finish out of order; the records must not."""
    import random
    import time

    from pytest_httpserver import HTTPServer

    recorded = load(api_responses, "layonez_bid_buster/01-award-search-dod-mit.json")
    detail = load(api_responses, "layonez_bid_buster/03-award-detail-sample.json")
    server = HTTPServer(threaded=True)
    server.start()
    try:
        api = CursorApi(server, recorded, total=60, counted=10_000, window=10_000)
        server.clear_all_handlers()
        server.expect_request(SEARCH, method="POST").respond_with_handler(api.search)
        chance = random.Random(7)

        def slow(request: Request) -> Response:
            time.sleep(chance.random() * 0.02)
            generated = request.path.split("/")[-2]
            return json_response({**detail, "generated_unique_award_id": generated, "subaward_count": 0})

        server.expect_request(re.compile(r"^/api/v2/awards/[^/]+/$")).respond_with_handler(slow)
        client = HttpClient(server.url_for("/"), sleep=lambda seconds: None)
        one = [r.key for r in iter_records(client, with_subawards=False, page_size=25, workers=1)]
        four = [r.key for r in iter_records(client, with_subawards=False, page_size=25, workers=4)]
    finally:
        server.stop()
    assert four == one == [h["generated_internal_id"] for h in api.ordered()]


def test_workers_are_bounded_by_the_connection_pool():
    with pytest.raises(ValueError, match="workers must be between 1 and 10"):
        next(iter_records(HttpClient("http://127.0.0.1:9"), workers=11))
