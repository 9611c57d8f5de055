"""The Slack serve process under a steady stream of mentions: memory growth and latency.

Starts `python -m bot serve` in Slack HTTP mode against the fake Slack Web API on loopback
(the one the tests use), sends signed `app_mention` events from many users in many
channels, and waits for each answer to be posted. Prints the process's resident memory
after a warm-up and at each checkpoint, its growth per request, throughput, and the
latency of the acknowledgement and of the posted answer. Asserts nothing: the machines are
shared and noisy, so the numbers are read, not enforced.

    .venv/bin/python benchmarks/soak_slack.py                  # 4,000 mentions after 400 to warm up
    .venv/bin/python benchmarks/soak_slack.py --requests 20000 --concurrency 8
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from slack_sdk.signature import SignatureVerifier  # noqa: E402

from tests.fakes.slack_api import FakeSlackApi  # noqa: E402

SECRET = "soak-signing-secret"
QUESTIONS = [
    "How much of Scale AI does Meta own?",
    "what does lecun think about regulation",
    "whats the deal with open washing",
    "Which Llama versions are there?",
    "who is alexandr wang",
    "what is apple's ai strategy",
    "how much is meta spending on gpus",
    "did altman call for international oversight?",
    "what did the linux foundation study find",
    "is gemma open source",
    "help",
    "what is the capital of france",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Mentions:
    """Signed mention events, each with its own event id, user, channel and timestamp."""

    def __init__(self) -> None:
        self._serial = itertools.count(1)
        self._verifier = SignatureVerifier(SECRET)

    def next(self) -> tuple[str, dict[str, str], str]:
        n = next(self._serial)
        ts = f"1700000000.{n:06d}"
        event = {
            "token": "x",
            "team_id": "T0001",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"EvSoak{n}",
            "event_time": int(time.time()),
            "event": {
                "type": "app_mention",
                # Many askers, none of them over the per-user limit.
                "user": f"U{n % 997:05d}",
                "text": f"<@UBOT> {QUESTIONS[n % len(QUESTIONS)]}",
                "ts": ts,
                "channel": f"C{n % 53:04d}",
                "event_ts": ts,
            },
        }
        raw = json.dumps(event)
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": self._verifier.generate_signature(timestamp=stamp, body=raw),
        }
        return raw, headers, ts


async def _wait_up(session: aiohttp.ClientSession, url: str, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise SystemExit(f"serve stopped with code {process.returncode}")
        try:
            async with session.get(url) as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit(f"{url} did not come up in 60 s")


async def _send(
    count: int,
    concurrency: int,
    session: aiohttp.ClientSession,
    base: str,
    mentions: Mentions,
    slack: FakeSlackApi,
    acks: list[float],
    answers: list[float],
) -> None:
    posted: dict[str, float] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)

    async def worker() -> None:
        while not queue.empty():
            queue.get_nowait()
            raw, headers, ts = mentions.next()
            started = time.perf_counter()
            async with session.post(f"{base}/slack/events", data=raw, headers=headers) as response:
                await response.read()
                if response.status != 200:
                    raise SystemExit(f"/slack/events answered {response.status}")
            acks.append(time.perf_counter() - started)
            posted[ts] = started
            # The answer is posted in the mention's thread.
            while True:
                done = [c for c in slack.calls_to("chat.postMessage")[-4 * concurrency :] if c.body.get("thread_ts") == ts]
                if done:
                    answers.append(time.perf_counter() - started)
                    break
                await asyncio.sleep(0.002)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def soak(requests: int, warmup: int, concurrency: int, checkpoints: int) -> None:
    slack = await FakeSlackApi().start()
    port = _free_port()
    data = Path(tempfile.mkdtemp(prefix="soak-"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "BOT_", "DIGEST_", "PORT"))},
        "SLACK_BOT_TOKEN": "xoxb-soak",
        "SLACK_MODE": "http",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.base_url,
        "PORT": str(port),
        "BOT_DATA_DIR": str(data),
        "LOG_LEVEL": "warning",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve",
        cwd=ROOT, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    mentions = Mentions()
    try:
        async with aiohttp.ClientSession() as session:
            await _wait_up(session, f"{base}/readyz", process)
            print(f"serve pid {process.pid}, rss at start {_rss_kb(process.pid) / 1024:.1f} MB")
            await _send(warmup, concurrency, session, base, mentions, slack, [], [])
            start_rss = _rss_kb(process.pid)
            print(f"after {warmup} mentions to warm up: rss {start_rss / 1024:.1f} MB")
            acks: list[float] = []
            answers: list[float] = []
            began = time.perf_counter()
            step = max(1, requests // checkpoints)
            sent = 0
            while sent < requests:
                batch = min(step, requests - sent)
                await _send(batch, concurrency, session, base, mentions, slack, acks, answers)
                sent += batch
                rss = _rss_kb(process.pid)
                print(f"  {sent:>6} mentions: rss {rss / 1024:.1f} MB ({(rss - start_rss) / sent:+.3f} KB/mention)")
            took = time.perf_counter() - began
        end_rss = _rss_kb(process.pid)
        print(f"{requests} mentions in {took:.1f} s ({requests / took:.0f}/s, {concurrency} at a time)")
        print(f"rss growth after warm-up: {(end_rss - start_rss) / 1024:+.1f} MB ({(end_rss - start_rss) / requests:+.3f} KB/mention)")
        for name, values in (("ack", acks), ("answer posted", answers)):
            values.sort()
            p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
            print(f"{name}: p50 {statistics.median(values) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
    finally:
        if process.returncode is None:
            process.terminate()
            await asyncio.wait_for(process.wait(), timeout=30)
        await slack.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--warmup", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--checkpoints", type=int, default=8)
    args = parser.parse_args()
    asyncio.run(soak(args.requests, args.warmup, args.concurrency, args.checkpoints))


if __name__ == "__main__":
    main()
