import yaml

from bot.rasa_files import lock_store_config, tracker_store_config, write_endpoints
from bot.settings import Settings


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
    data = yaml.safe_load(path.read_text())
    assert data["action_endpoint"]["url"] == "http://127.0.0.1:6001/webhook"
    assert data["tracker_store"]["dialect"] == "sqlite"
    assert "lock_store" not in data
