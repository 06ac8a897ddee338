"""Redaction of every log line (``lib/redacted_logs.py``), in a process of its own.

Each test runs a small program in a fresh interpreter: installing the redaction changes
logging for the whole process, and the point is what a real process writes.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from bot.settings import REPO_ROOT

NI, SORT_CODE, ACCOUNT, PHONE = "QQ123456C", "12-34-56", "12345678", "07700 900123"
SECRET = "api-secret-7d1e"


def run(program: str) -> str:
    """Run ``program`` with the redaction installed; return what it wrote."""
    setup = f"from lib.redacted_logs import install\ninstall([{SECRET!r}])\n"
    finished = subprocess.run(
        [sys.executable, "-c", setup + textwrap.dedent(program)],
        cwd=REPO_ROOT,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 0, finished.stderr
    return finished.stdout + finished.stderr


def assert_clean(output: str) -> None:
    for secret in (NI, SORT_CODE, ACCOUNT, PHONE, SECRET):
        assert secret not in output, (secret, output)


def test_a_third_party_handler_created_after_install_is_redacted() -> None:
    output = run(f"""
        import logging, sys
        handler = logging.StreamHandler(sys.stdout)  # as uvicorn's dictConfig makes later
        handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
        log = logging.getLogger("uvicorn.error")
        log.addHandler(handler)
        log.propagate = False
        log.error("NI %s sort %s acct %s tel %s", {NI!r}, {SORT_CODE!r}, {ACCOUNT!r}, {PHONE!r})
        """)
    assert "uvicorn.error NI [NI number]" in output
    assert_clean(output)


def test_tracebacks_and_extra_fields_are_redacted() -> None:
    output = run(f"""
        import logging, sys
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s %(request)s"))
        access = logging.getLogger("sanic.access")
        access.addHandler(handler)
        access.propagate = False
        access.setLevel(logging.INFO)
        access.info("", extra={{"request": "GET /status?token={SECRET}&x=1"}})
        logging.basicConfig(stream=sys.stdout)
        try:
            raise ValueError("body={{'text': 'my NI is {NI}'}}")
        except ValueError:
            logging.getLogger("rasa_sdk.endpoint").exception("action failed")
        """)
    assert "token=[secret]&x=1" in output
    assert "ValueError" in output and "[NI number]" in output
    assert_clean(output)


def test_secrets_are_masked_in_bearer_headers_and_urls() -> None:
    output = run(f"""
        import logging, sys
        logging.basicConfig(stream=sys.stdout, level=logging.INFO)
        logging.getLogger("x").info("Authorization: Bearer abc.def-123 then {SECRET}")
        logging.getLogger("x").info("POST http://h/t?api_key=k1k2k3&token=zzz")
        """)
    assert "Bearer [secret]" in output and "abc.def-123" not in output
    assert "api_key=[secret]&token=[secret]" in output
    assert_clean(output)


def test_http_client_request_lines_are_quietened() -> None:
    output = run("""
        import logging
        print(logging.getLogger("httpx").getEffectiveLevel(),
              logging.getLogger("httpcore").getEffectiveLevel())
        """)
    assert output.split() == ["30", "30"]


def test_a_message_whose_arguments_do_not_fit_is_still_written() -> None:
    output = run(f"""
        import logging, sys
        logging.basicConfig(stream=sys.stdout)
        logging.getLogger("x").error("two %s %s", {NI!r})
        """)
    assert "two" in output and "[NI number]" in output
    assert_clean(output)


def test_uvicorns_access_log_keeps_working_with_the_token_masked() -> None:
    """uvicorn's access formatter unpacks the record's arguments itself."""
    output = run(f"""
        import logging, sys
        from uvicorn.logging import AccessFormatter
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(AccessFormatter('%(client_addr)s "%(request_line)s" %(status_code)s'))
        access = logging.getLogger("uvicorn.access")
        access.addHandler(handler)
        access.propagate = False
        access.setLevel(logging.INFO)
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET",
                    "/status?token={SECRET}", "1.1", 200)
        """)
    assert "Logging error" not in output
    assert '127.0.0.1:5000 "GET /status?token=[secret] HTTP/1.1" 200' in output
    assert_clean(output)


def test_personal_data_split_across_arguments_is_still_caught() -> None:
    output = run("""
        import logging, sys
        logging.basicConfig(stream=sys.stdout)
        logging.getLogger("x").error("call %s %s", "07700", "900123")
        """)
    assert "[phone]" in output
    assert_clean(output)
