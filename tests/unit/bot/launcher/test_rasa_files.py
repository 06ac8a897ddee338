from bot.launcher.rasa_files import lock_store_config, tracker_store_config, write_endpoints
from bot.settings import Settings
from lib.yaml_files import load_yaml


def test_sqlite_tracker_store():
    assert tracker_store_config("sqlite:////tmp/x/tracker.db") == {
        "type": "SQL",
        "dialect": "sqlite",
        "db": "/tmp/x/tracker.db",
    }


def test_postgres_tracker_store():
    config = tracker_store_config("postgresql://rasa:secret@db.internal:5433/tracker")
    assert config == {
        "type": "SQL",
        "dialect": "postgresql",
        "url": "db.internal",
        "db": "tracker",
        "port": 5433,
        "username": "rasa",
        "password": "secret",
    }


def test_redis_lock_store():
    assert lock_store_config("") is None
    assert lock_store_config("redis://127.0.0.1:6379/2") == {
        "type": "redis",
        "url": "127.0.0.1",
        "port": 6379,
        "db": 2,
    }


def test_write_endpoints(tmp_path):
    settings = Settings(_env_file=None, var_dir=tmp_path, action_server_port=6001)
    path = write_endpoints(settings, tmp_path / "endpoints.yml")
    data = load_yaml(path.read_text())
    assert data["action_endpoint"]["url"] == "http://127.0.0.1:6001/webhook"
    assert data["tracker_store"]["dialect"] == "sqlite"
    assert "lock_store" not in data


def test_the_action_endpoint_sends_the_secret_as_a_header_rasa_expands(tmp_path, monkeypatch):
    from rasa.utils.endpoints import read_endpoint_config

    settings = Settings(_env_file=None, var_dir=tmp_path, action_server_token="s3cret-value")
    path = write_endpoints(settings, tmp_path / "endpoints.yml")
    assert "s3cret-value" not in path.read_text()
    monkeypatch.setenv("ACTION_SERVER_TOKEN", settings.action_server_token.get_secret_value())
    endpoint = read_endpoint_config(str(path), "action_endpoint")
    assert endpoint.headers == {"Authorization": "Bearer s3cret-value"}
    assert endpoint.token is None  # never in the URL
    assert endpoint.combine_parameters() == {}


def test_the_endpoints_file_is_owner_only(tmp_path):
    path = write_endpoints(Settings(_env_file=None, var_dir=tmp_path), tmp_path / "endpoints.yml")
    assert path.stat().st_mode & 0o777 == 0o600
