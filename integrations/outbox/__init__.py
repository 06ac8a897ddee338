"""Durable store-and-forward for reports waiting while the council services are down."""

from integrations.outbox.store import HeldItem, Outbox, new_holding_reference

__all__ = ["HeldItem", "Outbox", "new_holding_reference"]
