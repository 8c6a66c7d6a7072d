"""PublishOrder: takes an order from API Gateway (Lambda proxy) and announces it on the `orders` bus.

It does not process the order; it publishes an OrderPlaced event and answers 202. The call to
EventBridge is retried with exponential backoff and jitter, as the seed's second version does.
"""

import json
import random
import time
import uuid
from datetime import UTC, datetime

import boto3

events = boto3.client("events")


def with_backoff(call, attempts=4, first_delay=0.5):
    """Run `call`, retrying failures after base * 2**n seconds plus up to as much jitter."""
    for attempt in range(attempts):
        try:
            return call()
        except Exception as error:
            if attempt == attempts - 1:
                print(f"All {attempts} attempts failed. Last error: {error}")
                raise
            delay = first_delay * (2**attempt)
            pause = delay + random.uniform(0, delay)
            print(f"Attempt {attempt + 1} failed: {error}. Retrying in {pause:.2f}s...")
            time.sleep(pause)


def _answer(status, payload):
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(payload)}


def lambda_handler(event, context):
    try:
        order = json.loads(event.get("body") or "{}")
        order_id = "ORD-" + uuid.uuid4().hex[:8].upper()
        detail = {
            "orderId": order_id,
            "customerId": order["customerId"],
            "items": order["items"],
            "timestamp": datetime.now(UTC).replace(tzinfo=None).isoformat(),
        }

        def publish():
            answer = events.put_events(
                Entries=[
                    {
                        "Source": "orders.api",
                        "DetailType": "OrderPlaced",
                        "Detail": json.dumps(detail),
                        "EventBusName": "orders",
                    }
                ]
            )
            if answer["FailedEntryCount"]:
                raise RuntimeError(f"EventBridge rejected the event: {answer['Entries']}")
            return answer

        with_backoff(publish)
        return _answer(202, {"message": "Order accepted for processing", "orderId": order_id})
    except KeyError as missing:
        return _answer(400, {"error": f"Missing required field: {missing}"})
    except Exception as error:
        print(f"Failed to publish order event: {error}")
        return _answer(500, {"error": "Failed to process order. Please try again."})
