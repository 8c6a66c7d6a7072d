"""UpdateInventory: drains the `inventory-updates` queue (batches of 5).

Each SQS record's body is the EventBridge event. A record that cannot be handled is reported
in batchItemFailures, so only that message returns to the queue.
"""

import json


def lambda_handler(event, context):
    failures = []
    for record in event.get("Records", []):
        try:
            detail = json.loads(record["body"]).get("detail", {})
            order_id = detail.get("orderId", "unknown")
            print(f"=== Updating Inventory for Order {order_id} ===")
            for item in detail.get("items", []):
                print(f"  Reducing stock: {item.get('productId', 'unknown')} by {item.get('quantity', 0)} units")
            print(f"=== Inventory updated for {order_id} ===")
        except Exception as error:
            print(f"Failed to process record: {error}")
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
