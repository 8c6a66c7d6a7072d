"""EventBridge's resources in the store, the lookups every operation shares, and each bus's
compiled rule index (rebuilt when one of its rules changes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from postoffice.core.store.records import RecordTable
from postoffice.services.events import errors
from postoffice.services.events.arns import DEFAULT_BUS, BusRef, bus_arn, resolve_bus
from postoffice.services.events.models import ApiDestination, Archive, Connection, EventBus, Replay, Rule, rule_key
from postoffice.services.events.patterns import BusRules, compile_event_pattern

if TYPE_CHECKING:
    from postoffice.core.system import System


class EventsState:
    """Mixed into the service: record tables and the helpers built on them."""

    system: System

    def _init_state(self) -> None:
        store = self.system.store
        self.buses: RecordTable[EventBus] = RecordTable(store, "events.bus", EventBus)
        self.rules: RecordTable[Rule] = RecordTable(store, "events.rule", Rule)
        self.archives: RecordTable[Archive] = RecordTable(store, "events.archive", Archive)
        self.replays: RecordTable[Replay] = RecordTable(store, "events.replay", Replay)
        self.connections: RecordTable[Connection] = RecordTable(store, "events.connection", Connection)
        self.destinations: RecordTable[ApiDestination] = RecordTable(store, "events.api-destination", ApiDestination)
        self._indexes: dict[tuple[str, str, str], BusRules] = {}

    async def _clear_state(self) -> None:
        for table in (self.buses, self.rules, self.archives, self.replays, self.connections, self.destinations):
            await table.clear()
        self._indexes.clear()

    # Event buses ------------------------------------------------------------------------

    async def ensure_default_bus(self, account: str, region: str) -> None:
        if self.buses.get(account, region, DEFAULT_BUS) is None:
            now = self.system.clock.now()
            bus = EventBus(DEFAULT_BUS, bus_arn(region, account, DEFAULT_BUS), now, now)
            await self.buses.put(account, region, DEFAULT_BUS, bus)

    async def bus_ref(self, name_or_arn: str | None, account: str, region: str) -> BusRef:
        ref = resolve_bus(name_or_arn, account, region)
        await self.ensure_default_bus(ref.account, ref.region)
        return ref

    def find_bus(self, ref: BusRef) -> EventBus | None:
        return self.buses.get(ref.account, ref.region, ref.name)

    def get_bus(self, ref: BusRef) -> EventBus:
        bus = self.find_bus(ref)
        if bus is None:
            raise errors.bus_not_found(ref.name)
        return bus

    # Rules ----------------------------------------------------------------------------

    def get_rule(self, ref: BusRef, name: str) -> Rule:
        rule = self.rules.get(ref.account, ref.region, rule_key(ref.name, name))
        if rule is None:
            raise errors.rule_not_found(name, ref.name)
        return rule

    def bus_rules(self, ref: BusRef) -> list[Rule]:
        return [rule for rule in self.rules.list(ref.account, ref.region) if rule.bus == ref.name]

    async def save_rule(self, ref: BusRef, rule: Rule) -> None:
        await self.rules.put(ref.account, ref.region, rule.key, rule)
        self._indexes.pop((ref.account, ref.region, ref.name), None)
        self.rule_changed(ref, rule.key, rule)

    async def drop_rule(self, ref: BusRef, rule: Rule) -> None:
        await self.rules.delete(ref.account, ref.region, rule.key)
        self._indexes.pop((ref.account, ref.region, ref.name), None)
        self.rule_changed(ref, rule.key, None)

    def rule_changed(self, ref: BusRef, key: str, rule: Rule | None) -> None:
        """Called after a rule is written (None: deleted); the service reschedules it."""

    def index(self, ref: BusRef) -> BusRules:
        """The bus's enabled pattern rules, compiled (patterns were validated when written)."""
        key = (ref.account, ref.region, ref.name)
        index = self._indexes.get(key)
        if index is None:
            index = BusRules(
                (rule.key, compile_event_pattern(rule.event_pattern))
                for rule in self.bus_rules(ref)
                if rule.enabled and rule.event_pattern
            )
            self._indexes[key] = index
        return index

    # Archives, replays, connections, API destinations ------------------------------------

    def get_archive(self, account: str, region: str, name: str) -> Archive:
        archive = self.archives.get(account, region, name)
        if archive is None:
            raise errors.archive_not_found(name)
        return archive

    def get_replay(self, account: str, region: str, name: str) -> Replay:
        replay = self.replays.get(account, region, name)
        if replay is None:
            raise errors.replay_not_found(name)
        return replay

    def get_connection(self, account: str, region: str, name: str) -> Connection:
        connection = self.connections.get(account, region, name)
        if connection is None:
            raise errors.connection_not_found(name)
        return connection

    def get_destination(self, account: str, region: str, name: str) -> ApiDestination:
        destination = self.destinations.get(account, region, name)
        if destination is None:
            raise errors.api_destination_not_found(name)
        return destination
