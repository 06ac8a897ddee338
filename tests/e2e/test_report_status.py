"""A resident checks a report's status by reference."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.test_report_problem import REFERENCE, _report
from tests.helpers import Resident

pytestmark = pytest.mark.e2e


def test_status_follows_the_council_s_updates(stack, resident: Resident):
    reply = _report(resident, "street light out on our road", "ST4 2DX", "Light flickers all night")
    reference = REFERENCE.search(reply).group(1)

    other = Resident(stack.settings.rasa_url)
    reply = other.say_text(f"any update on my report {reference.lower()}")
    assert "still open" in reply and reference in reply, reply

    staff = httpx.Client(
        base_url=stack.settings.council_services_url,
        headers={"Authorization": f"Bearer {stack.settings.staff_api_token.get_secret_value()}"},
    )
    for status, notes in (("investigating", ""), ("fixed", "New lamp fitted on 20 November.")):
        response = staff.patch(
            f"/api/v1/reports/{reference}", json={"status": status, "status_notes": notes}
        )
        assert response.status_code == 200, response.text

    reply = Resident(stack.settings.rasa_url).say_text(f"has {reference} been fixed")
    assert "is closed" in reply and "New lamp fitted" in reply, reply


def test_status_asks_for_a_reference_and_explains_unknown_ones(resident: Resident):
    assert "reference" in resident.say_text("whats happening with the thing i reported")
    assert "doesn't look like a report reference" in resident.say_text("banana")
    reply = resident.say_text("SR-2222ZZ")
    assert "can't find a report" in reply and "SR-2222ZZ" in reply, reply


def test_a_bare_reference_and_a_refused_report_say_what_to_do_next(stack, resident: Resident):
    reply = _report(resident, "pothole outside my house", "ST4 2DX", "Deep hole by the kerb")
    reference = REFERENCE.search(reply).group(1)
    staff = httpx.Client(
        base_url=stack.settings.council_services_url,
        headers={"Authorization": f"Bearer {stack.settings.staff_api_token.get_secret_value()}"},
    )
    response = staff.patch(
        f"/api/v1/reports/{reference}",
        json={"status": "not_council_responsibility", "status_notes": "Closed: private land."},
    )
    assert response.status_code == 200, response.text

    reply = Resident(stack.settings.rasa_url).say_text(reference)
    assert reference in reply and "private land" in reply and "landowner" in reply, reply
    assert "still" not in reply, reply

    reply = Resident(stack.settings.rasa_url).say_text(f"any news on my pothole {reference}")
    assert "private land" in reply, reply


def test_a_triage_reference_is_not_looked_up_as_a_street_report(resident: Resident):
    reply = resident.say_text("FD-2222ZZ")
    assert "can't find" in reply and "FD-2222ZZ" in reply, reply
