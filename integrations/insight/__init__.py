"""Client of the council services' service insight API (outcome events, issue #10)."""

from integrations.insight.client import InsightClient, get_insight_client
from integrations.insight.errors import InsightRejected, InsightUnavailable

__all__ = ["InsightClient", "InsightRejected", "InsightUnavailable", "get_insight_client"]
