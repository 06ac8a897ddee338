"""Library assisted sessions (issue #6): the signed mark that a conversation is assisted.

A signed-in library staff member starts an assisted session on the staff console, which
issues a token for that conversation id (``issue_token``). The page sends it with each
message; the assistant's REST channel checks it (``token_is_valid``) before it lets the
``assisted`` mark into the conversation. A resident cannot forge it: the key
(``LIBRARY_ASSIST_SECRET``) is shared only by the council services and the assistant.
"""

from integrations.assisted.token import issue_token, token_is_valid

__all__ = ["issue_token", "token_is_valid"]
