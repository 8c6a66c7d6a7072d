"""API Gateway straight into SQS (seed 002: orders written to a queue with no Lambda in between,
seed 001: the OpenAPI definition with a form-encoded SendMessage template), and the other
AWS service integrations: SNS Publish and EventBridge PutEvents."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import requests
from server import ServerProcess

Client = Callable[..., Any]
ACCOUNT = "000000000000"

SEED_OPENAPI = f"""
openapi: 3.0.0
info:
  title: Order API
  version: 1.0.0

paths:
  /orders:
    post:
      summary: Submit order to queue
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:sqs:path/{ACCOUNT}/orders-queue
        credentials: arn:aws:iam::{ACCOUNT}:role/APIGatewaySQSRole
        requestParameters:
          integration.request.header.Content-Type: "'application/x-www-form-urlencoded'"
        requestTemplates:
          application/json: |
            Action=SendMessage&MessageBody=$util.urlEncode($input.body)&MessageAttribute.1.Name=source&MessageAttribute.1.Value.StringValue=api&MessageAttribute.1.Value.DataType=String
        responses:
          "200":
            statusCode: 202
            responseTemplates:
              application/json: |
                {{
                  "messageId": "$input.path('$.SendMessageResponse.SendMessageResult.MessageId')",
                  "status": "queued"
                }}
"""


def wait_for_messages(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    """Deliveries through SNS and EventBridge are asynchronous: long-poll until one arrives."""
    for _ in range(10):
        messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=2).get("Messages")
        if messages:
            return list(messages)
    raise AssertionError("nothing was delivered")


def orders_api(server: ServerProcess, queue: str = "orders") -> str:
    """Seed 002 built call by call: POST /orders -> SQS SendMessage, answering with the message id."""
    apigw = server.client("apigateway")
    api = apigw.create_rest_api(name="orders-api")
    resource = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="orders")["id"]
    keys = {"restApiId": api["id"], "resourceId": resource, "httpMethod": "POST"}
    apigw.put_method(**keys, authorizationType="NONE")
    apigw.put_integration(
        **keys,
        type="AWS",
        integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:us-east-1:sqs:path/{ACCOUNT}/{queue}",
        credentials=f"arn:aws:iam::{ACCOUNT}:role/apigw-sqs",
        requestParameters={"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"},
        requestTemplates={"application/json": "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"},
        passthroughBehavior="NEVER",
    )
    apigw.put_method_response(**keys, statusCode="200")
    apigw.put_method_response(**keys, statusCode="500")
    apigw.put_integration_response(
        **keys,
        statusCode="200",
        selectionPattern="2\\d{2}",
        responseTemplates={
            "application/json": "#set($r = $input.path('$.SendMessageResponse'))\n"
            '{"messageId": "$r.SendMessageResult.MessageId", '
            '"requestId": "$input.path(\'$.SendMessageResponse.ResponseMetadata.RequestId\')"}'
        },
    )
    apigw.put_integration_response(
        **keys, statusCode="500", selectionPattern="[45]\\d{2}",
        responseTemplates={"application/json": '{"error": "$input.path(\'$.Error.Code\')"}'},
    )  # fmt: skip
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    return str(api["id"])


def test_orders_flow_into_sqs_through_every_invocation_url(server: ServerProcess) -> None:
    sqs = server.client("sqs")
    queue_url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    api_id = orders_api(server)
    urls = [
        (f"{server.endpoint}/restapis/{api_id}/prod/_user_request_/orders", {}),
        (f"{server.endpoint}/_aws/execute-api/{api_id}/prod/orders", {}),
        (f"{server.endpoint}/prod/orders", {"Host": f"{api_id}.execute-api.localhost:{server.port}"}),
    ]
    sent = {}
    for number, (url, headers) in enumerate(urls):
        order = {"orderId": f"o-{number}", "items": [{"sku": "book", "qty": 1}], "note": "fast & free"}
        answer = requests.post(url, json=order, headers=headers)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert len(body["messageId"]) == 36 and len(body["requestId"]) == 36
        sent[body["messageId"]] = order
    received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert {message["MessageId"]: json.loads(message["Body"]) for message in received} == sent


def test_a_missing_queue_selects_the_error_response(server: ServerProcess) -> None:
    api_id = orders_api(server, queue="no-such-queue")
    answer = requests.post(f"{server.endpoint}/restapis/{api_id}/prod/_user_request_/orders", json={"a": 1})
    assert answer.status_code == 500
    assert answer.json() == {"error": "AWS.SimpleQueueService.NonExistentQueue"}


def test_passthrough_shows_the_sqs_json_answer_and_xml_when_asked(server: ServerProcess) -> None:
    sqs = server.client("sqs")
    sqs.create_queue(QueueName="orders")
    apigw = server.client("apigateway")
    api_id = orders_api(server)
    resource = next(item["id"] for item in apigw.get_resources(restApiId=api_id)["items"] if item["path"] == "/orders")
    keys = {"restApiId": api_id, "resourceId": resource, "httpMethod": "POST"}
    apigw.update_integration_response(
        **keys, statusCode="200", patchOperations=[{"op": "remove", "path": "/responseTemplates/application~1json"}]
    )
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    url = f"{server.endpoint}/restapis/{api_id}/prod/_user_request_/orders"
    answer = requests.post(url, json={"x": 1}).json()
    result = answer["SendMessageResponse"]["SendMessageResult"]
    assert set(result) == {
        "MD5OfMessageAttributes", "MD5OfMessageBody", "MD5OfMessageSystemAttributes", "MessageId", "SequenceNumber",
    }  # fmt: skip
    assert result["SequenceNumber"] is None and result["MD5OfMessageAttributes"] is None
    assert result["MD5OfMessageBody"] == hashlib.md5(b'{"x": 1}').hexdigest()
    assert answer["SendMessageResponse"]["ResponseMetadata"]["RequestId"]
    apigw.update_integration(
        **keys,
        patchOperations=[
            {"op": "add", "path": "/requestParameters/integration.request.header.Accept", "value": "'application/xml'"}
        ],
    )
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    xml = requests.post(url, json={"x": 2})
    assert xml.status_code == 200 and xml.text.startswith("<SendMessageResponse")
    assert "<MessageId>" in xml.text


def test_seed_openapi_definition_imports_and_queues_orders(server: ServerProcess) -> None:
    sqs = server.client("sqs")
    queue_url = sqs.create_queue(QueueName="orders-queue")["QueueUrl"]
    apigw = server.client("apigateway")
    api = apigw.import_rest_api(body=SEED_OPENAPI.encode())
    assert api["name"] == "Order API" and api["version"] == "1.0.0"
    resources = apigw.get_resources(restApiId=api["id"], embed=["methods"])["items"]
    integration = next(item for item in resources if item["path"] == "/orders")["resourceMethods"]["POST"][
        "methodIntegration"
    ]
    assert integration["type"] == "AWS" and integration["integrationResponses"]["202"]["selectionPattern"] == "200"
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    order = {"orderId": "o-9", "total": 42.5}
    answer = requests.post(f"{server.endpoint}/restapis/{api['id']}/prod/_user_request_/orders", json=order)
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body["status"] == "queued"
    message = sqs.receive_message(QueueUrl=queue_url, MessageAttributeNames=["All"])["Messages"][0]
    assert message["MessageId"] == body["messageId"]
    assert json.loads(message["Body"]) == order
    assert message["MessageAttributes"]["source"] == {"StringValue": "api", "DataType": "String"}


def test_sns_publish_by_action(server: ServerProcess, client: Client) -> None:
    sns = client("sns")
    topic = sns.create_topic(Name="events")["TopicArn"]
    sqs = client("sqs")
    queue_url = sqs.create_queue(QueueName="fan")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    apigw = client("apigateway")
    api = apigw.create_rest_api(name="notify")
    keys = {"restApiId": api["id"], "resourceId": api["rootResourceId"], "httpMethod": "POST"}
    apigw.put_method(**keys, authorizationType="NONE")
    apigw.put_integration(
        **keys,
        type="AWS",
        integrationHttpMethod="POST",
        uri="arn:aws:apigateway:us-east-1:sns:action/Publish",
        requestParameters={
            "integration.request.querystring.TopicArn": f"'{topic}'",
            "integration.request.querystring.Message": "method.request.body",
        },
        passthroughBehavior="WHEN_NO_TEMPLATES",
    )
    apigw.put_method_response(**keys, statusCode="200")
    apigw.put_integration_response(
        **keys, statusCode="200",
        responseTemplates={"application/json": '{"id": "$input.path(\'$.PublishResponse.PublishResult.MessageId\')"}'},
    )  # fmt: skip
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    answer = requests.post(f"{server.endpoint}/restapis/{api['id']}/prod/_user_request_/", json={"hello": "world"})
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["id"]) == 36
    messages = wait_for_messages(sqs, queue_url)
    assert json.loads(messages[0]["Body"]) == {"hello": "world"}


def test_eventbridge_put_events(server: ServerProcess, client: Client) -> None:
    events = client("events")
    sqs = client("sqs")
    queue_url = sqs.create_queue(QueueName="orders-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop.api"]}))
    events.put_targets(Rule="orders", Targets=[{"Id": "q", "Arn": queue_arn}])
    apigw = client("apigateway")
    api = apigw.create_rest_api(name="events-api")
    keys = {"restApiId": api["id"], "resourceId": api["rootResourceId"], "httpMethod": "POST"}
    apigw.put_method(**keys, authorizationType="NONE")
    template = (
        '{"Entries": [{"Source": "shop.api", "DetailType": "OrderPlaced", '
        '"Detail": "$util.escapeJavaScript($input.body)", "EventBusName": "default"}]}'
    )
    apigw.put_integration(
        **keys,
        type="AWS",
        integrationHttpMethod="POST",
        uri="arn:aws:apigateway:us-east-1:events:action/PutEvents",
        requestParameters={
            "integration.request.header.X-Amz-Target": "'AWSEvents.PutEvents'",
            "integration.request.header.Content-Type": "'application/x-amz-json-1.1'",
        },
        requestTemplates={"application/json": template},
    )
    apigw.put_method_response(**keys, statusCode="200")
    apigw.put_integration_response(**keys, statusCode="200")
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    answer = requests.post(f"{server.endpoint}/restapis/{api['id']}/prod/_user_request_/", json={"orderId": "o-1"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["FailedEntryCount"] == 0
    delivered = json.loads(wait_for_messages(sqs, queue_url)[0]["Body"])
    assert delivered["source"] == "shop.api" and delivered["detail"] == {"orderId": "o-1"}
