"""The app factory and command line, in process: catalogue wiring and start-up refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from lib.yaml_files import load_yaml
from tests.web_app import make_app, postcode_directory, shipped_catalogue, shipped_places
from web.__main__ import main
from web.core.config import DEFAULT_CATALOGUE_PATH, Settings
from web.main import create_app
from web.stand_in.open311.catalogue import CatalogueError


def catalogue_with_required_depth(tmp_path: Path) -> Path:
    document = load_yaml(DEFAULT_CATALOGUE_PATH.read_text())
    for service in document["services"]:
        for attribute in service["attributes"]:
            if attribute["code"] == "depth":
                attribute["required"] = True
    path = tmp_path / "services.yml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_a_required_attribute_is_enforced_over_http(tmp_path: Path) -> None:
    settings = Settings(
        database_url="sqlite://",
        environment="development",
        catalogue_path=catalogue_with_required_depth(tmp_path),
    )
    form = {
        "api_key": settings.open311_api_key.get_secret_value(),
        "service_code": "POTHOLE",
        "address_string": "1 Test Street",
    }
    with TestClient(make_app(settings)) as client:
        definition = client.get("/open311/v2/services/POTHOLE.json").json()
        assert definition["attributes"][0] == {**definition["attributes"][0], "required": True}
        response = client.post("/open311/v2/requests.json", data=form)
        assert response.status_code == 400
        assert response.json() == [
            {"code": 400, "description": "attribute[depth] is required for POTHOLE"}
        ]
        response = client.post(
            "/open311/v2/requests.json", data={**form, "attribute[depth]": "over_10cm"}
        )
        assert response.status_code == 200


def test_the_app_uses_the_data_it_is_handed(tmp_path: Path) -> None:
    settings = Settings(database_url="sqlite://", environment="development")
    postcodes, catalogue = postcode_directory(), shipped_catalogue()
    places = shipped_places(settings.places_path.resolve())
    # Paths that do not exist: nothing is read from them when the data is handed in.
    elsewhere = settings.copy(
        update={"catalogue_path": tmp_path / "none.yml", "places_file": tmp_path / "none.yml"}
    )
    app = create_app(elsewhere, postcodes=postcodes, catalogue=catalogue, places=places)
    assert app.state.stand_in_catalogue is catalogue
    assert app.state.place_finder.directory is places
    assert app.state.place_finder._postcodes is postcodes
    with TestClient(app) as client:
        assert client.get("/open311/v2/services/POTHOLE.json").status_code == 200
        near = client.get("/api/v1/places", params={"near": "ST1 1HP", "limit": 1})
        assert near.status_code == 200 and len(near.json()["places"]) == 1
    assert "S" in postcodes.loaded_letters  # the shared directory did the work


def test_a_broken_catalogue_stops_the_app(tmp_path: Path) -> None:
    path = tmp_path / "services.yml"
    path.write_text("services: []\n")
    with pytest.raises(CatalogueError, match="services.yml"):
        create_app(Settings(database_url="sqlite://", catalogue_path=path))


def test_the_command_line_refuses_placeholder_secrets_in_production(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("OPEN311_API_KEY", "STAFF_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ENVIRONMENT", "production")
    assert main(["--port", "1"]) == 2
    assert "OPEN311_API_KEY" in caplog.text and "development placeholder" in caplog.text
