"""Drive wrk (Debian's `wrk` package) with a generated Lua script; parse its result line.

The script sends the scenario's request (with `${n}` replaced by a per-thread counter), counts
every answer outside 2xx as an error (wrk itself only counts >= 400), and prints one JSON line
from `done()`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from typing import Any

RESULT_MARK = "BENCH_RESULT "

_LUA_DONE = r"""
local threads = {}
function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end
function init(args)
  counter = (thread_id or 0) * 1000000000
  non2xx = 0
  statuses = {}
end
function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end
function done(summary, latency, requests)
  local non2xx_total = 0
  local merged = {}
  for _, thread in ipairs(threads) do
    non2xx_total = non2xx_total + thread:get("non2xx")
    for status, count in pairs(thread:get("statuses")) do
      merged[status] = (merged[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(merged) do
    table.insert(parts, string.format('"%d":%d', status, count))
  end
  local e = summary.errors
  io.write(string.format(
    '%s{"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,' ..
    '"non2xx":%d,"p50_us":%d,"p99_us":%d,"statuses":{%s}}\n',
    "BENCH_RESULT ", summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout,
    non2xx_total, latency:percentile(50), latency:percentile(99), table.concat(parts, ",")))
end
"""


def _lua_string(text: str) -> str:
    """A Lua string literal holding `text`'s UTF-8 bytes exactly."""
    out = []
    for byte in text.encode():
        if byte in (0x22, 0x5C) or byte < 0x20 or byte > 0x7E:
            out.append(f"\\{byte:03d}")
        else:
            out.append(chr(byte))
    return '"' + "".join(out) + '"'


def lua_script(method: str, headers: dict[str, str], body: str) -> str:
    lines = [f"wrk.method = {_lua_string(method)}"]
    lines += [f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()]
    if "${n}" in body:
        pieces = ", ".join(_lua_string(piece) for piece in body.split("${n}"))
        lines += [
            f"local pieces = {{{pieces}}}",
            "function request()",
            "  counter = counter + 1",
            "  return wrk.format(nil, nil, nil, table.concat(pieces, tostring(counter)))",
            "end",
        ]
    else:
        lines.append(f"wrk.body = {_lua_string(body)}")
    return "\n".join(lines) + "\n" + _LUA_DONE


def available() -> str | None:
    return shutil.which("wrk")


def ensure_installed(log: Any = print) -> str | None:
    """wrk's path; when missing, try Debian's package if we may (root with apt-get)."""
    path = available()
    if path or not shutil.which("apt-get") or os.geteuid() != 0:
        return path
    log("wrk is not installed: trying `apt-get install -y wrk` ...")
    for command in (
        ["apt-get", "install", "-y", "-qq", "wrk"],
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "wrk"],
    ):
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        path = available()
        if path:
            return path
    return None


def command(
    url: str, request: dict[str, Any], connections: int, duration: float, threads: int, script_dir: str | None = None
) -> tuple[list[str], str]:
    """The wrk command line and the path of its (temporary) Lua script."""
    fd, script = tempfile.mkstemp(prefix="bench-", suffix=".lua", dir=script_dir)
    with os.fdopen(fd, "w") as handle:
        handle.write(lua_script(request["method"], request["headers"], request["body"]))
    threads = max(1, min(threads, connections))
    args = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "10s",
        "-s",
        script,
        url.rstrip("/") + request["path"],
    ]
    return args, script


def parse(output: str) -> dict[str, Any]:
    """The generator-neutral result from wrk's output (same keys as bench.loadgen's)."""
    line = next((ln for ln in output.splitlines() if ln.startswith(RESULT_MARK)), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    raw = json.loads(line[len(RESULT_MARK) :])
    elapsed = raw["duration_us"] / 1e6
    failures = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    requests = raw["requests"]
    ok = requests - raw["non2xx"]
    statuses = dict(raw["statuses"])
    if ok:
        statuses["2xx"] = ok
    return {
        "requests": requests,
        "ok": ok,
        "errors": raw["non2xx"] + failures,
        "statuses": statuses,
        "failures": failures,
        "elapsed": round(elapsed, 3),
        "requests_per_s": round(requests / elapsed, 1),
        "rate": round(ok / elapsed, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 3),
        "p99_ms": round(raw["p99_us"] / 1000, 3),
    }
