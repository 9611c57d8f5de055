"""The Slack Web API retries that the live bot and `digest send` share, over the loopback fake."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import AsyncIterator

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.slack_response import SlackResponse

from tests.fakes.slack_api import FakeSlackApi

from adapters.digest_runner import RestSlack, to_send_failure
from adapters.slack_retry import may_have_gone_through

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "Fact of the day"}}]


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    api = await FakeSlackApi().start()
    yield api
    await api.close()


def _rest(fake: FakeSlackApi, slept: list[float]) -> RestSlack:
    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    return RestSlack("xoxb-test", base_url=fake.base_url, sleep=sleep)


@pytest.mark.parametrize(("retry_after", "waited"), [("1.5", [1.5]), (None, [1.0]), ("2", [2.0])])
async def test_digest_send_waits_out_any_retry_after_and_posts_once(
    fake: FakeSlackApi, retry_after: str | None, waited: list[float]
) -> None:
    slept: list[float] = []
    fake.http_error("chat.postMessage", 429, retry_after=retry_after)
    ts = await _rest(fake, slept).post_blocks("C111", blocks=BLOCKS, text="Fact of the day")
    assert [c.status for c in fake.calls_to("chat.postMessage", ok_only=False)] == [429, 200]
    assert ts and slept == waited


async def test_digest_send_does_not_post_again_after_slack_took_the_post_and_hung_up(fake: FakeSlackApi) -> None:
    fake.hang_up_once("chat.postMessage")
    with pytest.raises(aiohttp.ClientError):
        await _rest(fake, []).post_blocks("C111", blocks=BLOCKS, text="Fact of the day")
    assert len(fake.calls_to("chat.postMessage")) == 1


def _slack_error(status: int, error: str | None) -> SlackApiError:
    data = {"ok": False, "error": error} if error is not None else {}
    response = SlackResponse(
        client=None, http_verb="POST", api_url="https://slack.example/api/chat.postMessage", req_args={},
        data=data, headers={}, status_code=status,
    )  # fmt: skip
    return SlackApiError(error or "", response)


_NEVER_CONNECTED = aiohttp.ClientConnectorError(
    SimpleNamespace(host="127.0.0.1", port=9, ssl=None, is_ssl=False), ConnectionRefusedError(111, "refused")
)


@pytest.mark.parametrize(
    ("error", "maybe"),
    [
        # Slack says some of the call may have been carried out.
        (_slack_error(200, "internal_error"), True),
        (_slack_error(200, "fatal_error"), True),
        # A server error, a body that is not Slack's, or an answer that never came: nobody knows.
        (_slack_error(500, "internal_error"), True),
        (_slack_error(502, None), True),
        (_slack_error(503, None), True),
        (_slack_error(200, None), True),
        (asyncio.TimeoutError(), True),
        (aiohttp.ServerDisconnectedError(), True),
        (aiohttp.ClientOSError(104, "Connection reset by peer"), True),
        # Slack refused the call, or it never reached Slack: nothing was done.
        (_slack_error(503, "service_unavailable"), False),
        (_slack_error(429, "ratelimited"), False),
        (_slack_error(200, "not_in_channel"), False),
        (_slack_error(200, "channel_not_found"), False),
        (_slack_error(200, "ratelimited"), False),
        (_slack_error(404, None), False),
        (_NEVER_CONNECTED, False),
    ],
    ids=lambda value: value if isinstance(value, bool) else f"{type(value).__name__}:{value}"[:60],
)
def test_a_failed_call_may_have_gone_through_unless_slack_refused_it_or_it_never_connected(
    error: BaseException, maybe: bool
) -> None:
    assert may_have_gone_through(error) is maybe
    if isinstance(error, SlackApiError):
        # The digest is never sent again after a failure that may have posted it, and is tried
        # again later after one that cannot have.
        failure = to_send_failure(error, platform="slack")
        assert failure is not None and failure.maybe_posted is maybe
        assert not (maybe and failure.transient)


def test_a_slack_error_with_a_body_that_is_not_json_is_read_without_raising() -> None:
    # slack_sdk puts aiohttp's own response, which has no .get() or .status_code, in this error.
    page = SimpleNamespace(status=502, headers={"Content-Type": "application/json"})
    error = SlackApiError("Received a response in a non-JSON format: <html>Bad Gateway</html>", page)
    assert may_have_gone_through(error) is True
    failure = to_send_failure(error, platform="slack")
    assert failure is not None and (failure.transient, failure.maybe_posted) == (False, True)
    assert failure.reason.startswith("Slack: HTTP 502; ")
