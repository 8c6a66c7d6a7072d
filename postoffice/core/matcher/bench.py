"""In-process matcher throughput: N events against a RuleSet of EventBridge-shaped rules.

    python -m postoffice.core.matcher.bench --events 20000 --rules 1000

Rules mix the operators the seed applications and AWS examples use: exact source and
detail-type, numeric ranges, prefixes, anything-but, exists, equals-ignore-case, wildcard
and `$or`. Events are EventBridge envelopes with a ~10-field detail.

`events_per_second` is wall-clock; `events_per_cpu_second` divides by this process's CPU time,
the per-core figure that holds when other work shares the machine.

Every event is a distinct object by default, so each one is read from memory, not the CPU
cache. `--distinct 200` cycles through 200 events instead: closer to a server, which matches an
event right after parsing it (the matches count then differs).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from typing import Any

from postoffice.core.matcher.compiler import compile_pattern
from postoffice.core.matcher.ruleset import RuleSet

SOURCES = [f"com.app{i}" for i in range(18)] + ["aws.ec2", "aws.s3"]
DETAIL_TYPES = [f"Event{i}" for i in range(40)]
STATES = ["pending", "running", "stopping", "stopped", "terminated"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-south-1"]


def make_rule(rng: random.Random) -> dict:
    detail: dict[str, Any] = {}
    kind = rng.randrange(8)
    if kind == 0:
        detail["state"] = rng.sample(STATES, 2)
    elif kind == 1:
        low = rng.randrange(0, 900)
        detail["amount"] = [{"numeric": [">", low, "<=", low + rng.randrange(10, 500)]}]
    elif kind == 2:
        detail["object"] = {"key": [{"prefix": f"uploads/{rng.randrange(20)}/"}]}
    elif kind == 3:
        detail["status"] = [{"anything-but": ["cancelled", "failed"]}]
        detail["customer"] = {"tier": [{"equals-ignore-case": rng.choice(["GOLD", "Silver"])}]}
    elif kind == 4:
        detail["trace"] = [{"exists": rng.random() < 0.5}]
        detail["region"] = [rng.choice(REGIONS)]
    elif kind == 5:
        detail["object"] = {"key": [{"wildcard": f"uploads/*/{rng.randrange(20)}.png"}]}
    elif kind == 6:
        detail["$or"] = [{"state": [rng.choice(STATES)]}, {"amount": [{"numeric": [">=", rng.randrange(1000)]}]}]
    else:
        detail["items"] = {"sku": [f"SKU-{rng.randrange(100)}"]}
    return {"source": [rng.choice(SOURCES)], "detail-type": [rng.choice(DETAIL_TYPES)], "detail": detail}


def make_event(rng: random.Random) -> dict:
    return {
        "version": "0",
        "id": f"{rng.getrandbits(64):016x}",
        "source": rng.choice(SOURCES),
        "detail-type": rng.choice(DETAIL_TYPES),
        "account": "000000000000",
        "time": "2026-01-01T00:00:00Z",
        "region": rng.choice(REGIONS),
        "resources": [],
        "detail": {
            "state": rng.choice(STATES),
            "amount": round(rng.uniform(0, 1500), 2),
            "status": rng.choice(["ok", "cancelled", "failed", "done"]),
            "region": rng.choice(REGIONS),
            "customer": {"id": rng.randrange(10**6), "tier": rng.choice(["gold", "silver", "bronze"])},
            "object": {"key": f"uploads/{rng.randrange(20)}/{rng.randrange(20)}.png", "size": rng.randrange(10**6)},
            "items": [{"sku": f"SKU-{rng.randrange(100)}", "qty": rng.randrange(1, 5)} for _ in range(3)],
            **({"trace": "abc"} if rng.random() < 0.5 else {}),
        },
    }


def run(events: int = 20000, rules: int = 1000, seed: int = 7, distinct: int | None = None) -> dict[str, float]:
    rng = random.Random(seed)
    rule_set: RuleSet[str] = RuleSet()
    for index in range(rules):
        rule_set.add(f"rule-{index}", compile_pattern(make_rule(rng), "eventbridge"))
    pool = [make_event(rng) for _ in range(min(events, distinct or events))]
    samples = [pool[index % len(pool)] for index in range(events)]
    rule_set.matching(samples[0])
    matched = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    for event in samples:
        matched += len(rule_set.matching(event))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    return {
        "events": events,
        "rules": rules,
        "seconds": round(elapsed, 4),
        "events_per_second": round(events / elapsed),
        "cpu_seconds": round(cpu, 4),
        "events_per_cpu_second": round(events / cpu) if cpu > 0 else None,
        "matches": matched,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--distinct", type=int, help="distinct events, cycled through (default: all distinct)")
    args = parser.parse_args()
    print(json.dumps(run(args.events, args.rules, args.seed, args.distinct)))


if __name__ == "__main__":
    main()
