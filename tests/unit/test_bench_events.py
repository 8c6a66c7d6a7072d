"""The EventBridge benchmarks: scenario data, and short real runs of each loop."""

from __future__ import annotations

import asyncio
import json
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench import events_scenarios as events  # noqa: E402
from bench.servers import ChildServer  # noqa: E402
from postoffice.core.matcher import compile_pattern  # noqa: E402


def _pattern(setup: tuple) -> dict:
    rule = next(request for request in setup if request.headers["X-Amz-Target"] == "AWSEvents.PutRule")
    return json.loads(json.loads(rule.body)["EventPattern"])


def _put_event(request) -> dict:
    entry = json.loads(request.body.replace("${n}", "7"))["Entries"][0]
    return {"source": entry["Source"], "detail-type": entry["DetailType"], "detail": json.loads(entry["Detail"])}


def test_the_rule_matches_the_events_put_in_the_deliver_scenarios_only() -> None:
    event = _put_event(events.PUT_ONE)
    assert compile_pattern(_pattern(events.MATCH)).matches(event)
    assert not compile_pattern(_pattern(events.NO_MATCH)).matches(event)
    by_name = {scenario.name: scenario for scenario in events.EVENTS_SCENARIOS}
    assert by_name["events-put-memory"].setup == events.NO_MATCH
    assert by_name["events-put-batch-deliver-sqlite"].setup == events.MATCH


def test_every_scenario_puts_1_or_10_entries_and_counts_them() -> None:
    names = [scenario.name for scenario in events.EVENTS_SCENARIOS]
    assert len(names) == len(set(names)) == 8
    for scenario in events.EVENTS_SCENARIOS:
        assert scenario.request is not None
        entries = json.loads(scenario.request.body.replace("${n}", "1"))["Entries"]
        assert len(entries) == scenario.messages_per_request in (1, 10)
        assert len({entry["Detail"] for entry in entries}) == len(entries)


@pytest.fixture(scope="module")
def _module_server() -> Iterator[ChildServer]:
    server = ChildServer("postoffice").start()
    yield server
    server.stop()


@pytest.fixture
def events_server(_module_server: ChildServer) -> ChildServer:
    """A server on the memory store with nothing in it."""
    reset = urllib.request.Request(f"{_module_server.endpoint}/_postoffice/reset", data=b"{}", method="POST")
    with urllib.request.urlopen(reset, timeout=30):
        return _module_server


def test_latency_loop_receives_every_event_it_put(events_server: ChildServer) -> None:
    result = asyncio.run(events.measure_latency(events_server, rate=100, duration=0.5, consumers=2))
    assert result["sent"] == result["received"] >= 45
    assert result["errors"] == 0 and result["lost"] == 0
    assert 0 < result["p50_ms"] <= result["p99_ms"] <= result["max_ms"]


def test_drain_waits_until_every_event_is_in_the_queue(events_server: ChildServer) -> None:
    result = asyncio.run(events.measure_drain(events_server, events=305, entries=10, connections=4))
    assert result["accepted"] == result["delivered"] == 305
    assert result["errors"] == 0
    assert result["drain_s"] >= result["put_s"] > 0


def test_closed_loop_scenario_runs_through_bench_run(capsys: pytest.CaptureFixture[str]) -> None:
    arguments = ["events-put-batch-deliver-memory", "--duration", "1", "--warmup", "0", "--connections", "4"]
    assert events.main([*arguments, "--generator", "python"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("| EventBridge"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[1].endswith("msg/s") and not cells[1].startswith("0 ")
    assert cells[4] == "0"
