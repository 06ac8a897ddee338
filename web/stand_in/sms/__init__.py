"""The stand-in SMS gateway: texts the assistant sends land in Front Door's outbox."""
