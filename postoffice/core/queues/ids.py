"""Message ids: UUID-shaped (version 4 layout), unique, and cheap.

`uuid4()` reads the OS random source for every id (about 2 us, as much as storing the message
in SQLite); here a random 72-bit prefix drawn once per engine is followed by a counter.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable


def message_ids() -> Callable[[], str]:
    """A function returning a new id on each call."""
    r = os.urandom(10).hex()
    variant = "89ab"[int(r[18], 16) & 3]
    prefix = f"{r[:8]}-{r[8:12]}-4{r[12:15]}-{variant}{r[15:18]}-"
    counter = itertools.count(int.from_bytes(os.urandom(6), "big") >> 2)  # 12 hex digits for years of sends
    return lambda: f"{prefix}{next(counter):012x}"
