"""Open311 GeoReport v2 conformance of the running council services stand-in.

Runs against a real server (see conftest.py), once on SQLite and once on PostgreSQL.
The tests share one server per backend, so each one creates its own requests and checks
only those.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import httpx
import pytest
import sqlalchemy as sa

from tests.web_app import head_revision

if TYPE_CHECKING:
    from conftest import RunningServer

SERVICES = "/open311/v2/services.json"
REQUESTS = "/open311/v2/requests.json"
REFERENCE = re.compile(r"^SR-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{6}$")
W3C_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")
EXPECTED_CODES = {
    "POTHOLE", "STREETLIGHT", "FLYTIP", "GRAFFITI", "DRAIN", "PAVEMENT", "LITTER",
    "DOG_FOULING", "ABANDONED_VEHICLE", "DEAD_ANIMAL", "TREES_HEDGES", "FLOODING",
    "ROAD_DEBRIS", "STREET_FURNITURE",
}  # fmt: skip
SERVICE_FIELDS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
ATTRIBUTE_FIELDS = {
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
}
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
POTHOLE_FORM = {
    "service_code": "POTHOLE",
    "lat": "53.01191",
    "long": "-2.17825",
    "attribute[depth]": "over_10cm",
}


def post(
    client: httpx.Client, server: RunningServer, **fields: str | list[str] | None
) -> httpx.Response:
    """POST requests.json with a valid pothole report, changed by ``fields`` (None drops)."""
    form: dict[str, str | list[str] | None] = {"api_key": server.api_key, **POTHOLE_FORM}
    form.update(fields)
    return client.post(REQUESTS, data={k: v for k, v in form.items() if v is not None})


def create(client: httpx.Client, server: RunningServer, **fields: str | list[str] | None) -> str:
    response = post(client, server, **fields)
    assert response.status_code == 200, response.text
    return response.json()[0]["service_request_id"]


def ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["service_request_id"] for item in response.json()]


def assert_error_array(response: httpx.Response, status: int, fragment: str = "") -> None:
    """The body is the GeoReport v2 error array, with the HTTP status as each code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, list) and body
    for item in body:
        assert set(item) == {"code", "description"}
        assert item["code"] == status
        assert isinstance(item["description"], str) and item["description"]
    assert fragment.lower() in " ".join(item["description"] for item in body).lower()


def staff_patch(
    client: httpx.Client, server: RunningServer, reference: str, **body: str
) -> httpx.Response:
    return client.patch(f"/api/v1/reports/{reference}", json=body, headers=server.staff_headers)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


# --- readiness and documents ------------------------------------------------------------------


def test_healthz(client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_openapi_document_lists_the_endpoints(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.")
    for path, operations in document["paths"].items():
        if path.startswith("/open311"):
            for operation in operations.values():
                assert "400" in operation["responses"] and "422" not in operation["responses"]
    for path in (
        "/open311/v2/services.json",
        "/open311/v2/services/{service_code}.json",
        "/open311/v2/requests.json",
        "/open311/v2/requests/{service_request_id}.json",
        "/api/v1/reports/{service_request_id}",
    ):
        assert path in document["paths"]


def test_home_page_links_to_docs_and_services(client: httpx.Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert 'href="/docs"' in response.text and f'href="{SERVICES}"' in response.text


def test_schema_revision_is_the_head(council_services: RunningServer) -> None:
    engine = sa.create_engine(council_services.database_url, future=True)
    try:
        with engine.connect() as connection:
            query = sa.text("SELECT version_num FROM alembic_version")
            assert list(connection.execute(query).scalars()) == [head_revision()]
    finally:
        engine.dispose()


# --- services ---------------------------------------------------------------------------------


def test_services_list(client: httpx.Client) -> None:
    response = client.get(SERVICES)
    assert response.status_code == 200
    services = response.json()
    assert EXPECTED_CODES <= {service["service_code"] for service in services}
    for service in services:
        assert set(service) == SERVICE_FIELDS
        assert service["type"] == "realtime"
        assert service["metadata"] is True
        assert isinstance(service["keywords"], str) and service["keywords"]
        assert service["service_name"] and service["description"] and service["group"]


@pytest.mark.parametrize("code", sorted(EXPECTED_CODES))
def test_service_definition(client: httpx.Client, code: str) -> None:
    response = client.get(f"/open311/v2/services/{code}.json")
    assert response.status_code == 200
    definition = response.json()
    assert definition["service_code"] == code
    attributes = definition["attributes"]
    assert attributes
    for attribute in attributes:
        assert set(attribute) == ATTRIBUTE_FIELDS
        assert attribute["datatype"] in DATATYPES
        assert isinstance(attribute["variable"], bool) and isinstance(attribute["required"], bool)
        assert isinstance(attribute["order"], int)
        if attribute["datatype"].endswith("valuelist"):
            assert attribute["values"]
            assert all(set(value) == {"key", "name"} for value in attribute["values"])
    assert len({attribute["order"] for attribute in attributes}) == len(attributes)
    hazard = next(attribute for attribute in attributes if attribute["code"] == "hazard")
    assert hazard["required"] is False
    assert {value["key"] for value in hazard["values"]} == {"yes", "no"}


def test_pothole_and_street_light_attributes(client: httpx.Client) -> None:
    pothole = client.get("/open311/v2/services/POTHOLE.json").json()["attributes"]
    by_code = {attribute["code"]: attribute for attribute in pothole}
    assert by_code["depth"]["required"] is False  # the assistant does not ask for it yet
    assert by_code["depth"]["datatype"] == "singlevaluelist"
    assert [value["name"] for value in by_code["depth"]["values"]] == [
        "Less than 5cm",
        "Between 5cm and 10cm",
        "Over 10cm",
    ]
    assert {v["key"] for v in by_code["danger_to_traffic"]["values"]} == {"yes", "no"}
    light = client.get("/open311/v2/services/STREETLIGHT.json").json()["attributes"]
    fault = next(attribute for attribute in light if attribute["code"] == "light_fault")
    assert {value["key"] for value in fault["values"]} == {
        "not_working",
        "flickering",
        "on_in_daytime",
        "damaged",
    }


#: Each street service's own attributes (besides hazard and assisted) and, for lists, their keys.
STREET_ATTRIBUTES = {
    "LITTER": {
        "litter_problem": {"litter", "overflowing_bin", "damaged_bin"},
        "litter_type": {"food_packaging", "cans_bottles", "cigarette_ends", "needles", "other"},
    },
    "DOG_FOULING": {"fouling_frequency": {"one_off", "regular"}, "usual_time": None},
    "ABANDONED_VEHICLE": {
        "registration": None,
        "vehicle_description": None,
        "time_there": {"under_1_week", "1_to_4_weeks", "over_4_weeks", "unknown"},
        "vehicle_condition": {
            "flat_tyres", "broken_windows", "no_plates", "burnt_out", "full_of_rubbish",
        },
    },
    "DEAD_ANIMAL": {
        "animal_type": {"cat", "dog", "fox", "badger", "deer", "bird", "other"},
        "animal_size": {"small", "medium", "large"},
    },
    "TREES_HEDGES": {
        "tree_problem": {"fallen_tree", "overgrown_tree", "overgrown_hedge", "damaged_tree"},
        "blocking": {"road", "pavement", "sign_or_light", "nothing"},
    },
    "FLOODING": {
        "flood_location": {"road", "pavement", "inside_property", "garden_or_land"},
        "water_source": {"rain_or_drain", "burst_pipe", "watercourse", "sewage", "unknown"},
    },
    "ROAD_DEBRIS": {
        "debris_type": {"broken_glass", "crash_debris", "spilt_load", "oil_or_fuel", "other"},
        "debris_location": {"road", "pavement", "cycle_lane"},
    },
    "STREET_FURNITURE": {
        "item": {"road_sign", "street_name_plate", "bollard", "railing", "other"},
        "damage": {"knocked_down", "damaged", "missing", "obscured"},
    },
}  # fmt: skip


@pytest.mark.parametrize("code", sorted(STREET_ATTRIBUTES))
def test_street_service_attributes(client: httpx.Client, code: str) -> None:
    """Each street service asks what its team needs; nothing required (a resident may not know)."""
    definition = client.get(f"/open311/v2/services/{code}.json").json()
    by_code = {attribute["code"]: attribute for attribute in definition["attributes"]}
    assert set(by_code) == {*STREET_ATTRIBUTES[code], "hazard", "assisted"}
    for name, keys in STREET_ATTRIBUTES[code].items():
        attribute = by_code[name]
        assert attribute["required"] is False and attribute["description"]
        if keys is None:
            assert attribute["datatype"] == "string" and attribute["datatype_description"]
        else:
            assert {value["key"] for value in attribute["values"]} == keys


@pytest.mark.parametrize("code", sorted(STREET_ATTRIBUTES))
def test_street_services_say_what_residents_can_expect(
    client: httpx.Client, council_services: RunningServer, code: str
) -> None:
    """A new request gets its service's notice (e.g. how soon dead animals are removed)."""
    response = post(client, council_services, service_code=code, **{"attribute[depth]": None})
    assert response.status_code == 200, response.text
    assert response.json()[0]["service_notice"]


def test_unknown_service_definition_is_404(client: httpx.Client) -> None:
    assert_error_array(client.get("/open311/v2/services/NOSUCH.json"), 404, "NOSUCH")


def test_jurisdiction_id_accepted_everywhere(
    client: httpx.Client, council_services: RunningServer
) -> None:
    params = {"jurisdiction_id": "stoke-on-trent.gov.uk"}
    assert client.get(SERVICES, params=params).status_code == 200
    assert client.get("/open311/v2/services/DRAIN.json", params=params).status_code == 200
    reference = create(client, council_services, jurisdiction_id="stoke-on-trent.gov.uk")
    response = client.post(
        REQUESTS,
        params=params,
        data={"api_key": council_services.api_key, **POTHOLE_FORM},
    )
    assert response.status_code == 200
    assert client.get(REQUESTS, params=params).status_code == 200
    assert client.get(f"/open311/v2/requests/{reference}.json", params=params).status_code == 200


# --- posting requests -------------------------------------------------------------------------


def test_post_request_returns_one_item_array(
    client: httpx.Client, council_services: RunningServer
) -> None:
    response = post(client, council_services, description="Deep hole by the bus stop")
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    assert set(body[0]) == {"service_request_id", "service_notice", "account_id"}
    assert REFERENCE.match(body[0]["service_request_id"])
    assert body[0]["service_notice"]
    assert body[0]["account_id"] is None


def test_post_with_address_and_every_datatype(
    client: httpx.Client, council_services: RunningServer
) -> None:
    reference = create(
        client,
        council_services,
        service_code="FLYTIP",
        lat=None,
        long=None,
        address_string="Hanley bus station, Stoke-on-Trent",
        zipcode="st1 1hp",
        **{
            "attribute[depth]": None,
            "attribute[waste_type][]": ["furniture", "tyres"],
            "attribute[amount]": "van_load",
            "attribute[seen_dumping_at]": "2026-11-22T21:30:00Z",
            "attribute[hazard]": "yes",
        },
    )
    item = client.get(f"/open311/v2/requests/{reference}.json").json()[0]
    assert item["address"] == "Hanley bus station, Stoke-on-Trent"
    assert item["zipcode"] == "ST1 1HP"
    assert item["lat"] is None and item["long"] is None
    staff = client.get(f"/api/v1/reports/{reference}", headers=council_services.staff_headers)
    assert staff.json()["attributes"] == {
        "waste_type": ["furniture", "tyres"],
        "amount": "van_load",
        "seen_dumping_at": "2026-11-22T21:30:00+00:00",
        "hazard": "yes",
    }
    number = create(client, council_services, **{"attribute[width_cm]": "35"})
    staff = client.get(f"/api/v1/reports/{number}", headers=council_services.staff_headers)
    assert staff.json()["attributes"]["width_cm"] == 35.0


@pytest.mark.parametrize("code", sorted(EXPECTED_CODES))
def test_the_assistant_s_minimal_request_is_accepted(
    client: httpx.Client, council_services: RunningServer, code: str
) -> None:
    """What integrations/open311 sends today: a location, a description and the hazard."""
    response = client.post(
        REQUESTS,
        data={
            "api_key": council_services.api_key,
            "jurisdiction_id": "stoke-on-trent.gov.uk",
            "service_code": code,
            "lat": "53.011910",
            "long": "-2.178250",
            "description": "Reported through the assistant",
            "attribute[hazard]": "no",
        },
    )
    assert response.status_code == 200, response.text


def test_description_of_4000_characters_is_accepted(
    client: httpx.Client, council_services: RunningServer
) -> None:
    assert post(client, council_services, description="x" * 4000).status_code == 200


@pytest.mark.parametrize(
    ("fields", "status", "fragment"),
    [
        pytest.param({"api_key": None}, 403, "api_key", id="missing-api-key"),
        pytest.param({"api_key": "wrong"}, 403, "api_key", id="wrong-api-key"),
        pytest.param({"service_code": "NOSUCH"}, 404, "NOSUCH", id="unknown-service"),
        pytest.param({"service_code": None}, 400, "service_code", id="missing-service-code"),
        pytest.param({"lat": None, "long": None}, 400, "location", id="missing-location"),
        pytest.param({"long": None}, 400, "lat and long", id="lat-without-long"),
        pytest.param({"lat": "north"}, 400, "lat", id="lat-not-a-number"),
        pytest.param({"lat": "91"}, 400, "lat", id="lat-out-of-range"),
        pytest.param({"long": "-181"}, 400, "long", id="long-out-of-range"),
        pytest.param({"attribute[depth]": "deep"}, 400, "depth", id="bad-attribute-value"),
        pytest.param({"attribute[hazard]": "maybe"}, 400, "hazard", id="bad-hazard-value"),
        pytest.param({"attribute[colour]": "red"}, 400, "colour", id="unknown-attribute"),
        pytest.param({"attribute[width_cm]": "wide"}, 400, "number", id="bad-number"),
        pytest.param({"description": "x" * 4001}, 400, "4000", id="description-too-long"),
        pytest.param({"email": "not-an-email"}, 400, "email", id="bad-email"),
        pytest.param({"media_url": "ftp://x"}, 400, "media_url", id="bad-media-url"),
    ],
)
def test_post_errors(
    client: httpx.Client,
    council_services: RunningServer,
    fields: dict[str, str | None],
    status: int,
    fragment: str,
) -> None:
    assert_error_array(post(client, council_services, **fields), status, fragment)


def test_api_key_is_checked_before_anything_else(client: httpx.Client) -> None:
    response = client.post(REQUESTS, data={"service_code": "NOSUCH", "lat": "x"})
    assert_error_array(response, 403, "api_key")


def test_multivaluelist_refuses_unknown_keys(
    client: httpx.Client, council_services: RunningServer
) -> None:
    response = post(
        client,
        council_services,
        service_code="FLYTIP",
        **{"attribute[depth]": None, "attribute[waste_type][]": ["tyres", "plutonium"]},
    )
    assert_error_array(response, 400, "plutonium")


# --- reading requests -------------------------------------------------------------------------


def test_request_fields_and_no_personal_data(
    client: httpx.Client, council_services: RunningServer
) -> None:
    personal = {
        "email": "jo.bloggs.contract@example.org",
        "first_name": "Josephine",
        "last_name": "Bloggsworth",
        "phone": "07700900123",
        "device_id": "device-contract-42",
        "account_id": "account-contract-42",
    }
    reference = create(client, council_services, description="Hole outside number 4", **personal)
    listing = client.get(REQUESTS, params={"service_request_id": reference})
    single = client.get(f"/open311/v2/requests/{reference}.json")
    everything = client.get(REQUESTS)
    for response in (listing, single, everything):
        assert response.status_code == 200
        for value in personal.values():
            assert value not in response.text
        for item in response.json():
            assert set(item) == REQUEST_FIELDS
    item = single.json()[0]
    assert item["service_request_id"] == reference
    assert item["status"] == "open"
    assert item["service_code"] == "POTHOLE" and item["service_name"] == "Pothole"
    assert item["description"] == "Hole outside number 4"
    assert item["lat"] == pytest.approx(53.01191) and item["long"] == pytest.approx(-2.17825)
    assert item["agency_responsible"] and item["service_notice"]
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C_UTC.match(item[field]), item[field]


def test_single_request_lookup(client: httpx.Client, council_services: RunningServer) -> None:
    reference = create(client, council_services)
    response = client.get(f"/open311/v2/requests/{reference}.json")
    assert ids(response) == [reference]
    assert ids(client.get(f"/open311/v2/requests/{reference.lower()}.json")) == [reference]


def test_unknown_request_is_404(client: httpx.Client) -> None:
    assert_error_array(client.get("/open311/v2/requests/SR-ZZZZZZ.json"), 404, "SR-ZZZZZZ")


def test_filter_by_service_request_ids_ignores_other_filters(
    client: httpx.Client, council_services: RunningServer
) -> None:
    first, second, third = (create(client, council_services) for _ in range(3))
    response = client.get(REQUESTS, params={"service_request_id": f"{first},{second}"})
    assert sorted(ids(response)) == sorted([first, second])
    response = client.get(
        REQUESTS,
        params={
            "service_request_id": f"{first}, {third}",
            "service_code": "GRAFFITI",
            "status": "closed",
            "start_date": iso(datetime.now(timezone.utc) + timedelta(days=1)),
        },
    )
    assert sorted(ids(response)) == sorted([first, third])


def test_filter_by_service_code(client: httpx.Client, council_services: RunningServer) -> None:
    pothole = create(client, council_services)
    graffiti = create(
        client,
        council_services,
        service_code="GRAFFITI",
        **{"attribute[depth]": None, "attribute[offensive]": "yes"},
    )
    drain = create(
        client,
        council_services,
        service_code="DRAIN",
        **{"attribute[depth]": None, "attribute[drain_problem]": "blocked"},
    )
    response = client.get(REQUESTS, params={"service_code": "GRAFFITI"})
    assert graffiti in ids(response) and pothole not in ids(response)
    assert {item["service_code"] for item in response.json()} == {"GRAFFITI"}
    response = client.get(REQUESTS, params={"service_code": "GRAFFITI,DRAIN"})
    assert {graffiti, drain} <= set(ids(response)) and pothole not in ids(response)


def test_filter_by_status(client: httpx.Client, council_services: RunningServer) -> None:
    still_open = create(client, council_services)
    closed = create(client, council_services)
    assert staff_patch(client, council_services, closed, status="fixed").status_code == 200
    open_ids = ids(client.get(REQUESTS, params={"status": "open"}))
    closed_response = client.get(REQUESTS, params={"status": "closed"})
    assert still_open in open_ids and closed not in open_ids
    assert closed in ids(closed_response) and still_open not in ids(closed_response)
    assert {item["status"] for item in closed_response.json()} == {"closed"}
    both = ids(client.get(REQUESTS, params={"status": "open,closed"}))
    assert {still_open, closed} <= set(both)
    assert_error_array(client.get(REQUESTS, params={"status": "pending"}), 400, "pending")


def test_filter_by_dates(client: httpx.Client, council_services: RunningServer) -> None:
    reference = create(client, council_services)
    now = datetime.now(timezone.utc)
    hour = timedelta(hours=1)
    around = {"start_date": iso(now - hour), "end_date": iso(now + hour)}
    assert reference in ids(client.get(REQUESTS, params=around))
    zulu = {"start_date": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    assert reference in ids(client.get(REQUESTS, params=zulu))
    later = {"start_date": iso(now + timedelta(hours=1))}
    assert reference not in ids(client.get(REQUESTS, params=later))
    earlier = {"end_date": iso(now - timedelta(hours=1))}
    assert reference not in ids(client.get(REQUESTS, params=earlier))


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2026-13-45"}, "end_date"),
        ({"start_date": "2026-11-02T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"}, "after"),
    ],
)
def test_bad_dates_are_400(client: httpx.Client, params: dict[str, str], fragment: str) -> None:
    assert_error_array(client.get(REQUESTS, params=params), 400, fragment)


def test_requests_are_newest_first(client: httpx.Client, council_services: RunningServer) -> None:
    create(client, council_services)
    items = client.get(REQUESTS).json()
    stamps = [item["requested_datetime"] for item in items]
    assert stamps == sorted(stamps, reverse=True)
    assert len(items) <= 1000


def test_unknown_paths_and_methods_under_open311_use_the_error_array(
    client: httpx.Client,
) -> None:
    assert_error_array(client.get("/open311/v2/nothing-here.json"), 404)
    assert_error_array(client.delete(SERVICES), 405)
    assert_error_array(client.put(REQUESTS, data={}), 405)


# --- staff status updates ---------------------------------------------------------------------


def test_staff_api_needs_the_token(client: httpx.Client, council_services: RunningServer) -> None:
    reference = create(client, council_services, email="private.person@example.org")
    for headers in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": "Basic eDp5"}):
        read = client.get(f"/api/v1/reports/{reference}", headers=headers)
        change = client.patch(
            f"/api/v1/reports/{reference}", json={"status": "fixed"}, headers=headers
        )
        for response in (read, change):
            assert response.status_code == 401
            assert reference not in response.text and "private.person" not in response.text
            assert response.headers["www-authenticate"] == "Bearer"
    listing = client.get(REQUESTS, params={"service_request_id": reference})
    assert listing.json()[0]["status"] == "open"


def test_staff_sees_contact_and_history(
    client: httpx.Client, council_services: RunningServer
) -> None:
    reference = create(client, council_services, email="reporter@example.org", phone="01782 000000")
    response = client.get(f"/api/v1/reports/{reference}", headers=council_services.staff_headers)
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "received" and report["open311_status"] == "open"
    assert report["contact"]["email"] == "reporter@example.org"
    assert [(row["from_status"], row["to_status"]) for row in report["history"]] == [
        (None, "received")
    ]


def test_invalid_transition_is_409(client: httpx.Client, council_services: RunningServer) -> None:
    reference = create(client, council_services)
    response = staff_patch(client, council_services, reference, status="received")
    assert response.status_code == 409
    assert "received" in response.json()["detail"]
    assert staff_patch(client, council_services, reference, status="fixed").status_code == 200
    response = staff_patch(client, council_services, reference, status="scheduled")
    assert response.status_code == 409
    assert "investigating" in response.json()["detail"]  # says what is allowed instead
    report = client.get(f"/api/v1/reports/{reference}", headers=council_services.staff_headers)
    assert report.json()["status"] == "fixed"
    assert len(report.json()["history"]) == 2


def test_closing_with_notes_shows_in_open311_and_history(
    client: httpx.Client, council_services: RunningServer
) -> None:
    reference = create(client, council_services)
    steps = [
        ("investigating", "An inspector will visit this week."),
        ("scheduled", "Repair booked for Thursday."),
        ("fixed", "The pothole was filled on Thursday. Thank you for reporting it."),
    ]
    for status, notes in steps:
        response = staff_patch(
            client, council_services, reference, status=status, status_notes=notes
        )
        assert response.status_code == 200, response.text
        item = client.get(f"/open311/v2/requests/{reference}.json").json()[0]
        assert item["status_notes"] == notes
    assert item["status"] == "closed"
    assert item["updated_datetime"] >= item["requested_datetime"]
    history = client.get(
        f"/api/v1/reports/{reference}", headers=council_services.staff_headers
    ).json()["history"]
    assert [(row["from_status"], row["to_status"], row["notes"]) for row in history] == [
        (None, "received", None),
        ("received", "investigating", steps[0][1]),
        ("investigating", "scheduled", steps[1][1]),
        ("scheduled", "fixed", steps[2][1]),
    ]
    assert all(W3C_UTC.match(row["at"]) for row in history)


def test_notes_only_update_keeps_status(
    client: httpx.Client, council_services: RunningServer
) -> None:
    reference = create(client, council_services)
    response = staff_patch(
        client, council_services, reference, status_notes="We have passed this to the crew."
    )
    assert response.status_code == 200
    assert response.json()["status"] == "received"
    assert response.json()["history"][-1]["from_status"] == "received"
    assert response.json()["history"][-1]["to_status"] == "received"
    item = client.get(f"/open311/v2/requests/{reference}.json").json()[0]
    assert item["status_notes"] == "We have passed this to the crew."


def test_staff_errors(client: httpx.Client, council_services: RunningServer) -> None:
    reference = create(client, council_services)
    headers = council_services.staff_headers
    assert client.get("/api/v1/reports/SR-ZZZZZZ", headers=headers).status_code == 404
    assert staff_patch(client, council_services, reference, status="lost").status_code == 422
    response = client.patch(f"/api/v1/reports/{reference}", json={}, headers=headers)
    assert response.status_code == 422
