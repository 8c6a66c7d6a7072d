"""EventBridge state survives a restart on the SQLite store (and a kill -9)."""

from __future__ import annotations

import json
import tempfile

from server import ServerProcess
from test_events_support import entry, make_queue, receive


def test_buses_rules_targets_archives_and_schedules_survive_a_kill() -> None:
    data_dir = tempfile.mkdtemp(prefix="postoffice-events-")
    first = ServerProcess(store="sqlite", clock="virtual", data_dir=data_dir).start()
    try:
        events, sqs = first.client("events"), first.client("sqs")
        bus_arn = events.create_event_bus(Name="orders")["EventBusArn"]
        url, arn = make_queue(sqs, "inventory-updates")
        events.put_rule(Name="route", EventBusName="orders", EventPattern=json.dumps({"source": ["orders.api"]}))
        events.put_targets(Rule="route", EventBusName="orders", Targets=[{"Id": "q", "Arn": arn}])
        events.put_rule(Name="tick", ScheduleExpression="rate(1 minute)")
        events.put_targets(Rule="tick", Targets=[{"Id": "q", "Arn": arn, "Input": '{"tick": true}'}])
        events.create_archive(ArchiveName="keep", EventSourceArn=bus_arn)
        events.put_events(Entries=[entry("orders.api", "OrderPlaced", {"n": 1}, bus="orders")])
        assert len(receive(sqs, url, 1)) == 1
    finally:
        first.kill()
    second = ServerProcess(store="sqlite", clock="virtual", data_dir=data_dir).start()
    try:
        events, sqs = second.client("events"), second.client("sqs")
        url = sqs.get_queue_url(QueueName="inventory-updates")["QueueUrl"]
        assert [rule["Name"] for rule in events.list_rules(EventBusName="orders")["Rules"]] == [
            "Events-Archive-keep",
            "route",
        ]
        assert events.describe_archive(ArchiveName="keep")["EventCount"] == 1
        events.put_events(Entries=[entry("orders.api", "OrderPlaced", {"n": 2}, bus="orders")])
        assert json.loads(receive(sqs, url, 1)[0]["Body"])["detail"] == {"n": 2}
        second.advance(60)
        assert [message["Body"] for message in receive(sqs, url, 1)] == ['{"tick": true}']
    finally:
        second.stop()
