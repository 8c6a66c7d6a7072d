"""PutEvents entries: AWS's per-entry checks, the size rule, and the event envelope targets get."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import orjson

# Since January 2026 an EventBridge event may carry up to 1 MB; PutEvents applies the limit to
# the entries of a request together, sized the way AWS documents (calculate-putevents-entry-size).
MAX_REQUEST_ENTRIES_BYTES = 1024 * 1024
TIME_FIELD_BYTES = 14

EntryError = tuple[str, str]


def entry_size(entry: dict[str, Any]) -> int:
    size = TIME_FIELD_BYTES if entry.get("Time") is not None else 0
    for name in ("Source", "DetailType", "Detail"):
        value = entry.get(name)
        if value:
            size += len(value.encode())
    for resource in entry.get("Resources") or ():
        if resource:
            size += len(resource.encode())
    return size


def checked_detail(entry: dict[str, Any]) -> dict[str, Any] | EntryError:
    """The entry's Detail as an object, or the ErrorCode and ErrorMessage PutEvents answers."""
    for name in ("Source", "DetailType", "Detail"):
        if not entry.get(name):
            return "InvalidArgument", f"Parameter {name} is not valid. Reason: {name} is a required argument."
    detail = parse_detail(entry["Detail"])
    if detail is None:
        return "MalformedDetail", "Detail is malformed."
    return detail


def parse_detail(text: str) -> dict[str, Any] | None:
    """The Detail as a JSON object, or None when it is not one."""
    try:
        detail = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return detail if isinstance(detail, dict) else None


def format_time(epoch_seconds: float) -> str:
    """ISO 8601 in UTC with second precision, as the envelope's `time` field carries it."""
    moment = dt.datetime.fromtimestamp(int(epoch_seconds), dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> float | None:
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def new_event_id() -> str:
    return str(uuid.uuid4())


def build_event(entry: dict[str, Any], detail: dict[str, Any], account: str, region: str, now: float) -> dict[str, Any]:
    """The event as EventBridge delivers it, fields in AWS's order."""
    when = entry.get("Time")
    return {
        "version": "0",
        "id": new_event_id(),
        "detail-type": entry["DetailType"],
        "source": entry["Source"],
        "account": account,
        "time": format_time(now if when is None else when),
        "region": region,
        "resources": list(entry.get("Resources") or []),
        "detail": detail,
    }


def scheduled_event(rule_arn: str, account: str, region: str, when: float) -> dict[str, Any]:
    return {
        "version": "0",
        "id": new_event_id(),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": format_time(when),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }


def with_replay_name(event: dict[str, Any], replay_name: str) -> dict[str, Any]:
    """The archived event as a replay delivers it: `replay-name` follows `region`."""
    replayed: dict[str, Any] = {}
    for key, value in event.items():
        if key == "replay-name":
            continue
        replayed[key] = value
        if key == "region":
            replayed["replay-name"] = replay_name
    return replayed


def request_entries_repr(entries: list[dict[str, Any]]) -> str:
    """How AWS prints PutEvents entries in the message of a request with too many of them."""
    rendered = []
    for entry in entries:
        detail = entry.get("Detail")
        parsed = parse_detail(detail) if detail else None
        detail_text = _java_json(parsed) if parsed is not None else (detail if detail else "null")
        time = entry.get("Time")
        rendered.append(
            "PutEventsRequestEntry("
            f"time={_java_time(time) if time is not None else 'null'}, "
            f"source={entry.get('Source', 'null')}, "
            f"resources={_java_list(entry.get('Resources'))}, "
            f"detailType={entry.get('DetailType', 'null')}, "
            f"detail={detail_text}, "
            f"eventBusName={entry.get('EventBusName', 'null')}, "
            f"traceHeader={entry.get('TraceHeader', 'null')}, "
            "kmsKeyIdentifier=null, internalMetadata=null)"
        )
    return "[" + ", ".join(rendered) + "]"


def _java_json(value: Any) -> str:
    return json.dumps(value, separators=(", ", ": "), ensure_ascii=False)


def _java_list(values: list[str] | None) -> str:
    return "null" if values is None else "[" + ", ".join(values) + "]"


def _java_time(epoch_seconds: float) -> str:
    return dt.datetime.fromtimestamp(epoch_seconds, dt.UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
