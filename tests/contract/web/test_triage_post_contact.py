"""A triage record for a resident with no phone or e-mail (issue #16 item 5).

``preferred: post`` comes with a postal address: the queue keeps it and returns it to
staff, and a record without one still has exactly the contract's four contact fields.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from tests.contract.web.triage_data import TRIAGE, create_record, post_record

if TYPE_CHECKING:
    from conftest import RunningServer

BY_POST = {
    "name": "Ann Smith",
    "phone": None,
    "email": None,
    "preferred": "post",
    "address": "12 Leek Road, Stoke-on-Trent, ST4 2DX",
}


def test_a_letter_keeps_its_address(client: httpx.Client, council_services: RunningServer) -> None:
    created = create_record(client, council_services, contact=BY_POST)
    assert created["contact"] == BY_POST
    stored = client.get(
        f"{TRIAGE}/{created['reference']}", headers=council_services.staff_headers
    ).json()
    assert stored["contact"] == BY_POST


def test_contact_without_an_address_has_the_four_fields(
    client: httpx.Client, council_services: RunningServer
) -> None:
    created = create_record(client, council_services)
    assert set(created["contact"]) == {"name", "phone", "email", "preferred"}


def test_an_address_longer_than_any_postal_address_is_refused(
    client: httpx.Client, council_services: RunningServer
) -> None:
    response = post_record(client, council_services, contact={**BY_POST, "address": "x" * 301})
    assert response.status_code == 422
