"""Noticing that Slack refused the bot token, whichever Web API client made the call.

The bot's replies, the daily digest and its look-ups go through the app's client; bolt makes a
client of its own for each request (a copy of the app's, with the same retry handlers) and asks
auth.test with it on the first request when the start could not. slack_sdk shows every answer to a
client's retry handlers before it raises: a handler that never asks for a retry sees them all, so
a refusal is noticed however the call was made and whatever its caller does with the error.
"""

from __future__ import annotations

from typing import Callable
from urllib.parse import urlsplit

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

TOKEN_REFUSED = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"})
"""Web API errors that say Slack no longer takes the bot token at all (revoked, the app uninstalled,
the bot user or the workspace deactivated): no call made with it will work again."""


class TokenRefusalWatch(AsyncRetryHandler):
    """A retry handler that never asks for a retry: it tells `on_refused(code, method)` when Slack
    answers a call made with `token` with one of TOKEN_REFUSED.

    A call made with another token (Socket Mode's apps.connections.open carries the app-level
    token) says nothing about the bot's, and is left alone.
    """

    def __init__(self, token: str, *, on_refused: Callable[[str, str], None]) -> None:
        super().__init__(max_retry_count=0)
        self._authorization = f"Bearer {token}"
        self._on_refused = on_refused

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        code = _refused_code(response)
        if code is not None and self._authorization in _authorization(request):
            self._on_refused(code, urlsplit(request.url).path.rsplit("/", 1)[-1])
        return False


def _refused_code(response: HttpResponse | None) -> str | None:
    """The error code of an answer refusing the token itself (one of TOKEN_REFUSED), else None."""
    body = response.body if response is not None else None
    if not isinstance(body, dict) or body.get("ok") is not False:
        return None
    code = body.get("error")
    return code if isinstance(code, str) and code in TOKEN_REFUSED else None


def _authorization(request: HttpRequest) -> list[str]:
    """The request's Authorization header values (slack_sdk keeps each header as a list)."""
    for name, values in request.headers.items():
        if name.lower() == "authorization":
            return [str(value) for value in (values if isinstance(values, list) else [values])]
    return []
