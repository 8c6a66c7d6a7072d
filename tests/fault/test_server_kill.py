"""kill -9 right after acknowledged writes: every acknowledged change is there after restart.

Control-plane writes of several services (IAM roles, SQS queues, log events) are issued from
threads; the server is killed with SIGKILL while they run, restarted on the same data
directory, and every write the server answered with a 2xx must be found.
"""

from __future__ import annotations

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))

from server import ServerProcess  # noqa: E402

TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'  # noqa: E501


def test_acknowledged_writes_survive_sigkill(tmp_path) -> None:
    server = ServerProcess(store="sqlite", data_dir=str(tmp_path)).start()
    acknowledged: dict[str, list[str]] = {"roles": [], "queues": [], "events": []}
    lock = threading.Lock()
    stop = threading.Event()

    def create_roles(worker: int) -> None:
        iam = server.client("iam")
        n = 0
        while not stop.is_set():
            name = f"role-{worker}-{n}"
            try:
                iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
            except Exception:
                return
            with lock:
                acknowledged["roles"].append(name)
            n += 1

    def create_queues(worker: int) -> None:
        sqs = server.client("sqs")
        n = 0
        while not stop.is_set():
            name = f"q-{worker}-{n}"
            try:
                sqs.create_queue(QueueName=name)
            except Exception:
                return
            with lock:
                acknowledged["queues"].append(name)
            n += 1

    def put_log_events(worker: int) -> None:
        logs = server.client("logs")
        group, stream = f"/kill/{worker}", "s"
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        n = 0
        while not stop.is_set():
            try:
                logs.put_log_events(
                    logGroupName=group,
                    logStreamName=stream,
                    logEvents=[{"timestamp": int(time.time() * 1000), "message": f"{worker}-{n}"}],
                )
            except Exception:
                return
            with lock:
                acknowledged["events"].append(f"{worker}-{n}")
            n += 1

    threads = [
        threading.Thread(target=target, args=(worker,))
        for target in (create_roles, create_queues, put_log_events)
        for worker in range(2)
    ]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    server.kill()
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    restarted = ServerProcess(store="sqlite", data_dir=str(tmp_path)).start()
    try:
        iam = restarted.client("iam")
        roles = {r["RoleName"] for page in iam.get_paginator("list_roles").paginate() for r in page["Roles"]}
        queues = {
            url.rsplit("/", 1)[1] for url in restarted.client("sqs").list_queues(MaxResults=1000).get("QueueUrls", [])
        }
        logs = restarted.client("logs")
        events = {
            e["message"]
            for worker in range(2)
            for e in logs.filter_log_events(logGroupName=f"/kill/{worker}", limit=10000)["events"]
        }
    finally:
        restarted.stop()

    assert min(len(v) for v in acknowledged.values()) > 10, {k: len(v) for k, v in acknowledged.items()}
    assert [r for r in acknowledged["roles"] if r not in roles] == []
    assert [q for q in acknowledged["queues"] if q not in queues] == []
    assert [e for e in acknowledged["events"] if e not in events] == []
