"""Pieces of the Lambda runtime and service that need no server: concurrency slots, the Runtime
API's HTTP server, interpreter choice, environment variables, names, paging, code unpacking."""

from __future__ import annotations

import asyncio
import io
import os
import stat
import zipfile

import pytest

from postoffice.protocol.context import RequestContext
from postoffice.protocol.errors import ServiceError
from postoffice.runtime.concurrency import Slots
from postoffice.runtime.http_server import LoopbackServer, Request, Response
from postoffice.runtime.interpreters import Interpreter, Interpreters
from postoffice.runtime.launch import Launch, environment_variables
from postoffice.runtime.model import FunctionSpec
from postoffice.services.lambda_ import names
from postoffice.services.lambda_.code import CodeStore, tree_signature
from postoffice.services.lambda_.paging import page


def test_slots_wait_in_order_and_follow_the_limit() -> None:
    async def scenario() -> list[str]:
        slots = Slots(1)
        order: list[str] = []
        assert slots.try_acquire()
        assert not slots.try_acquire()

        async def waiter(name: str) -> None:
            await slots.acquire()
            order.append(name)

        first = asyncio.create_task(waiter("first"))
        second = asyncio.create_task(waiter("second"))
        await asyncio.sleep(0)
        slots.release()
        await first
        assert order == ["first"] and slots.in_use == 1
        slots.set_limit(2)
        await second
        assert slots.in_use == 2
        slots.set_limit(0)
        assert not slots.try_acquire()
        return order

    assert asyncio.run(scenario()) == ["first", "second"]


def test_cancelled_waiter_gives_its_turn_away() -> None:
    async def scenario() -> int:
        slots = Slots(1)
        slots.try_acquire()
        task = asyncio.create_task(slots.acquire())
        await asyncio.sleep(0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        slots.release()
        return slots.in_use

    assert asyncio.run(scenario()) == 0


def test_loopback_server_keep_alive_chunked_and_expect() -> None:
    async def scenario() -> list[bytes]:
        seen: list[Request] = []

        async def handler(request: Request) -> Response:
            seen.append(request)
            return Response(202, b'{"status":"OK"}', [("X-Test", request.method)])

        server = await LoopbackServer(handler).start()
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"POST /a/b?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc")
        writer.write(b"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n")
        writer.write(b"POST /d HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        await writer.drain()
        answer = await reader.read()
        writer.close()
        await server.close()
        assert [(r.method, r.path, r.body) for r in seen] == [("POST", "/a/b", b"abc"), ("POST", "/c", b"hello"),
                                                              ("POST", "/d", b"ok")]  # fmt: skip
        return answer

    answer = asyncio.run(scenario())
    assert answer.startswith(b"HTTP/1.1 202 Accepted")
    assert answer.count(b"X-Test: POST") == 3
    assert b"HTTP/1.1 100 Continue\r\n\r\n" in answer


def _interpreters(minors: list[int]) -> Interpreters:
    found = Interpreters()
    found._found = [Interpreter(f"/usr/bin/python3.{m}", f"3.{m}.0", m) for m in minors]
    return found


@pytest.mark.parametrize(
    ("runtime", "minors", "expected", "exact"),
    [
        ("python3.12", [9, 11, 12, 13], 12, True),
        ("python3.12", [9, 11, 13], 13, False),
        ("python3.10", [9, 13], 9, False),
        ("python3.14", [11, 12], 12, False),
    ],
)
def test_closest_interpreter(runtime: str, minors: list[int], expected: int, exact: bool) -> None:
    interpreter, is_exact = asyncio.run(_interpreters(minors).for_runtime(runtime))
    assert (interpreter.minor, is_exact) == (expected, exact)


def test_no_interpreter_is_a_clear_error() -> None:
    from postoffice.runtime.interpreters import NoInterpreter

    with pytest.raises(NoInterpreter, match="python3.12"):
        asyncio.run(_interpreters([]).for_runtime("python3.12"))


def _spec(**overrides: object) -> FunctionSpec:
    settings: dict[str, object] = dict(
        key="k", account="123456789012", region="eu-west-1", function_name="f",
        function_arn="arn:aws:lambda:eu-west-1:123456789012:function:f", version="$LATEST", runtime="python3.12",
        handler="app.handler", task_root="/code", layer_roots=("/layer",), environment=(("MINE", "1"),),
        memory_mb=256, timeout=3, log_group="/aws/lambda/f", endpoint="http://127.0.0.1:4566",
    )  # fmt: skip
    settings.update(overrides)
    return FunctionSpec(**settings)  # type: ignore[arg-type]


def test_environment_variables() -> None:
    variables = environment_variables(_spec(), Launch(["python"]), "127.0.0.1:9001", "2024/01/01/[$LATEST]abc")
    assert variables["MINE"] == "1"
    assert variables["AWS_LAMBDA_RUNTIME_API"] == "127.0.0.1:9001"
    assert variables["AWS_ACCESS_KEY_ID"] == "123456789012"
    assert variables["AWS_REGION"] == variables["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert variables["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert variables["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert variables["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"
    assert variables["PATH"].startswith("/layer/bin" + os.pathsep)
    custom = environment_variables(
        _spec(runtime="provided.al2023", environment=(("AWS_ENDPOINT_URL", "http://elsewhere"),)),
        Launch(["bootstrap"]),
        "127.0.0.1:1",
        "s",
    )
    assert "AWS_EXECUTION_ENV" not in custom
    assert custom["AWS_ENDPOINT_URL"] == "http://elsewhere"


def _ctx() -> RequestContext:
    return RequestContext(service="lambda", account="000000000000", region="us-east-1", request_id="r")


@pytest.mark.parametrize(
    ("name", "qualifier", "expected"),
    [
        ("f", None, ("000000000000", "us-east-1", "f", None)),
        ("f:live", None, ("000000000000", "us-east-1", "f", "live")),
        ("123456789012:function:f", "1", ("123456789012", "us-east-1", "f", "1")),
        (
            "arn:aws:lambda:eu-west-1:123456789012:function:f:$LATEST",
            None,
            ("123456789012", "eu-west-1", "f", "$LATEST"),
        ),
    ],
)
def test_function_names(name: str, qualifier: str | None, expected: tuple[str, str, str, str | None]) -> None:
    ref = names.resolve(_ctx(), name, qualifier)
    assert (ref.account, ref.region, ref.name, ref.qualifier) == expected


def test_conflicting_qualifiers() -> None:
    with pytest.raises(ServiceError, match="derived qualifier"):
        names.resolve(_ctx(), "f:live", "1")


def test_paging_markers() -> None:
    items = list(range(7))
    first, marker = page(items, None, 3)
    second, marker2 = page(items, marker, 3)
    third, marker3 = page(items, marker2, 3)
    assert (first, second, third, marker3) == ([0, 1, 2], [3, 4, 5], [6], None)
    with pytest.raises(ServiceError):
        page(items, "garbage!", 3)


def _zip(entries: dict[str, tuple[bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, (data, mode) in entries.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def test_code_unpacking(tmp_path: object) -> None:
    store = CodeStore(str(tmp_path))
    data = _zip({"bootstrap": (b"#!/bin/sh\n", 0o755), "lib/x.py": (b"X = 1\n", 0o644)})
    code = asyncio.run(store.from_zip(data, "CreateFunction"))
    assert code.size == len(data) and len(code.sha256) == 44
    assert os.stat(os.path.join(code.root, "bootstrap")).st_mode & stat.S_IXUSR
    assert open(os.path.join(code.root, "lib", "x.py")).read() == "X = 1\n"
    assert asyncio.run(store.from_zip(data, "CreateFunction")).root == code.root
    with pytest.raises(ServiceError, match="Could not unzip"):
        asyncio.run(store.from_zip(_zip({"../escape.py": (b"", 0o644)}), "CreateFunction"))
    store.forget_unused([])
    assert not os.path.exists(code.root)


def test_tree_signature_follows_edits(tmp_path: object) -> None:
    root = str(tmp_path)
    path = os.path.join(root, "app.py")
    with open(path, "w") as file:
        file.write("a")
    before = tree_signature(root)
    assert tree_signature(root) == before
    os.makedirs(os.path.join(root, "__pycache__"))
    with open(os.path.join(root, "__pycache__", "app.pyc"), "w") as file:
        file.write("ignored")
    assert tree_signature(root) == before
    with open(path, "w") as file:
        file.write("ab")
    assert tree_signature(root) != before
