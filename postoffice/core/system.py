"""The objects one running postoffice shares: settings, store, clock, services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from postoffice.config import Settings
from postoffice.core.clock import Clock
from postoffice.core.store.base import Store

if TYPE_CHECKING:
    from postoffice.core.queues.engine import QueueEngine
    from postoffice.services.base import Service


@dataclass
class System:
    settings: Settings
    store: Store
    clock: Clock
    services: dict[str, Service] = field(default_factory=dict)
    queues: QueueEngine | None = None  # the queue engine, set up by server.main.build_system

    def service(self, name: str) -> Service:
        return self.services[name]
