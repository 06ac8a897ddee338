"""Staff roles: every console route refuses a role that may not use it (403), over HTTP.

The routes come from the app's own router, so a new console route without a role check
fails here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.helpers import staff_sign_in
from tests.web_app import make_app
from web.api.errors import FORBIDDEN_TEXT
from web.core.config import Settings
from web.crud_staff import create_staff
from web.roles import Area, StaffRole

PASSWORD = "correct horse battery"
# Open to anyone, or to anyone signed in: signing in and out, the stylesheet, the start page.
OPEN_ROUTES = {"/staff/login", "/staff/logout", "/staff/console.css", "/staff/home"}
SCRIPT_ROUTES = {"/staff/assisted/messages", "/staff/assisted/finish"}
ALLOWED = {
    Area.ASSISTED: {StaffRole.LIBRARY, StaffRole.ADMIN},
    Area.QUEUE: {StaffRole.CASEWORKER, StaffRole.ADMIN},
    Area.INSIGHT: {StaffRole.MANAGER, StaffRole.ADMIN},
}


def area_of(path: str) -> Area:
    """The part of the console a path belongs to, as the issue assigns them."""
    if path.startswith("/staff/assisted"):
        return Area.ASSISTED
    if path.startswith("/staff/insight"):
        return Area.INSIGHT
    return Area.QUEUE


def staff_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) of the console that needs a role, read from the router."""
    found = []
    for route in app.routes:
        if isinstance(route, APIRoute) and route.path.startswith("/staff"):
            if route.path not in OPEN_ROUTES:
                found += [(method, route.path) for method in sorted(route.methods)]
    return found


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    database = Path(tmp_path_factory.mktemp("roles")) / "cs.db"
    app = make_app(Settings(database_url=f"sqlite:///{database}", environment="development"))
    with TestClient(app):
        with app.state.session_factory() as session:
            for role in StaffRole:
                create_staff(session, username=role.value, password=PASSWORD, role=role)
        yield app


@pytest.fixture(scope="module")
def clients(app: FastAPI) -> Iterator[dict[StaffRole, TestClient]]:
    signed_in = {}
    for role in StaffRole:
        client = TestClient(app)
        assert staff_sign_in(client, role.value, PASSWORD).status_code == 303
        signed_in[role] = client
    yield signed_in


def test_the_route_list_covers_every_part_of_the_console(app: FastAPI) -> None:
    paths = {path for _, path in staff_routes(app)}
    assert {"/staff", "/staff/triage/{reference}/claim", "/staff/sms"} <= paths
    assert {"/staff/assisted", "/staff/assisted/bookings", "/staff/insight"} <= paths
    assert len(paths) >= 15


@pytest.mark.parametrize("role", list(StaffRole))
def test_every_staff_route_answers_403_to_a_role_that_may_not_use_it(
    app: FastAPI, clients: dict[StaffRole, TestClient], role: StaffRole
) -> None:
    client = clients[role]
    for method, path in staff_routes(app):
        url = re.sub(r"\{(\w+)\}", "FD-0000-0000", path)
        response = client.request(method, url, follow_redirects=False)
        refused = FORBIDDEN_TEXT in response.text
        if role in ALLOWED[area_of(path)]:
            assert not refused, f"{role.value} was refused {method} {path}"
            continue
        assert response.status_code == 403 and refused, f"{role.value} got {method} {path}"
        if path in SCRIPT_ROUTES:
            assert response.json() == {"error": FORBIDDEN_TEXT}
        else:
            assert response.headers["content-type"].startswith("text/html")
            assert "<h1>You cannot use this page</h1>" in response.text


MENU = {
    StaffRole.LIBRARY: ["Assisted session"],
    StaffRole.CASEWORKER: ["Queue", "Text messages", "Undelivered"],
    StaffRole.MANAGER: ["Service insight"],
    StaffRole.ADMIN: [
        "Queue",
        "Assisted session",
        "Text messages",
        "Undelivered",
        "Service insight",
    ],
}
START = {
    StaffRole.LIBRARY: "/staff/assisted",
    StaffRole.CASEWORKER: "/staff",
    StaffRole.MANAGER: "/staff/insight",
    StaffRole.ADMIN: "/staff",
}


@pytest.mark.parametrize("role", list(StaffRole))
def test_the_menu_shows_only_what_the_role_may_use(
    clients: dict[StaffRole, TestClient], role: StaffRole
) -> None:
    client = clients[role]
    start = client.get("/staff/home", follow_redirects=False)
    assert start.status_code == 303 and start.headers["location"] == START[role]
    page = client.get(START[role]).text
    menu = re.search(r'<nav aria-label="Console">(.*?)</nav>', page, re.S)
    assert menu is not None
    assert re.findall(r'<a href="[^"]+">([^<]+)</a>', menu.group(1)) == MENU[role]


def test_the_service_token_still_reads_the_triage_api(app: FastAPI) -> None:
    with TestClient(app) as client:
        response = client.get("/api/v1/triage", headers={"Authorization": "Bearer dev-staff-token"})
    assert response.status_code == 200 and "count" in response.json()


def test_create_staff_refuses_an_unknown_role(app: FastAPI) -> None:
    from web.crud_staff import StaffAccountError

    with app.state.session_factory() as session:
        with pytest.raises(StaffAccountError, match="role must be one of"):
            create_staff(session, username="vera", password=PASSWORD, role="librarian")
