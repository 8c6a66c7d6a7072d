"""ProcessOrder: reacts to OrderPlaced events routed by the `route-to-process-order` rule.

It knows nothing of who published the event: it reads the order from the event's detail and
logs what it processes.
"""

import json


def lambda_handler(event, context):
    detail = event.get("detail", {})
    order_id = detail.get("orderId", "unknown")
    items = detail.get("items", [])
    print("=== Processing Order ===")
    print(f"Order ID: {order_id}")
    print(f"Customer: {detail.get('customerId', 'unknown')}")
    print(f"Items: {json.dumps(items)}")
    print(f"Total items: {len(items)}")
    for item in items:
        print(f"  Processing: {item.get('productId')} x {item.get('quantity')}")
    print(f"=== Order {order_id} processed successfully ===")
    return {"statusCode": 200, "body": json.dumps({"orderId": order_id, "status": "processed"})}
