"""Store backends and the record tables services keep their resources in."""

from __future__ import annotations

from postoffice.core.store.base import Store


def open_store(spec: str, data_dir: str) -> Store:
    """`sqlite` (default), `memory`, or a `postgresql://` URL."""
    from postoffice.core.store.sqlite import MemoryStore, SqliteStore

    if spec == "sqlite":
        return SqliteStore(data_dir)
    if spec == "memory":
        return MemoryStore()
    if spec.startswith(("postgresql://", "postgres://")):
        raise ValueError("the PostgreSQL backend is not part of this version yet: use sqlite or memory")
    raise ValueError(f"unknown store {spec!r}: use sqlite, memory or a postgresql:// URL")
