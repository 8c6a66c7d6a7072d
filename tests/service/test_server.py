"""The server shell: admin API, routing failures, body limits, CLI, signals."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from server import ServerProcess


def _request(server: ServerProcess, method: str, path: str, body: bytes | None = None, headers=None):
    request = urllib.request.Request(server.endpoint + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_health_names_version_store_clock_and_services(server: ServerProcess) -> None:
    health = server.admin("GET", "health")
    assert health["status"] == "ok"
    assert health["store"] == "memory"
    assert health["clock"]["kind"] == "real"
    assert {"sts", "iam"} <= set(health["services"])
    assert all(s["state"] == "running" for s in health["services"].values())


def test_virtual_clock_moves_only_when_told(virtual_server: ServerProcess) -> None:
    start = virtual_server.now()
    time.sleep(0.05)
    assert virtual_server.now() == start
    assert virtual_server.advance(90) == pytest.approx(start + 90)
    moved = virtual_server.admin("POST", "clock", {"set": start + 1000})
    assert moved["now"] == pytest.approx(start + 1000)


def test_clock_rejects_bad_requests(virtual_server: ServerProcess, server: ServerProcess) -> None:
    status, body = _request(virtual_server, "POST", "/_postoffice/clock", b"{not json")
    assert status == 400
    status, body = _request(virtual_server, "POST", "/_postoffice/clock", json.dumps({"advance": -5}).encode())
    assert status == 400 and b"backwards" in body
    status, body = _request(virtual_server, "POST", "/_postoffice/clock", json.dumps({"advance": "x"}).encode())
    assert status == 400
    status, body = _request(server, "POST", "/_postoffice/clock", json.dumps({"advance": 5}).encode())
    assert status == 400 and b"real" in body


def test_reset_one_service_or_all(server: ServerProcess) -> None:
    assert server.admin("POST", "reset", {"service": "sts"}) == {"reset": ["sts"]}
    assert "iam" in server.admin("POST", "reset", {})["reset"]
    status, body = _request(server, "POST", "/_postoffice/reset", json.dumps({"service": "nope"}).encode())
    assert status == 400


def test_unknown_admin_path_is_404(server: ServerProcess) -> None:
    status, body = _request(server, "GET", "/_postoffice/nothing-here")
    assert status == 404


def test_a_request_for_no_known_service_gets_a_4xx_not_a_500(server: ServerProcess) -> None:
    status, body = _request(server, "POST", "/", b"{}", {"Content-Type": "application/x-amz-json-1.0"})
    assert 400 <= status < 500
    assert b"Traceback" not in body
    status, body = _request(
        server, "POST", "/", b"{}", {"X-Amz-Target": "NoSuchService_2020.DoThing", "Content-Type": "application/json"}
    )
    assert 400 <= status < 500


def test_oversized_bodies_are_refused_with_413(tmp_path) -> None:
    small = ServerProcess(store="memory", extra_args=[]).start()
    try:
        huge = b"x" * (73 * 1024 * 1024)
        status, body = _request(small, "POST", "/", huge, {"Content-Type": "application/x-amz-json-1.0"})
        assert status == 413
        assert b"too large" in body
    finally:
        small.stop()


def test_cli_status_and_reset_talk_to_a_running_server(server: ServerProcess) -> None:
    base = [sys.executable, "-m", "postoffice.cli"]
    status = subprocess.run([*base, "status", "--endpoint", server.endpoint], capture_output=True, text=True)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["status"] == "ok"
    reset = subprocess.run(
        [*base, "reset", "--service", "iam", "--endpoint", server.endpoint], capture_output=True, text=True
    )
    assert reset.returncode == 0 and json.loads(reset.stdout) == {"reset": ["iam"]}
    down = subprocess.run([*base, "status", "--endpoint", "http://127.0.0.1:1"], capture_output=True, text=True)
    assert down.returncode == 1 and "not answering" in down.stderr


def test_serve_announces_itself_and_stops_cleanly_on_sigterm_and_ctrl_c(tmp_path) -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        server = ServerProcess(store="sqlite", data_dir=str(tmp_path)).start()
        assert server.process is not None
        server.process.send_signal(sig)
        assert server.process.wait(timeout=10) == 0
        output = server.process.stdout.read().decode() if server.process.stdout else ""
        assert f"ready on http://127.0.0.1:{server.port}" in output
        assert "store:    sqlite" in output and "services:" in output
    assert (tmp_path / "postoffice.db").exists()


def test_serve_rejects_an_unknown_store() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "postoffice.cli", "serve", "--store", "mongodb://x", "--port", "1"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0
    assert "unknown store" in result.stderr
