"""PutEvents: validate each entry, build the envelopes, route them through their buses."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from postoffice.protocol.context import RequestContext
from postoffice.services.events import errors
from postoffice.services.events.arns import BusRef, resolve_bus
from postoffice.services.events.envelope import (
    MAX_REQUEST_ENTRIES_BYTES,
    build_event,
    checked_detail,
    entry_size,
)
from postoffice.services.events.state import EventsState

if TYPE_CHECKING:
    from postoffice.services.events.routing import Router


class EventOperations(EventsState):
    router: Router

    async def PutEvents(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        entries: list[dict[str, Any]] = params["Entries"]
        if sum(entry_size(entry) for entry in entries) > MAX_REQUEST_ENTRIES_BYTES:
            raise errors.validation("Total size of the entries in the request is over the limit.")
        now = self.system.clock.now()
        results: list[dict[str, Any]] = []
        by_bus: dict[BusRef, list[dict[str, Any]]] = defaultdict(list)
        for entry in entries:
            detail = checked_detail(entry)
            if isinstance(detail, tuple):
                code, message = detail
                results.append({"ErrorCode": code, "ErrorMessage": message})
                continue
            ref = resolve_bus(entry.get("EventBusName"), ctx.account, ctx.region)
            event = build_event(entry, detail, ctx.account, ref.region, now)
            by_bus[ref].append(event)
            results.append({"EventId": event["id"]})
        for ref, events in by_bus.items():
            await self.ensure_default_bus(ref.account, ref.region)
            await self.router.route(ref, events)
        failed = sum(1 for result in results if "ErrorCode" in result)
        return {"FailedEntryCount": failed, "Entries": results}
