"""Build the order-processing system of seed 000 on postoffice, with boto3 only.

API Gateway `OrdersAPI` (POST /orders, body validated against CreateOrderModel)
  -> Lambda PublishOrder -> EventBridge bus `orders`
       -> rule route-to-process-order  -> Lambda ProcessOrder
       -> rule route-to-inventory-queue -> SQS inventory-updates -> Lambda UpdateInventory
                                            (batch size 5, ReportBatchItemFailures)

Usage: python deploy.py [--endpoint http://127.0.0.1:4566]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import zipfile
from dataclasses import dataclass
from typing import Any

import boto3

HERE = os.path.dirname(os.path.abspath(__file__))
REGION = "us-east-1"
RUNTIME = "python3.12"

LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
FUNCTIONS = {
    "PublishOrder": ("publish_order.py", ["arn:aws:iam::aws:policy/AmazonEventBridgeFullAccess"]),
    "ProcessOrder": ("process_order.py", []),
    "UpdateInventory": ("update_inventory.py", ["arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"]),
}
ORDER_PLACED = {"source": ["orders.api"], "detail-type": ["OrderPlaced"]}
CREATE_ORDER_MODEL = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "required": ["customerId", "items"],
    "properties": {
        "customerId": {"type": "string", "minLength": 1},
        "items": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["productId", "quantity"],
                "properties": {"productId": {"type": "string"}, "quantity": {"type": "integer", "minimum": 1}},
            },
        },
    },
}


@dataclass
class Deployment:
    api_id: str
    invoke_url: str
    queue_url: str
    function_arns: dict[str, str]


def _clients(endpoint: str) -> dict[str, Any]:
    options = {
        "endpoint_url": endpoint,
        "region_name": REGION,
        "aws_access_key_id": os.environ.get("AWS_ACCESS_KEY_ID", "test"),
        "aws_secret_access_key": os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
    }
    names = ["iam", "lambda", "events", "sqs", "apigateway", "sts"]
    return {name: boto3.client(name, **options) for name in names}


def _zip(handler_file: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(os.path.join(HERE, "handlers", handler_file), "lambda_function.py")
    return buffer.getvalue()


def _role(iam: Any, name: str, policies: list[str]) -> str:
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]
    for policy in [BASIC_EXECUTION, *policies]:
        iam.attach_role_policy(RoleName=role["RoleName"], PolicyArn=policy)
    return str(role["Arn"])


def deploy(endpoint: str) -> Deployment:
    c = _clients(endpoint)
    account = c["sts"].get_caller_identity()["Account"]

    arns: dict[str, str] = {}
    for name, (handler_file, policies) in FUNCTIONS.items():
        role_arn = _role(c["iam"], name, policies)
        arns[name] = c["lambda"].create_function(
            FunctionName=name,
            Runtime=RUNTIME,
            Role=role_arn,
            Handler="lambda_function.lambda_handler",
            Code={"ZipFile": _zip(handler_file)},
            Timeout=30,
        )["FunctionArn"]
        c["lambda"].get_waiter("function_active_v2").wait(FunctionName=name)

    c["events"].create_event_bus(Name="orders")
    queue_arn = f"arn:aws:sqs:{REGION}:{account}:inventory-updates"
    access_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowEventBridge",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
            }
        ],
    }
    queue_url = c["sqs"].create_queue(QueueName="inventory-updates", Attributes={"Policy": json.dumps(access_policy)})[
        "QueueUrl"
    ]
    c["lambda"].create_event_source_mapping(
        FunctionName="UpdateInventory",
        EventSourceArn=queue_arn,
        BatchSize=5,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )

    rules = {
        "route-to-process-order": ("Routes OrderPlaced events to the ProcessOrder function", arns["ProcessOrder"]),
        "route-to-inventory-queue": ("Routes OrderPlaced events to the inventory SQS queue", queue_arn),
    }
    for rule, (description, target) in rules.items():
        rule_arn = c["events"].put_rule(
            Name=rule, EventBusName="orders", EventPattern=json.dumps(ORDER_PLACED), Description=description
        )["RuleArn"]
        if target.startswith("arn:aws:lambda:"):
            c["lambda"].add_permission(
                FunctionName="ProcessOrder",
                StatementId=f"{rule}-invoke",
                Action="lambda:InvokeFunction",
                Principal="events.amazonaws.com",
                SourceArn=rule_arn,
            )
        c["events"].put_targets(Rule=rule, EventBusName="orders", Targets=[{"Id": "1", "Arn": target}])

    api = c["apigateway"]
    api_id = api.create_rest_api(
        name="OrdersAPI", description="Order processing API", endpointConfiguration={"types": ["REGIONAL"]}
    )["id"]
    root = next(item["id"] for item in api.get_resources(restApiId=api_id)["items"] if item["path"] == "/")
    orders = api.create_resource(restApiId=api_id, parentId=root, pathPart="orders")["id"]
    api.create_model(
        restApiId=api_id, name="CreateOrderModel", contentType="application/json", schema=json.dumps(CREATE_ORDER_MODEL)
    )
    validator = api.create_request_validator(
        restApiId=api_id, name="Validate body", validateRequestBody=True, validateRequestParameters=False
    )["id"]
    api.put_method(
        restApiId=api_id,
        resourceId=orders,
        httpMethod="POST",
        authorizationType="NONE",
        requestValidatorId=validator,
        requestModels={"application/json": "CreateOrderModel"},
    )
    api.put_integration(
        restApiId=api_id,
        resourceId=orders,
        httpMethod="POST",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arns['PublishOrder']}/invocations",
    )
    c["lambda"].add_permission(
        FunctionName="PublishOrder",
        StatementId="orders-api-invoke",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{REGION}:{account}:{api_id}/*/POST/orders",
    )
    api.create_deployment(restApiId=api_id, stageName="dev")
    invoke_url = f"{endpoint.rstrip('/')}/restapis/{api_id}/dev/_user_request_"
    return Deployment(api_id=api_id, invoke_url=invoke_url, queue_url=queue_url, function_arns=arns)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"))
    deployment = deploy(parser.parse_args().endpoint)
    print(f"OrdersAPI deployed: POST {deployment.invoke_url}/orders")


if __name__ == "__main__":
    main()
