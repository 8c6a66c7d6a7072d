import asyncio
import http.server
import socket
import threading
from collections.abc import Iterator

import pytest

from postoffice.core.http_client import HttpFailure, request


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/moved":
            self._answer(302, b"", {"Location": "/here"})
        elif self.path == "/here":
            self._answer(200, b"arrived", {"X-Seen": self.headers.get("X-Probe", "")})
        else:
            self._answer(404, b"missing", {})

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length", "0"))
        self._answer(503, self.rfile.read(length), {"Retry-After": "7"})

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_answer_with_headers_as_sent(base: str) -> None:
    answer = asyncio.run(request("GET", f"{base}/here", {"X-Probe": "p"}, None, 5.0))
    assert (answer.status, answer.body, answer.headers["X-Seen"]) == (200, b"arrived", "p")


def test_an_error_status_is_an_answer_too(base: str) -> None:
    answer = asyncio.run(request("POST", f"{base}/x", {}, b"payload", 5.0))
    assert (answer.status, answer.body, answer.headers["Retry-After"]) == (503, b"payload", "7")


def test_redirects_are_followed_unless_told_not_to(base: str) -> None:
    assert asyncio.run(request("GET", f"{base}/moved", {}, None, 5.0)).status == 200
    held = asyncio.run(request("GET", f"{base}/moved", {}, None, 5.0, follow_redirects=False))
    assert (held.status, held.headers["Location"]) == (302, "/here")


def test_no_listener_is_a_failure_not_an_answer() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(HttpFailure) as failed:
        asyncio.run(request("GET", f"http://127.0.0.1:{port}/", {}, None, 5.0))
    assert not failed.value.timed_out and failed.value.reason


def test_a_silent_endpoint_times_out() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        with pytest.raises(HttpFailure) as failed:
            asyncio.run(request("GET", f"http://127.0.0.1:{silent.getsockname()[1]}/", {}, None, 0.2))
    assert failed.value.timed_out


def test_a_malformed_url_is_a_failure() -> None:
    with pytest.raises(HttpFailure):
        asyncio.run(request("GET", "not a url", {}, None, 1.0))
