"""The assisted session's panel finds references with the scheme the page is given.

``static/assisted.js`` builds its pattern from the chat page's data (``lib/references.py``
through ``web/resident_page.py``), so a new prefix or alphabet there is followed without
editing the script. The pattern block is read out of the script and run with Node; the
test is skipped where Node is not installed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from bot.settings import REPO_ROOT
from lib.references import REFERENCE_ALPHABET, REFERENCE_PREFIXES, new_reference
from web.resident_page import page_data

SCRIPT = REPO_ROOT / "web" / "static" / "assisted.js"
NODE = shutil.which("node")


def _pattern_block() -> str:
    match = re.search(
        r"^\s*// Pattern \(.*?\n(.*?)^\s*// End of pattern\.", SCRIPT.read_text(), re.M | re.S
    )
    assert match, "the pattern block is not in assisted.js"
    return match.group(1)


def _found(scheme: dict | None, text: str) -> list[str]:
    program = f"""
    var SCHEME = {json.dumps(scheme)};
    {_pattern_block()}
    console.log(JSON.stringify((REFERENCE && {json.dumps(text)}.match(REFERENCE)) || []));
    """
    out = subprocess.run([NODE, "-e", program], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_the_script_keeps_no_list_of_its_own() -> None:
    script = SCRIPT.read_text()
    assert "chat-data" in script
    for prefix in REFERENCE_PREFIXES:
        assert f"{prefix}|" not in script and f"|{prefix}" not in script


@pytest.mark.skipif(NODE is None, reason="Node is not installed")
def test_every_kind_of_reference_is_found_and_nothing_else() -> None:
    scheme = page_data(REPO_ROOT / "kb")["references"]
    references = [new_reference(prefix) for prefix in REFERENCE_PREFIXES]
    decoys = ["ZZ-" + REFERENCE_ALPHABET[:6], "SR-7K3Q9", "FD-7K3Q9O", "xSR-7K3Q9X"]
    text = "Your references: " + ", ".join(references + decoys) + "."
    assert _found(scheme, text) == references


@pytest.mark.skipif(NODE is None, reason="Node is not installed")
def test_a_changed_scheme_is_followed() -> None:
    scheme = {"prefixes": ["QQ"], "alphabet": "AB", "length": 3}
    assert _found(scheme, "QQ-ABA and SR-7K3Q9X and QQ-ABC") == ["QQ-ABA"]


@pytest.mark.skipif(NODE is None, reason="Node is not installed")
def test_a_page_without_the_scheme_finds_nothing() -> None:
    assert _found(None, "SR-7K3Q9X") == []
