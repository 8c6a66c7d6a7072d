"""Deliveries postoffice does not carry out but records, for tests and people to look at:
email, email-json, SMS, mobile push (application) and Firehose."""

from __future__ import annotations

from collections import deque
from typing import Any

MAX_RECORDS = 10_000


class RecordedDeliveries:
    def __init__(self) -> None:
        self._records: deque[dict[str, Any]] = deque(maxlen=MAX_RECORDS)

    def add(self, record: dict[str, Any]) -> None:
        self._records.append(record)

    def clear(self) -> None:
        self._records.clear()

    def matching(self, filters: dict[str, str]) -> list[dict[str, Any]]:
        """Records whose fields equal every given filter (e.g. {"Protocol": "email"})."""
        return [record for record in self._records if all(record.get(k) == v for k, v in filters.items())]
