"""`make demo`: the order-processing system end to end, on postoffice.

Starts postoffice (memory store) unless one already answers at the endpoint, deploys the
system, sends the seed's three test requests and prints the answers and what the two
consumers logged for the accepted order.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

import boto3

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from deploy import REGION, deploy  # noqa: E402

ENDPOINT = os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
TESTS = [
    (
        "Test 1 | Valid order",
        {
            "customerId": "CUST-001",
            "items": [{"productId": "LAPTOP-001", "quantity": 1}, {"productId": "MOUSE-002", "quantity": 2}],
        },  # noqa: E501
    ),
    ("Test 2 | Invalid request (missing customerId)", {"items": [{"productId": "LAPTOP-001", "quantity": 1}]}),
    (
        "Test 3 | Invalid request (quantity is 0)",
        {"customerId": "CUST-001", "items": [{"productId": "LAPTOP-001", "quantity": 0}]},
    ),
]


def answering(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/_postoffice/health", timeout=1):
            return True
    except OSError:
        return False


def start_server(endpoint: str) -> subprocess.Popen[bytes]:
    port = endpoint.rsplit(":", 1)[1].rstrip("/")
    server = subprocess.Popen([sys.executable, "-m", "postoffice.cli", "serve", "--store", "memory", "--port", port])
    deadline = time.monotonic() + 20
    while not answering(endpoint):
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("postoffice did not start")
        time.sleep(0.05)
    return server


def post(url: str, payload: dict[str, Any]) -> tuple[int, str]:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def log_lines(logs: Any, function: str, order_id: str, wait_seconds: float = 30) -> list[str]:
    """The function's log lines from START to END of the run that handled `order_id`."""
    group = f"/aws/lambda/{function}"
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        try:
            events = logs.filter_log_events(logGroupName=group)["events"]
        except logs.exceptions.ResourceNotFoundException:
            events = []
        lines = [event["message"].rstrip("\n") for event in events]
        if any(f"Inventory updated for {order_id}" in line or f"Order {order_id} processed" in line for line in lines):
            return [line for line in lines if line.startswith(("===", "  ", "Order ID", "Customer", "Items", "Total"))]
        time.sleep(0.2)
    return []


def main() -> None:
    server = None if answering(ENDPOINT) else start_server(ENDPOINT)
    try:
        deployment = deploy(ENDPOINT)
        url = f"{deployment.invoke_url}/orders"
        print(f"\nDeployed OrdersAPI: POST {url}\n")
        accepted = None
        for title, body in TESTS:
            status, answer = post(url, body)
            print(f"{title}\n  {status} {answer}\n")
            if status == 202:
                accepted = json.loads(answer)["orderId"]
        logs = boto3.client(
            "logs", endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test"
        )
        if accepted:
            for function in ("ProcessOrder", "UpdateInventory"):
                print(f"/aws/lambda/{function}:")
                for line in log_lines(logs, function, accepted):
                    print(f"  {line}")
                print()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
