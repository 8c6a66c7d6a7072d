"""The queue engine: its interface (engine.py) and the implementation on the SQL stores."""

from __future__ import annotations

from postoffice.core.clock import Clock
from postoffice.core.queues.sql_engine import SqlQueueEngine, schema
from postoffice.core.store.base import Store


def make_queue_engine(store: Store, clock: Clock) -> SqlQueueEngine:
    """Create (or upgrade) the engine's schema in `store` and open the engine on it."""
    store.migrate("queues", schema(store.dialect))
    return SqlQueueEngine(store, clock)
