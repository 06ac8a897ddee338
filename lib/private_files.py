"""Log files and databases readable by their owner only.

Logs and SQLite files hold conversations, contact details and tokens: they are created
``0600`` in folders that are ``0700``. :func:`private_umask` makes everything a process
creates from then on private (SQLite's journal and WAL files follow the database's mode);
:func:`make_private` tightens a folder that already exists, with whatever was made in it
before.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_umask() -> None:
    """Create every later file and folder of this process for its owner only."""
    os.umask(PRIVATE_UMASK)


def make_private(folder: Path) -> Path:
    """Create ``folder`` if needed and make it and everything in it owner-only.

    Symbolic links are left alone (they may point outside, like the shared model folder).

    Returns:
        The folder.
    """
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    os.chmod(folder, FOLDER_MODE)
    for root, folders, files in os.walk(folder):
        for name in folders:
            path = Path(root) / name
            if not path.is_symlink():
                os.chmod(path, FOLDER_MODE)
        for name in files:
            path = Path(root) / name
            if not path.is_symlink() and stat.S_ISREG(path.lstat().st_mode):
                os.chmod(path, FILE_MODE)
    return folder


def open_private_log(path: Path) -> int:
    """Open (or create) a log file for appending, owner-only; returns the descriptor."""
    path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    os.fchmod(descriptor, FILE_MODE)
    return descriptor
