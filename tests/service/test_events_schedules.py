"""Scheduled rules firing on the virtual clock, with AWS's "Scheduled Event" envelope."""

from __future__ import annotations

import datetime as dt
import json

from test_events_support import bodies, make_queue, nothing_more, receive

ACCOUNT = "000000000000"


def scheduled_rule(events, sqs, name: str, expression: str, **target) -> str:
    url, arn = make_queue(sqs, f"{name}-queue")
    events.put_rule(Name=name, ScheduleExpression=expression)
    events.put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": arn, **target}])
    return url


def iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_rate_rule_fires_every_period_with_the_scheduled_event(virtual_server) -> None:
    events, sqs = virtual_server.client("events"), virtual_server.client("sqs")
    start = virtual_server.now()
    url = scheduled_rule(events, sqs, "every-five", "rate(5 minutes)")
    assert nothing_more(sqs, url)
    virtual_server.advance(299)
    assert nothing_more(sqs, url)
    virtual_server.advance(2)
    body = bodies(receive(sqs, url, 1))[0]
    assert list(body) == ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]
    assert body["detail-type"] == "Scheduled Event" and body["source"] == "aws.events"
    assert body["account"] == ACCOUNT and body["region"] == "us-east-1"
    assert body["resources"] == [f"arn:aws:events:us-east-1:{ACCOUNT}:rule/every-five"]
    assert body["detail"] == {}
    assert abs(dt.datetime.fromisoformat(body["time"].replace("Z", "+00:00")).timestamp() - (start + 300)) <= 2
    virtual_server.advance(900)
    assert len(receive(sqs, url, 3)) == 3
    assert nothing_more(sqs, url)


def test_an_hour_of_a_one_minute_rate_fires_sixty_times(virtual_server) -> None:
    events, sqs = virtual_server.client("events"), virtual_server.client("sqs")
    url = scheduled_rule(events, sqs, "every-minute", "rate(1 minute)")
    virtual_server.advance(3600)
    fired = bodies(receive(sqs, url, 60, timeout=20))
    assert len(fired) == 60
    assert len({body["time"] for body in fired}) == 60
    assert nothing_more(sqs, url)


def test_a_cron_rule_fires_at_its_time(virtual_server) -> None:
    events, sqs = virtual_server.client("events"), virtual_server.client("sqs")
    now = dt.datetime.fromtimestamp(virtual_server.now(), dt.UTC)
    tomorrow_eight = (now + dt.timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    virtual_server.admin("POST", "clock", {"set": tomorrow_eight.timestamp() - 90})
    url = scheduled_rule(events, sqs, "daily-sales-report", "cron(0 8 * * ? *)", Input='{"report": "daily"}')
    virtual_server.advance(60)
    assert nothing_more(sqs, url)
    virtual_server.advance(60)
    assert [message["Body"] for message in receive(sqs, url, 1)] == ['{"report": "daily"}']
    virtual_server.advance(86_400)
    assert len(receive(sqs, url, 1)) == 1
    assert nothing_more(sqs, url)


def test_the_scheduled_event_time_is_the_firing_time(virtual_server) -> None:
    events, sqs = virtual_server.client("events"), virtual_server.client("sqs")
    now = dt.datetime.fromtimestamp(virtual_server.now(), dt.UTC)
    next_quarter = (now + dt.timedelta(hours=1)).replace(minute=15, second=0, microsecond=0)
    virtual_server.admin("POST", "clock", {"set": next_quarter.timestamp() - 30})
    url = scheduled_rule(events, sqs, "quarter", "cron(15 * * * ? *)")
    virtual_server.advance(3600)
    assert bodies(receive(sqs, url, 1))[0]["time"] == iso(next_quarter.timestamp())


def test_disabled_and_deleted_schedules_stop_firing(virtual_server) -> None:
    events, sqs = virtual_server.client("events"), virtual_server.client("sqs")
    url = scheduled_rule(events, sqs, "every-minute", "rate(1 minute)")
    events.disable_rule(Name="every-minute")
    virtual_server.advance(300)
    assert nothing_more(sqs, url)
    events.enable_rule(Name="every-minute")
    virtual_server.advance(60)
    assert len(receive(sqs, url, 1)) == 1
    events.remove_targets(Rule="every-minute", Ids=["queue"])
    events.delete_rule(Name="every-minute")
    virtual_server.advance(300)
    assert nothing_more(sqs, url)


def test_a_schedule_change_restarts_the_count(virtual_server) -> None:
    events, sqs = virtual_server.client("events"), virtual_server.client("sqs")
    url = scheduled_rule(events, sqs, "changing", "rate(10 minutes)")
    virtual_server.advance(300)
    events.put_rule(Name="changing", ScheduleExpression="rate(1 hour)")
    virtual_server.advance(600)
    assert nothing_more(sqs, url)
    virtual_server.advance(3000)
    assert len(receive(sqs, url, 1)) == 1


def test_scheduled_rule_with_an_input_transformer(virtual_server) -> None:
    events, sqs = virtual_server.client("events"), virtual_server.client("sqs")
    transformer = {
        "InputPathsMap": {"time": "$.time", "source": "$.source"},
        "InputTemplate": '{"at": <time>, "from": <source>, "rule": <aws.events.rule-name>}',
    }
    url = scheduled_rule(events, sqs, "tick", "rate(1 minute)", InputTransformer=transformer)
    virtual_server.advance(60)
    body = json.loads(receive(sqs, url, 1)[0]["Body"])
    assert body["from"] == "aws.events" and body["rule"] == "tick"
