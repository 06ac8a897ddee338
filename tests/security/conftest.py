"""Security tests against the running stack (fixtures from ``tests/stack_fixtures.py``)."""
