"""A postal address in a triage record's contact (issue #16 item 5: no phone or e-mail)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from web.console_pages import contact_rows
from web.crud_triage import _contact_json
from web.triage_models import ContactIn, ContactPublic

ADDRESS = "12 Leek Road, Stoke-on-Trent, ST4 2DX"


def test_a_letter_keeps_its_address():
    contact = ContactIn(name="Ann Smith", preferred="post", address=ADDRESS)
    stored = _contact_json(contact)
    assert stored == {
        "name": "Ann Smith",
        "phone": None,
        "email": None,
        "preferred": "post",
        "address": ADDRESS,
    }
    assert ContactPublic(**stored).dict()["address"] == ADDRESS


def test_contact_without_an_address_keeps_exactly_the_four_fields():
    stored = _contact_json(ContactIn(name="Jo", phone="07700900123", preferred="text"))
    assert set(stored) == {"name", "phone", "email", "preferred"}
    assert set(ContactPublic(**stored).dict()) == {"name", "phone", "email", "preferred"}


def test_a_blank_address_is_none_and_a_huge_one_is_refused():
    assert ContactIn(name="Jo", address="  ").address is None
    with pytest.raises(ValidationError):
        ContactIn(name="Jo", address="x" * 301)


def test_staff_see_the_address_beside_the_letter_preference():
    letter = _contact_json(ContactIn(name="Ann", preferred="post", address=ADDRESS))
    rows = dict(contact_rows(SimpleNamespace(contact=letter)))
    assert rows["Address"] == ADDRESS and "Letter" in rows["Prefers"]
    without = dict(contact_rows(SimpleNamespace(contact={"name": "Jo", "preferred": "text"})))
    assert "Address" not in without
