"""The web chat makes UK phone numbers tappable ``tel:`` links (issue #16).

The patterns are read out of ``static/chat.js`` and run with Node, so the test checks the
script the page really loads; it is skipped where Node is not installed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from bot.settings import REPO_ROOT

SCRIPT = REPO_ROOT / "integrations" / "council_services" / "static" / "chat.js"
NODE = shutil.which("node")


def _pattern(name: str) -> str:
    match = re.search(rf"^\s*var {name} = (/.+/g?);$", SCRIPT.read_text(), re.M)
    assert match, f"{name} not found in chat.js"
    return match.group(1)


@pytest.mark.skipif(NODE is None, reason="Node is not installed")
def test_phone_numbers_become_tel_links_and_nothing_else_does() -> None:
    texts = [
        "call Stoke-on-Trent City Council on 01782 234234, Monday to Friday",
        "the helpline on 0800 328 5644.",
        "your reference is SR-7K3Q9X",
        "see https://checker.ofcom.org.uk/ now",
        "book for 2026 at 10am",
    ]
    program = f"""
    var PHONE = {_pattern("PHONE")};
    var PIECES = {_pattern("PIECES")};
    var texts = {json.dumps(texts)};
    console.log(JSON.stringify(texts.map(function (t) {{
      var calls = [];
      t.replace(PIECES, function (m) {{
        var d = m.replace(/ /g, "");
        var ok = PHONE.test(m) && (d.length === 10 || d.length === 11);
        if (ok) calls.push("tel:+44" + d.slice(1));
        return m;
      }});
      return calls;
    }})));
    """
    out = subprocess.run([NODE, "-e", program], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [
        ["tel:+441782234234"], ["tel:+448003285644"], [], [], []
    ]  # fmt: skip
    assert 'call.href = "tel:+44" + digits.slice(1);' in SCRIPT.read_text()
