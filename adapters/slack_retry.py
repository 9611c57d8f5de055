"""How the bot's Slack Web API clients retry: 429s after their Retry-After, dropped
connections only where a second call cannot post twice. The live bot and `digest send` share it."""

from __future__ import annotations

import asyncio
import math
from typing import Any, Awaitable, Callable, Mapping
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

RATE_LIMIT_RETRIES = 2
"""Web API calls answered 429 are made again at most this many times, each after its Retry-After."""
RATE_LIMIT_WAIT_MAX = 60.0
"""The longest Retry-After, in seconds, a Web API call waits out; a longer one fails the call."""
# Web API methods that post something new: made twice, they post it twice.
_POSTING_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.scheduleMessage"})


def web_api_retries(*, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> list[AsyncRetryHandler]:
    """The retry handlers for an AsyncWebClient; `sleep` waits out 429s."""
    return [_ConnectionRetry(), _RateLimitRetry(max_retry_count=RATE_LIMIT_RETRIES, sleep=sleep)]


def retry_after(headers: Mapping[str, Any]) -> float | None:
    """The seconds a Retry-After header asks for; None if there is no such header or it is no number."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return max(0.0, seconds) if math.isfinite(seconds) else None


class _ConnectionRetry(AsyncConnectionErrorRetryHandler):
    """Make a Web API call again after a connection failure, unless the call may have gone through.

    A server that hangs up can have carried the call out first: chat.postMessage made again
    then posts the answer twice. A call that posts is made again only if it never connected.
    """

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if urlsplit(request.url).path.rsplit("/", 1)[-1] in _POSTING_METHODS:
            return isinstance(error, aiohttp.ClientConnectorError)
        return await super()._can_retry_async(state=state, request=request, response=response, error=error)


class _RateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """Retry a Web API call Slack answered 429, after its Retry-After.

    slack_sdk's own handler reads the header with `int()`: a Retry-After such as "1.5"
    raised ValueError out of the call. Here a header that is no number waits one second,
    and one longer than RATE_LIMIT_WAIT_MAX fails the call instead of holding it for that long.
    """

    def __init__(self, *, max_retry_count: int, sleep: Callable[[float], Awaitable[object]]) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._sleep = sleep

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        seconds = retry_after(response.headers)
        return seconds is None or seconds <= RATE_LIMIT_WAIT_MAX

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        seconds = retry_after(response.headers) if response is not None else None
        state.next_attempt_requested = True
        await self._sleep(1.0 if seconds is None else seconds)
        state.increment_current_attempt()
