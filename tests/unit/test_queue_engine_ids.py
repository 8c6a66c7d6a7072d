"""Message ids: UUID version 4 in shape, never repeated, within an engine or across restarts."""

from __future__ import annotations

import uuid

from postoffice.core.queues.ids import message_ids


def test_ids_are_version_4_uuids_in_canonical_form() -> None:
    new_id = message_ids()
    for _ in range(100):
        text = new_id()
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_ids_never_repeat_within_an_engine_or_across_restarts() -> None:
    seen = set()
    for _ in range(20):  # each call stands for an engine (a process start)
        new_id = message_ids()
        seen.update(new_id() for _ in range(5000))
    assert len(seen) == 20 * 5000
