"""``POST /chat/feedback``: the web chat's "Did that answer your question?" (issue #18).

The last reply of a turn that gave an information answer comes to the page marked
``"ask_feedback": true`` (``chat_relay.py``), and the page shows a small Yes / No control
under it. When the resident presses one, the page sends ``POST /chat/feedback`` with
``{"conversation_id": str, "answered": bool}``. Only the browser that holds the
conversation may do so (its HttpOnly chat cookie, as for ``/chat/messages``): another gets
403 and nothing is kept. What is kept is the
conversation's one-way id, the time and the answer (``insight_feedback.py``); a "no" means
that session's answer does not count as contained on the insight dashboard.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from web import crud_web_chat
from web.api.deps import SessionDep, SettingsDep
from web.api.rate_limits import web_chat_limit
from web.api.routes.web_chat import BROWSER_COOKIE, NOT_YOURS, read_json
from web.chat_relay import SENDER_PREFIX, ChatInputError, check_conversation_id
from web.insight_feedback import record_feedback

router = APIRouter(include_in_schema=False)


async def _owned(request: Request, session: SessionDep, conversation_id: str) -> bool:
    return await run_in_threadpool(
        crud_web_chat.owns_conversation,
        session,
        conversation_id=conversation_id,
        browser_token=request.cookies.get(BROWSER_COOKIE, ""),
    )


def _refused(message: str, status_code: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code, headers={"Cache-Control": "no-store"})


@router.post("/chat/feedback", dependencies=[Depends(web_chat_limit)])
async def answer_feedback(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Keep the resident's Yes or No (204); 400 for a malformed body, 403 if not theirs."""
    try:
        body = await read_json(request)
        if not isinstance(body, dict) or not isinstance(body.get("answered"), bool):
            raise ChatInputError("Send answered as true or false.")
        conversation_id = check_conversation_id(body.get("conversation_id"))
    except ChatInputError as error:
        return _refused(str(error), status.HTTP_400_BAD_REQUEST)
    if not await _owned(request, session, conversation_id):
        return _refused(NOT_YOURS, status.HTTP_403_FORBIDDEN)
    await run_in_threadpool(
        record_feedback,
        session,
        secret=settings.insight_hash_secret.get_secret_value(),
        sender_id=SENDER_PREFIX + conversation_id,
        answered=body["answered"],
        window_s=settings.insight_idle_s,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT, headers={"Cache-Control": "no-store"})
