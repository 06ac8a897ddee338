import os
import subprocess
import sys

from bot.settings import REPO_ROOT
from lib.private_files import make_private, open_private_log


def mode(path) -> int:
    return path.stat().st_mode & 0o777


def test_make_private_tightens_what_is_already_there(tmp_path):
    var = tmp_path / "var"
    (var / "logs").mkdir(parents=True)
    (var / "frontdoor.db").write_text("x")
    (var / "logs" / "rasa.log").write_text("x")
    os.chmod(var / "frontdoor.db", 0o644)
    os.chmod(var / "logs", 0o755)
    make_private(var)
    assert mode(var) == 0o700
    assert mode(var / "logs") == 0o700
    assert mode(var / "frontdoor.db") == 0o600
    assert mode(var / "logs" / "rasa.log") == 0o600


def test_links_are_left_alone(tmp_path):
    shared = tmp_path / "shared.txt"
    shared.write_text("x")
    os.chmod(shared, 0o644)
    var = tmp_path / "var"
    var.mkdir()
    (var / "link").symlink_to(shared)
    make_private(var)
    assert mode(shared) == 0o644


def test_a_log_is_created_owner_only_and_an_old_one_is_tightened(tmp_path):
    fresh = tmp_path / "logs" / "fresh.log"
    os.close(open_private_log(fresh))
    assert mode(fresh) == 0o600
    old = tmp_path / "old.log"
    old.write_text("x")
    os.chmod(old, 0o644)
    os.close(open_private_log(old))
    assert mode(old) == 0o600


def test_files_a_process_creates_later_are_owner_only(tmp_path):
    program = (
        "import sqlite3, sys\n"
        "from lib.private_files import private_umask\n"
        "private_umask()\n"
        "sqlite3.connect(sys.argv[1]).execute('create table t (x)')\n"
    )
    database = tmp_path / "later.db"
    subprocess.run(
        [sys.executable, "-c", program, str(database)],
        cwd=REPO_ROOT, env={"PYTHONPATH": str(REPO_ROOT)}, check=True,
    )  # fmt: skip
    assert mode(database) == 0o600
