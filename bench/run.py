"""Run the benchmark scenarios and print a table.

    python -m bench.run                      # every scenario (those whose service is missing: skipped)
    python -m bench.run floor json query     # these only
    python -m bench.run --list

Each scenario gets a fresh server in a child process (pinned to CPU 0 on a machine with two
or more CPUs); the load generator runs in its own process (pinned to the last CPU): wrk when
installed, else bench.loadgen. Every answer outside 2xx counts as an error.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from bench import wrk
from bench.scenarios import SCENARIOS, Request, Scenario, by_name
from bench.servers import REPOSITORY, ChildServer, Placement, machine_busy_seconds


class SetupFailed(Exception):
    pass


@dataclass
class Plan:
    generator: str  # "wrk" or "python"
    connections: int
    duration: float
    warmup: float
    repeat: int
    pick: str
    server: Placement
    client: Placement


@dataclass
class Row:
    scenario: Scenario
    pick: str = "best"
    runs: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""

    @property
    def result(self) -> dict[str, Any] | None:
        """The best run, or the median one: by rate per server core (other work on a shared
        machine only ever lowers it), or for a latency scenario by p99."""
        if not self.runs:
            return None
        if self.scenario.loop == "send-receive":
            ordered = sorted(self.runs, key=lambda run: -run["p99_ms"])
        else:
            ordered = sorted(self.runs, key=per_core)
        return ordered[-1] if self.pick == "best" else ordered[(len(ordered) - 1) // 2]

    @property
    def errors(self) -> int:
        return sum(run["errors"] for run in self.runs)


def _camel_to_snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def run_setup(endpoint: str, requests: tuple[Request, ...]) -> dict[str, str]:
    """Send the setup requests; top-level string fields of the answers become template values."""
    values: dict[str, str] = {}
    for template in requests:
        request = template.fill(values)
        http = urllib.request.Request(
            endpoint + request.path, data=request.body.encode(), method=request.method, headers=request.headers
        )
        try:
            with urllib.request.urlopen(http, timeout=30) as answer:
                payload = answer.read()
        except urllib.error.HTTPError as error:
            raise SetupFailed(f"setup answered {error.code}: {error.read()[:200]!r}") from None
        try:
            data = json.loads(payload or b"{}")
        except ValueError:
            data = {}
        values |= (
            {_camel_to_snake(k): v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}
        )
    return values


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _spawn(args: list[str], placement: Placement, stdin: str | None = None) -> str:
    done = subprocess.run(
        args,
        input=stdin,
        capture_output=True,
        text=True,
        preexec_fn=placement.preexec(),
        cwd=REPOSITORY,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def generate(
    plan: Plan,
    server: ChildServer,
    request: Request | None,
    mode: str,
    duration: float,
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One generator run; adds the server's and the generator's CPU use over it."""
    server_before, client_before, busy_before = server.cpu_seconds(), _cpu_children(), machine_busy_seconds()
    began = time.perf_counter()
    if mode == "closed" and plan.generator == "wrk":
        assert request is not None
        threads = len(plan.client.cpus) if plan.client.cpus else 2
        args, script = wrk.command(server.endpoint, request.to_json(), plan.connections, duration, threads)
        try:
            result = wrk.parse(_spawn(args, plan.client))
        finally:
            os.unlink(script)
    else:
        spec = {
            "port": server.port,
            "mode": mode,
            "connections": plan.connections if mode != "prefill" else 16,
            "duration": duration,
            "request": request.to_json() if request else None,
            "options": options,
        }
        result = json.loads(_spawn([sys.executable, "-m", "bench.loadgen"], plan.client, json.dumps(spec)))
    wall = time.perf_counter() - began
    server_cpu = server.cpu_seconds() - server_before
    client_cpu = _cpu_children() - client_before
    result["server_cpu"] = round(100 * server_cpu / wall)
    result["client_cpu"] = round(100 * client_cpu / wall)
    result["other_cpu"] = round(100 * max(0.0, machine_busy_seconds() - busy_before - server_cpu - client_cpu) / wall)
    return result


def run_scenario(plan: Plan, row: Row, round_number: int, log: Any) -> None:
    """One measured run of the row's scenario on a fresh server, appended to the row."""
    scenario = row.scenario
    ok, why = scenario.available()
    if not ok:
        row.note = f"skipped: {why}"
        return
    server = ChildServer.for_scenario(scenario, plan.server)
    try:
        server.start()
        values = run_setup(server.endpoint, scenario.setup)
        request = scenario.request.fill(values) if scenario.request else None
        mode = scenario.loop or "closed"
        if mode == "closed" and plan.warmup > 0:
            generate(plan, server, request, mode, plan.warmup)
        options = {**scenario.loop_options, **values}
        if "prefill_per_second" in options:
            options["prefill"] = min(1_000_000, int(options["prefill_per_second"] * plan.duration))
            generate(plan, server, request, "prefill", 0, options)
        run = generate(plan, server, request, mode, plan.duration, options)
        log(
            f"  {scenario.name} round {round_number}: {run['rate']:,.0f} {scenario.unit}, p50 {run['p50_ms']} ms, "
            f"p99 {run['p99_ms']} ms, errors {run['errors']}, server CPU {run['server_cpu']}%, "
            f"other CPU {run['other_cpu']}%"
        )
        row.runs.append(run)
        if run["errors"]:
            tail = server.log_tail(5).strip()
            row.note = f"statuses {run['statuses']}" + (f"; server log: {tail[-300:]}" if tail else "")
    except (SetupFailed, RuntimeError) as exc:
        text = str(exc)
        row.note = f"failed: {text.splitlines()[0]} ... {text[-300:]}" if len(text) > 400 else f"failed: {text}"
    finally:
        server.stop()


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def describe(plan: Plan) -> str:
    pin = (
        f"server on CPU {sorted(plan.server.cpus)}, generator on CPU {sorted(plan.client.cpus)}"
        if plan.server.cpus and plan.client.cpus
        else "not pinned"
    )
    return (
        f"machine: {os.cpu_count()} CPUs ({_cpu_model()}), Python {platform.python_version()}, {platform.system()}\n"
        f"generator: {plan.generator}, {plan.connections} keep-alive connections, {plan.duration:g}s runs "
        f"after {plan.warmup:g}s warm-up, {plan.repeat} round(s), fresh server each ({plan.pick} run shown); {pin}"
    )


def per_core(result: dict[str, Any]) -> float:
    """The rate per second of server CPU: what the server does with a whole core, even when
    other work on a shared machine took part of it."""
    return result["rate"] * 100 / max(result["server_cpu"], 1)


def table(rows: list[Row]) -> str:
    floor = next((r.result for r in rows if r.scenario.name == "floor" and r.result), None)
    header = [
        "scenario",
        "rate",
        "p50 ms",
        "p99 ms",
        "errors",
        "server CPU",
        "client CPU",
        "other CPU",
        "per server core",
        "vs floor",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    notes = []
    for row in rows:
        result = row.result
        if result is None:
            lines.append("| " + " | ".join([row.scenario.title] + ["-"] * (len(header) - 1)) + " |")
        else:
            core = "-"
            if row.scenario.loop != "send-receive":
                core = f"{per_core(result):,.0f}"
                if len(row.runs) > 1:
                    cores = [per_core(run) for run in row.runs]
                    core += f" (±{(max(cores) - min(cores)) / 2 / statistics.median(cores) * 100:.0f}%)"
            messages = ""
            if row.scenario.messages_per_request > 1:
                messages = f" = {result['rate'] * row.scenario.messages_per_request:,.0f} msg/s"
            ratio = "-"
            if (
                floor
                and row.scenario.unit == "req/s"
                and row.scenario.messages_per_request == 1
                and result is not floor
            ):
                ratio = f"{100 * per_core(result) / per_core(floor):.0f}%"
            cells = [
                row.scenario.title,
                f"{result['rate']:,.0f} {row.scenario.unit}" + messages,
                f"{result['p50_ms']:.2f}",
                f"{result['p99_ms']:.2f}",
                f"{row.errors:,}",
                f"{result['server_cpu']}%",
                f"{result['client_cpu']}%",
                f"{result['other_cpu']}%",
                core,
                ratio,
            ]
            lines.append("| " + " | ".join(cells) + " |")
        if row.note:
            notes.append(f"- {row.scenario.name}: {row.note}")
    return "\n".join(lines + ([""] + notes if notes else []))


def choose_generator(wanted: str, log: Any) -> str:
    if wanted == "python":
        return "python"
    path = wrk.ensure_installed(log)
    if path:
        return "wrk"
    if wanted == "wrk":
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk)")
    log(
        "wrk is not installed and could not be installed (Debian: apt-get install -y wrk): "
        "using the Python generator, whose own CPU cost lowers the figures"
    )
    return "python"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", help="scenario names (default: all but the calibration ones)")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measured run (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of unmeasured load first (default 2)")
    parser.add_argument("--connections", type=int, default=64, help="keep-alive connections (default 64)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds over all scenarios (each on a fresh server); see --pick"
    )
    parser.add_argument(
        "--pick", choices=["best", "median"], default="best", help="which of the repeated runs the table shows"
    )
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--no-pin", action="store_true", help="do not pin server and generator to CPUs")
    parser.add_argument("--json", metavar="FILE", help="also write every run's figures to FILE")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        for scenario in SCENARIOS:
            ok, why = scenario.available()
            flags = ("" if ok else f"  [{why}]") + ("" if scenario.by_default else "  [only when named]")
            print(f"{scenario.name:28} {scenario.title}{flags}")
        return 0

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    scenarios = by_name(args.scenarios) if args.scenarios else [s for s in SCENARIOS if s.by_default]
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    pin = not args.no_pin and len(cpus) >= 2
    plan = Plan(
        generator=choose_generator(args.generator, log),
        connections=args.connections,
        duration=args.duration,
        warmup=args.warmup,
        repeat=max(1, args.repeat),
        pick=args.pick,
        server=Placement(frozenset({cpus[0]}) if pin else None),
        client=Placement(frozenset({cpus[-1]}) if pin else None),
    )
    log(describe(plan))
    rows = [Row(scenario, plan.pick) for scenario in scenarios]
    for round_number in range(1, plan.repeat + 1):
        for row in rows:
            if round_number == 1 or row.runs:
                log(f"{row.scenario.name}: {row.scenario.title}")
                run_scenario(plan, row, round_number, log)
    print(describe(plan))
    print()
    print(table(rows))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(
                {
                    "plan": describe(plan),
                    "rows": [{"scenario": r.scenario.name, "runs": r.runs, "note": r.note} for r in rows],
                },
                handle,
                indent=2,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
