"""The shipped service catalogue and the attribute rules of catalogue.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from web.core.config import DEFAULT_CATALOGUE_PATH
from web.stand_in.open311.catalogue import (
    AttributeValidationError,
    Catalogue,
    CatalogueError,
    load_catalogue,
    parse_datetime,
    validate_attributes,
)
from web.stand_in.open311.models import LIST_DATATYPES, CatalogueService


def test_shipped_catalogue_has_the_contract_services(catalogue: Catalogue) -> None:
    codes = [service.service_code for service in catalogue]
    assert {
        "POTHOLE", "STREETLIGHT", "FLYTIP", "GRAFFITI", "DRAIN", "PAVEMENT", "LITTER",
        "DOG_FOULING", "ABANDONED_VEHICLE", "DEAD_ANIMAL", "TREES_HEDGES", "FLOODING",
        "ROAD_DEBRIS", "STREET_FURNITURE",
    } <= set(codes)  # fmt: skip


def test_every_service_has_an_optional_yes_no_hazard(catalogue: Catalogue) -> None:
    for service in catalogue:
        hazard = service.attribute("hazard")
        assert hazard is not None, service.service_code
        assert not hazard.required and hazard.datatype in LIST_DATATYPES
        assert [option.key for option in hazard.values] == ["yes", "no"]


def test_the_assistant_s_hazard_only_request_fits_every_service(catalogue: Catalogue) -> None:
    """The assistant may send only attribute[hazard] (every question allows "don't know")."""
    for service in catalogue:
        assert validate_attributes(service, {"hazard": ["yes"]}) == {"hazard": "yes"}


def test_lookup_is_case_insensitive(catalogue: Catalogue) -> None:
    assert catalogue.get(" pothole ").service_code == "POTHOLE"
    assert catalogue.get("NOSUCH") is None


def test_valid_attributes_are_converted(catalogue: Catalogue) -> None:
    flytip = catalogue.get("FLYTIP")
    converted = validate_attributes(
        flytip,
        {
            "waste_type": ["tyres", "garden,tyres"],
            "seen_dumping_at": ["2026-11-22T21:30:00+01:00"],
            "hazard": ["no"],
        },
    )
    assert converted == {
        "waste_type": ["tyres", "garden"],
        "seen_dumping_at": "2026-11-22T20:30:00+00:00",
        "hazard": "no",
    }
    raw = {"depth": ["5_to_10cm"], "width_cm": ["12.5"]}
    pothole = validate_attributes(catalogue.get("POTHOLE"), raw)
    assert pothole == {"depth": "5_to_10cm", "width_cm": 12.5}


def required_depth_service(catalogue: Catalogue) -> CatalogueService:
    """The shipped pothole service with ``depth`` made required."""
    pothole = catalogue.get("POTHOLE")
    attributes = [
        a.copy(update={"required": True}) if a.code == "depth" else a for a in pothole.attributes
    ]
    return pothole.copy(update={"attributes": attributes})


@pytest.mark.parametrize("raw", [{}, {"depth": ["  "]}, {"hazard": ["yes"]}])
def test_a_required_attribute_must_be_given(
    catalogue: Catalogue, raw: dict[str, list[str]]
) -> None:
    with pytest.raises(AttributeValidationError) as raised:
        validate_attributes(required_depth_service(catalogue), raw)
    assert raised.value.problems == ["attribute[depth] is required for POTHOLE"]


@pytest.mark.parametrize(
    ("code", "raw", "fragment"),
    [
        ("POTHOLE", {"depth": ["huge"]}, "'huge' is not one of"),
        ("POTHOLE", {"depth": ["over_10cm", "5_to_10cm"]}, "only one value"),
        ("POTHOLE", {"depth": ["over_10cm"], "width_cm": ["nan"]}, "not a number"),
        ("POTHOLE", {"depth": ["over_10cm"], "colour": ["red"]}, "attribute[colour] is not"),
        ("FLYTIP", {"waste_type": ["gold"]}, "gold not among"),
        ("FLYTIP", {"waste_type": ["tyres"], "seen_dumping_at": ["last night"]}, "ISO 8601"),
        ("STREETLIGHT", {"light_fault": ["flickering"], "column_number": ["x" * 300]}, "255"),
    ],
)
def test_invalid_attributes_are_refused(
    catalogue: Catalogue, code: str, raw: dict[str, list[str]], fragment: str
) -> None:
    with pytest.raises(AttributeValidationError) as raised:
        validate_attributes(catalogue.get(code), raw)
    assert fragment in str(raised.value)


def test_every_problem_is_reported(catalogue: Catalogue) -> None:
    with pytest.raises(AttributeValidationError) as raised:
        validate_attributes(required_depth_service(catalogue), {"hazard": ["?"], "size": ["big"]})
    assert len(raised.value.problems) == 3  # unknown size, bad hazard, missing depth


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23", "2026-11-23T00:00:00+00:00"),
        ("2026-11-23T10:15:00Z", "2026-11-23T10:15:00+00:00"),
        ("2026-11-23T10:15:00+01:00", "2026-11-23T10:15:00+01:00"),
    ],
)
def test_parse_datetime(text: str, expected: str) -> None:
    assert parse_datetime(text).isoformat() == expected


def test_malformed_catalogue_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "services.yml"
    path.write_text("services:\n  - service_code: pothole\n    service_name: x\n")
    with pytest.raises(CatalogueError, match="services.yml"):
        load_catalogue(path)
    with pytest.raises(CatalogueError, match="cannot read"):
        load_catalogue(tmp_path / "missing.yml")


def test_duplicate_service_codes_are_refused(tmp_path: Path) -> None:
    text = DEFAULT_CATALOGUE_PATH.read_text()
    path = tmp_path / "services.yml"
    path.write_text(text + text.split("services:\n", 1)[1])
    with pytest.raises(CatalogueError, match="duplicate service codes"):
        load_catalogue(path)
