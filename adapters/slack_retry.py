"""How the bot's Slack Web API clients retry: 429s after their Retry-After, dropped
connections only where a second call cannot post twice. The live bot and `digest send` share it,
and the one test of whether a failed call may have been carried out all the same."""

from __future__ import annotations

import asyncio
import math
from typing import Any, Awaitable, Callable, Mapping
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

RATE_LIMIT_RETRIES = 2
"""Web API calls answered 429 are made again at most this many times, each after its Retry-After."""
RATE_LIMIT_WAIT_MAX = 60.0
"""The longest Retry-After, in seconds, a Web API call waits out; a longer one fails the call."""
MAYBE_DONE_ERRORS = frozenset({"internal_error", "fatal_error"})
"""Slack error codes after which, Slack documents, some of the call may have been carried out."""
# Web API methods that post something new: made twice, they post it twice.
_POSTING_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.scheduleMessage"})
# Error codes of a 5xx in which Slack says it did not serve the call.
_NOT_SERVED_ERRORS = frozenset({"service_unavailable"})


UNSERVED_WAIT = 1.0
"""Seconds before making again a call Slack answered with a 5xx saying it did not serve it."""


def web_api_retries(
    *, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep, unserved: int = 0
) -> list[AsyncRetryHandler]:
    """The retry handlers for an AsyncWebClient; `sleep` waits out 429s. With `unserved`, a call
    Slack answered with a 5xx whose body is `service_unavailable` is made again that many times
    (it was not carried out, so it can't post twice): for a reply nothing else would send again."""
    handlers: list[AsyncRetryHandler] = [
        _ConnectionRetry(), _RateLimitRetry(max_retry_count=RATE_LIMIT_RETRIES, sleep=sleep)
    ]
    if unserved:
        handlers.append(_UnservedRetry(max_retry_count=unserved, sleep=sleep))
    return handlers


def posting_url_retries() -> list[AsyncRetryHandler]:
    """The retry handlers for an AsyncWebhookClient whose post must not be made twice: a retry
    only when the connection was never made (slack_sdk's default retries a dropped one too)."""
    return [_ConnectionRetry(posts=True)]


def may_have_gone_through(error: BaseException) -> bool:
    """Whether a Web API call that failed with `error` may have been carried out all the same.

    Yes after a timeout or a connection lost once the request was sent, a 5xx (unless its body
    is Slack's own `service_unavailable`), an answer that can't be read, and the error codes of
    MAYBE_DONE_ERRORS. No when Slack refused the call: any other error code, a 429, or a
    connection that was never made. Made again, a call that may have gone through can post twice.
    """
    if isinstance(error, SlackApiError):
        status, code = status_and_code(error)
        if status is not None and 400 <= status < 500:
            return False  # refused, 429 included
        if status is not None and status >= 500:
            return code not in _NOT_SERVED_ERRORS
        return code is None or code in MAYBE_DONE_ERRORS  # no code: an answer that can't be read
    return not isinstance(error, aiohttp.ClientConnectorError)


def status_and_code(error: SlackApiError) -> tuple[int | None, str | None]:
    """The HTTP status and Slack's error code of a failed call, None for what its answer lacks.

    slack_sdk puts aiohttp's own response in an error about a body that is not JSON.
    """
    response = error.response
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    try:
        code = response.get("error")
    except (AttributeError, TypeError, ValueError):  # no JSON object to read it from
        code = None
    return (status if isinstance(status, int) else None), (code if isinstance(code, str) else None)


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
    then posts the answer twice. A call that posts (a posting method, or any call with `posts`)
    is made again only if it never connected.
    """

    def __init__(self, *, posts: bool = False) -> None:
        super().__init__()
        self._posts = posts

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if self._posts or urlsplit(request.url).path.rsplit("/", 1)[-1] in _POSTING_METHODS:
            return isinstance(error, aiohttp.ClientConnectorError)
        return await super()._can_retry_async(state=state, request=request, response=response, error=error)


class _WaitingRetry(AsyncRetryHandler):
    """A retry handler that waits `_wait(response)` seconds before the next attempt, with the
    `sleep` it is given (tests give one that does not wait)."""

    def __init__(self, *, max_retry_count: int, sleep: Callable[[float], Awaitable[object]]) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._sleep = sleep
        self._key = f"factbot-retries:{type(self).__name__}"

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        # Each kind of retry counts its own: slack_sdk compares max_retry_count with the attempts
        # every handler made, so a 429 waited out used up the retry a 503 service_unavailable
        # is owed, and that answer was lost.
        if (state.custom_values or {}).get(self._key, 0) >= self.max_retry_count:
            return False
        return await self._can_retry_async(state=state, request=request, response=response, error=error)

    def _wait(self, response: HttpResponse | None) -> float:
        raise NotImplementedError

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        if state.custom_values is None:
            state.custom_values = {}
        state.custom_values[self._key] = state.custom_values.get(self._key, 0) + 1
        await self._sleep(self._wait(response))
        state.increment_current_attempt()


class _RateLimitRetry(_WaitingRetry):
    """Retry a Web API call Slack answered 429, after its Retry-After.

    slack_sdk's own handler reads the header with `int()`: a Retry-After such as "1.5"
    raised ValueError out of the call. Here a header that is no number waits one second,
    and one longer than RATE_LIMIT_WAIT_MAX fails the call instead of holding it for that long.
    """

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

    def _wait(self, response: HttpResponse | None) -> float:
        seconds = retry_after(response.headers) if response is not None else None
        return 1.0 if seconds is None else seconds


class _UnservedRetry(_WaitingRetry):
    """Make a call again after a 5xx in which Slack says it did not serve it (`service_unavailable`)."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code < 500 or not isinstance(response.body, dict):
            return False
        return response.body.get("error") in _NOT_SERVED_ERRORS

    def _wait(self, response: HttpResponse | None) -> float:
        return UNSERVED_WAIT
