"""The AWS CLI against Logs, and the polling contract `aws logs tail --follow` relies on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from server import CREDENTIALS, ServerProcess

GROUP = "/aws/lambda/cli"
AWS = str(Path(sys.executable).with_name("aws"))
# `aws logs tail` exists only in AWS CLI v2, which PyPI does not ship; point this at one to run it.
AWS_V2 = os.environ.get("POSTOFFICE_TEST_AWS_CLI_V2", "")


def _aws(server: ServerProcess, *args: str, cli: str = AWS) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID=CREDENTIALS["aws_access_key_id"],
        AWS_SECRET_ACCESS_KEY=CREDENTIALS["aws_secret_access_key"],
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_PAGER="",
    )
    return subprocess.run(
        [cli, *args, "--endpoint-url", server.endpoint],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _seed(server: ServerProcess) -> None:
    logs = server.client("logs")
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName="s")
    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=GROUP,
        logStreamName="s",
        logEvents=[{"timestamp": now - 2, "message": "START"}, {"timestamp": now - 1, "message": "ERROR boom"}],
    )


def test_cli_filters_log_events(server: ServerProcess) -> None:
    _seed(server)
    done = _aws(
        server, "logs", "filter-log-events", "--log-group-name", GROUP, "--filter-pattern", "ERROR", "--output", "json"
    )
    assert done.returncode == 0, done.stderr
    assert [e["message"] for e in json.loads(done.stdout)["events"]] == ["ERROR boom"]
    missing = _aws(server, "logs", "filter-log-events", "--log-group-name", "/missing")
    assert missing.returncode != 0
    assert "ResourceNotFoundException" in missing.stderr


def test_cli_logs_tail(server: ServerProcess) -> None:
    if not AWS_V2:
        pytest.skip("`aws logs tail` is an AWS CLI v2 command: set POSTOFFICE_TEST_AWS_CLI_V2 to an AWS CLI v2")
    _seed(server)
    done = _aws(server, "logs", "tail", GROUP, "--since", "1h", "--format", "short", cli=AWS_V2)
    assert done.returncode == 0, done.stderr
    assert [line.split(" ", 1)[1] for line in done.stdout.splitlines()] == ["START", "ERROR boom"]


def _follow_once(logs: Any, kwargs: dict[str, Any], seen: dict[int, set[str]]) -> list[str]:
    """One polling round of AWS CLI v2's `logs tail --follow` (FollowLogEventsGenerator)."""
    printed: list[str] = []
    while True:
        response = logs.filter_log_events(**kwargs)
        for event in response["events"]:
            if event["eventId"] not in seen[event["timestamp"]]:
                seen[event["timestamp"]].add(event["eventId"])
                printed.append(event["message"])
        if seen:
            newest = max(seen)
            seen_newest = seen[newest]
            seen.clear()
            seen[newest] = seen_newest
        if "nextToken" in response:
            kwargs["nextToken"] = response["nextToken"]
            continue
        if seen:
            kwargs["startTime"] = max(seen)
        kwargs.pop("nextToken", None)
        return printed


def test_tail_follow_polling_sees_each_event_once(server: ServerProcess) -> None:
    _seed(server)
    logs = server.client("logs")
    kwargs: dict[str, Any] = {
        "logGroupName": GROUP,
        "interleaved": True,
        "startTime": int(time.time() * 1000) - 600_000,
    }
    seen: dict[int, set[str]] = defaultdict(set)
    assert _follow_once(logs, kwargs, seen) == ["START", "ERROR boom"]
    assert _follow_once(logs, kwargs, seen) == []
    last = max(seen)
    logs.put_log_events(
        logGroupName=GROUP,
        logStreamName="s",
        logEvents=[{"timestamp": last, "message": "same millisecond"}, {"timestamp": last + 5, "message": "later"}],
    )
    assert _follow_once(logs, kwargs, seen) == ["same millisecond", "later"]
    assert _follow_once(logs, kwargs, seen) == []
