"""The web chat makes phone numbers tappable ``tel:`` links and highlights references.

The patterns are read out of ``static/chat.js`` and run with Node, with the reference
scheme the page is given (``lib/references.py``), so the test checks the script the page
really loads; it is skipped where Node is not installed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from bot.settings import REPO_ROOT
from lib.references import REFERENCE_PREFIXES

SCRIPT = REPO_ROOT / "web" / "static" / "chat.js"
NODE = shutil.which("node")


def _patterns() -> str:
    match = re.search(
        r"^\s*// Patterns \(.*?\n(.*?)^\s*// End of patterns\.", SCRIPT.read_text(), re.M | re.S
    )
    assert match, "the patterns block is not in chat.js"
    return match.group(1)


def _run(texts: list[str]) -> list[list[str]]:
    from web.resident_page import page_data

    scheme = page_data(REPO_ROOT / "kb")["references"]
    program = f"""
    var SCHEME = {json.dumps(scheme)};
    {_patterns()}
    var texts = {json.dumps(texts)};
    console.log(JSON.stringify(texts.map(function (t) {{
      var found = [];
      t.replace(PIECES, function (m) {{
        var d = m.replace(/ /g, "");
        if ((PHONE.test(m) && (d.length === 10 || d.length === 11)) || SHORT_PHONE.test(m)) {{
          found.push(SHORT_PHONE.test(m) ? "tel:" + d : "tel:+44" + d.slice(1));
        }} else if (REFERENCE.test(m)) {{
          found.push("ref:" + m);
        }}
        return m;
      }});
      return found;
    }})));
    """
    out = subprocess.run([NODE, "-e", program], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.skipif(NODE is None, reason="Node is not installed")
def test_phone_numbers_become_tel_links_and_nothing_else_does() -> None:
    texts = [
        "call Stoke-on-Trent City Council on 01782 234234, Monday to Friday",
        "the helpline on 0800 328 5644.",
        "see https://checker.ofcom.org.uk/ now",
        "book for 2026 at 10am, flat 101, £1999",
        "call 999 now. Samaritans on 116 123. The helpline: 0808 2000 247.",
    ]
    assert _run(texts) == [
        ["tel:+441782234234"], ["tel:+448003285644"], [], [],
        ["tel:999", "tel:116123", "tel:+448082000247"],
    ]  # fmt: skip
    script = SCRIPT.read_text()
    assert '"tel:" + digits : "tel:+44" + digits.slice(1);' in script


@pytest.mark.skipif(NODE is None, reason="Node is not installed")
def test_every_kind_of_reference_is_highlighted_from_the_scheme() -> None:
    texts = [f"your reference is {prefix}-7K3Q9X." for prefix in REFERENCE_PREFIXES]
    texts += ["not one: XX-7K3Q9X, SR-7K3Q9O, SR-7K3Q9XY"]
    assert _run(texts) == [[f"ref:{p}-7K3Q9X"] for p in REFERENCE_PREFIXES] + [[]]
    # The page keeps no list of its own: the prefixes come from lib/references.py.
    assert not re.search(r"\b(SR|FD|HR|PC|CT|BB)-\[", SCRIPT.read_text())
