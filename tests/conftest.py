"""Fixtures: a real server per test session (memory store), reset before each test."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from server import ServerProcess  # noqa: E402


@pytest.fixture(scope="session")
def _session_server() -> Iterator[ServerProcess]:
    server = ServerProcess(store="memory").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _session_virtual_server() -> Iterator[ServerProcess]:
    server = ServerProcess(store="memory", clock="virtual").start()
    yield server
    server.stop()


@pytest.fixture
def server(_session_server: ServerProcess) -> ServerProcess:
    """A running server on the memory store and the real clock, with nothing in it."""
    _session_server.reset()
    return _session_server


@pytest.fixture
def virtual_server(_session_virtual_server: ServerProcess) -> ServerProcess:
    """A running server on the virtual clock: move time with `virtual_server.advance(s)`."""
    _session_virtual_server.reset()
    return _session_virtual_server


@pytest.fixture
def client(server: ServerProcess) -> Callable[..., Any]:
    """`client("sqs")`: a boto3 client pointed at the test server."""
    return server.client
