"""An outbound HTTP request a service makes (an API destination call, an HTTP integration),
run in a thread so the event loop goes on. Any status is an answer; no answer is HttpFailure."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


@dataclass
class HttpAnswer:
    status: int
    headers: dict[str, str]  # names as the endpoint sent them
    body: bytes


class HttpFailure(Exception):
    """The endpoint could not be reached, or did not answer within the timeout."""

    def __init__(self, reason: str, timed_out: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.timed_out = timed_out


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_FOLLOWING = urllib.request.build_opener()
_NOT_FOLLOWING = urllib.request.build_opener(_NoRedirect)


async def request(
    method: str, url: str, headers: dict[str, str], body: bytes | None, timeout: float, follow_redirects: bool = True
) -> HttpAnswer:
    """The endpoint's answer; with follow_redirects off, a 3xx is the answer."""
    return await asyncio.to_thread(_request, method, url, headers, body, timeout, follow_redirects)


def _request(
    method: str, url: str, headers: dict[str, str], body: bytes | None, timeout: float, follow_redirects: bool
) -> HttpAnswer:
    opener = _FOLLOWING if follow_redirects else _NOT_FOLLOWING
    try:
        outbound = urllib.request.Request(url, data=body, headers=headers, method=method)
        with opener.open(outbound, timeout=timeout) as answer:
            return HttpAnswer(answer.status, dict(answer.headers.items()), answer.read())
    except urllib.error.HTTPError as error:
        return HttpAnswer(error.code, dict(error.headers.items()), error.read() or b"")
    except TimeoutError as error:
        raise HttpFailure(str(error), timed_out=True) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise HttpFailure(str(reason), timed_out=isinstance(reason, TimeoutError)) from None
