"""Seed 000's order-processing system on postoffice: its three tests, as the document states them."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

import pytest
import requests
from server import ServerProcess

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples", "order-processing"))

from deploy import Deployment, deploy  # noqa: E402

VALID_ORDER = {
    "customerId": "CUST-001",
    "items": [{"productId": "LAPTOP-001", "quantity": 1}, {"productId": "MOUSE-002", "quantity": 2}],
}


@pytest.fixture(scope="module")
def system() -> Any:
    server = ServerProcess(store="memory").start()
    try:
        yield server, deploy(server.endpoint)
    finally:
        server.stop()


def _messages(server: ServerProcess, function: str) -> list[str]:
    logs = server.client("logs")
    try:
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{function}")["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [event["message"] for event in events]


def _wait_for(server: ServerProcess, function: str, text: str, seconds: float = 30) -> list[str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        lines = _messages(server, function)
        if any(text in line for line in lines):
            return lines
        time.sleep(0.1)
    raise AssertionError(f"{function} never logged {text!r}; it logged {_messages(server, function)}")


def _post(deployment: Deployment, body: dict[str, Any]) -> requests.Response:
    return requests.post(f"{deployment.invoke_url}/orders", json=body, timeout=60)


def test_1_a_valid_order_reaches_both_consumers(system: Any) -> None:
    server, deployment = system
    answer = _post(deployment, VALID_ORDER)
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body["message"] == "Order accepted for processing"
    order_id = body["orderId"]
    assert order_id.startswith("ORD-") and len(order_id) == 12

    processed = "\n".join(_wait_for(server, "ProcessOrder", f"Order {order_id} processed successfully"))
    assert f"Order ID: {order_id}" in processed
    assert "Customer: CUST-001" in processed
    assert json.dumps(VALID_ORDER["items"]) in processed
    assert "Processing: LAPTOP-001 x 1" in processed and "Processing: MOUSE-002 x 2" in processed

    inventory = "\n".join(_wait_for(server, "UpdateInventory", f"Inventory updated for {order_id}"))
    assert f"=== Updating Inventory for Order {order_id} ===" in inventory
    assert "Reducing stock: LAPTOP-001 by 1 units" in inventory
    assert "Reducing stock: MOUSE-002 by 2 units" in inventory
    assert (
        server.client("sqs").get_queue_attributes(
            QueueUrl=deployment.queue_url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]["ApproximateNumberOfMessages"]
        == "0"
    )


@pytest.mark.parametrize(
    "body",
    [
        {"items": [{"productId": "LAPTOP-001", "quantity": 1}]},
        {"customerId": "CUST-001", "items": [{"productId": "LAPTOP-001", "quantity": 0}]},
    ],
    ids=["test_2_missing_customer_id", "test_3_quantity_zero"],
)
def test_invalid_orders_are_rejected_before_publish_order_runs(system: Any, body: dict[str, Any]) -> None:
    server, deployment = system
    starts_before = sum(line.startswith("START") for line in _messages(server, "PublishOrder"))
    answer = _post(deployment, body)
    assert answer.status_code == 400
    assert answer.json() == {"message": "Invalid request body"}
    time.sleep(0.2)
    assert sum(line.startswith("START") for line in _messages(server, "PublishOrder")) == starts_before
