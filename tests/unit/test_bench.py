"""The benchmark harness: request building, result parsing, and short real runs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import httptools
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench import wrk  # noqa: E402
from bench.http_client import request_factory  # noqa: E402
from bench.loadgen import percentile  # noqa: E402
from bench.run import main as bench_main  # noqa: E402
from bench.run import run_setup  # noqa: E402
from bench.scenarios import SCENARIOS, Request, by_name  # noqa: E402
from bench.servers import ChildServer  # noqa: E402


def _parse(raw: bytes) -> tuple[dict[bytes, bytes], bytes]:
    found: dict[str, object] = {"headers": {}, "body": b""}

    class Sink:
        def on_header(self, name: bytes, value: bytes) -> None:
            found["headers"][name.lower()] = value  # type: ignore[index]

        def on_body(self, body: bytes) -> None:
            found["body"] += body  # type: ignore[operator]

    httptools.HttpRequestParser(Sink()).feed_data(raw)
    return found["headers"], found["body"]  # type: ignore[return-value]


def test_request_factory_puts_the_counter_in_the_body_and_counts_its_length() -> None:
    build = request_factory("POST", "/", "h:1", {"Content-Type": "application/json"}, '{"n":"${n}-${n}"}')
    headers, body = _parse(build(12345))
    assert body == b'{"n":"12345-12345"}'
    assert headers[b"content-length"] == str(len(body)).encode()
    assert headers[b"host"] == b"h:1"


def test_a_constant_body_is_built_once() -> None:
    build = request_factory("POST", "/", "h:1", {}, "Action=X")
    assert build(1) is build(2)


def test_scenario_templates_keep_n_for_the_generator_and_fill_setup_values() -> None:
    send = by_name(["sqs-send-memory"])[0].request
    assert send is not None
    filled = send.fill({"queue_url": "http://q/000000000000/a"})
    body = json.loads(filled.body.replace("${n}", "1"))
    assert body["QueueUrl"] == "http://q/000000000000/a"
    assert body["MessageBody"].startswith("order-1 ")
    assert filled.headers["X-Amz-Target"] == "AmazonSQS.SendMessage"


def test_every_scenario_has_a_request_or_a_loop_and_a_unique_name() -> None:
    names = [s.name for s in SCENARIOS]
    assert len(names) == len(set(names))
    assert all((s.request is None) != (s.loop == "") for s in SCENARIOS)
    with pytest.raises(SystemExit):
        by_name(["no-such-scenario"])


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.50) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([], 0.5) == 0.0


def test_lua_strings_hold_the_exact_bytes() -> None:
    assert wrk._lua_string('a"b\\c\né') == '"a\\034b\\092c\\010\\195\\169"'


def test_wrk_result_line_counts_every_non_2xx_as_an_error() -> None:
    line = (
        'BENCH_RESULT {"requests":1000,"duration_us":2000000,"connect":0,"read":1,"write":0,"timeout":2,'
        '"non2xx":7,"p50_us":1500,"p99_us":9000,"statuses":{"500":3,"302":4}}'
    )
    result = wrk.parse("Running 2s test\n" + line + "\n")
    assert result["errors"] == 10
    assert result["statuses"] == {"500": 3, "302": 4, "2xx": 993}
    assert result["rate"] == 496.5
    assert (result["p50_ms"], result["p99_ms"]) == (1.5, 9.0)


def _loadgen(spec: dict[str, object]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.loadgen"], input=json.dumps(spec), capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def floor_server():
    server = ChildServer("floor").start()
    yield server
    server.stop()


def test_python_generator_drives_the_floor_without_errors(floor_server: ChildServer) -> None:
    request = by_name(["floor"])[0].request
    assert request is not None
    result = _loadgen({"port": floor_server.port, "connections": 8, "duration": 0.5, "request": request.to_json()})
    assert result["errors"] == 0
    assert result["requests"] > 100
    assert 0 < result["p50_ms"] <= result["p99_ms"]


def test_python_generator_counts_refusals_as_errors(server) -> None:
    request = Request("POST", "/", {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "Nope.Op"}, "{}")
    result = _loadgen({"port": server.port, "connections": 2, "duration": 0.3, "request": request.to_json()})
    assert result["requests"] > 0
    assert result["errors"] == result["requests"]
    assert set(result["statuses"]) == {"400"}


@pytest.mark.parametrize("generator", ["python", "wrk"])
def test_run_prints_a_table_with_the_floor(generator: str, capsys: pytest.CaptureFixture[str]) -> None:
    if generator == "wrk" and shutil.which("wrk") is None:
        pytest.skip("wrk is not installed")
    arguments = ["floor", "--duration", "1", "--warmup", "0", "--connections", "4", "--generator", generator]
    assert bench_main(arguments) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("| floor"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[1].endswith("req/s") and cells[1] != "0 req/s"
    assert cells[4] == "0"
    assert f"generator: {generator}" in out


def test_sqs_loops_receive_and_delete_everything_and_time_arrivals(server) -> None:
    scenario = by_name(["sqs-receive-delete-memory"])[0]
    values = run_setup(server.endpoint, scenario.setup)
    base = {"port": server.port, "connections": 4, "duration": 5, "options": {**values, "prefill": 200}}
    filled = _loadgen({**base, "mode": "prefill"})
    assert (filled["requests"], filled["errors"]) == (20, 0)
    drained = _loadgen({**base, "mode": "receive-delete"})
    assert drained["messages"] == 200
    assert drained["errors"] == 0
    latency = _loadgen(
        {**base, "mode": "send-receive", "duration": 0.5, "options": {**values, "rate": 100, "consumers": 2}}
    )
    assert latency["sent"] == latency["received"] >= 40
    assert latency["errors"] == 0
    assert 0 < latency["p50_ms"] <= latency["p99_ms"]
