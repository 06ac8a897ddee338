"""The kinds of held item, and the reason given to one held behind a refused item.

The actions hold items of these kinds (``Outbox.hold``); the outbox worker
(``workers/outbox.py``) has one deliverer for each.
"""

OPEN311_REQUEST = "open311_request"
TRIAGE_RECORD = "triage_record"
TRIAGE_CONTACT = "triage_contact"
TRIAGE_ADDITION = "triage_addition"

#: The reason given to an item that waited behind a refused item of the same record.
BEHIND_FAILED = "not sent: {blocker}, sent before it for the same record, was refused"
