"""The Slack Web API retries that the live bot and `digest send` share, over the loopback fake."""

from __future__ import annotations

from typing import AsyncIterator

import aiohttp
import pytest

from tests.fakes.slack_api import FakeSlackApi

from adapters.digest_runner import RestSlack

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
