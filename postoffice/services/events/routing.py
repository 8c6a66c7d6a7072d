"""Events into a bus: match against the bus's rule index, archive what archive rules match,
and commit one delivery per matched target."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from postoffice.services.events.arns import BusRef, name_from_arn
from postoffice.services.events.delivery import Delivery
from postoffice.services.events.models import Rule
from postoffice.services.events.targets import ARCHIVE, kind_of

if TYPE_CHECKING:
    from postoffice.services.events.api import Events


class Router:
    def __init__(self, service: Events) -> None:
        self.service = service

    async def route(
        self,
        ref: BusRef,
        events: list[dict[str, Any]],
        only: set[str] | None = None,
        hops: list[str] | None = None,
    ) -> None:
        """Deliver `events` put on bus `ref` to the targets of the rules they match.

        `only` limits matching to those rule keys (a replay's FilterArns). An event for a bus
        that does not exist goes nowhere, as on AWS.
        """
        service = self.service
        if service.find_bus(ref) is None:
            return
        index = service.index(ref)
        if not len(index):
            return
        deliveries: list[Delivery] = []
        archived: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for event in events:
            for key in index.matching(event, only):
                rule = service.rules.get(ref.account, ref.region, key)
                if rule is None:
                    continue
                for target in rule.targets:
                    if kind_of(target["Arn"]) is ARCHIVE:
                        name = name_from_arn(target["Arn"], "archive")
                        if name is not None:
                            archived[name].append(event)
                    else:
                        deliveries.append(self._delivery(ref, rule, target, event, hops))
        now = service.system.clock.now()
        for name, archived_events in archived.items():
            if service.archives.get(ref.account, ref.region, name) is not None:
                await service.archive_log.append(ref.account, ref.region, name, archived_events, now)
        await service.deliveries.enqueue(deliveries)

    async def to_rule(self, ref: BusRef, rule: Rule, event: dict[str, Any]) -> None:
        """Deliver an event straight to one rule's targets (a schedule firing)."""
        deliveries = [
            self._delivery(ref, rule, target, event, None)
            for target in rule.targets
            if kind_of(target["Arn"]) is not ARCHIVE
        ]
        await self.service.deliveries.enqueue(deliveries)

    def _delivery(
        self, ref: BusRef, rule: Rule, target: dict[str, Any], event: dict[str, Any], hops: list[str] | None
    ) -> Delivery:
        return Delivery(
            account=ref.account,
            region=ref.region,
            rule_arn=rule.arn,
            rule_name=rule.name,
            target=target,
            event=event,
            ingested=self.service.system.clock.now(),
            hops=list(hops or []),
        )
