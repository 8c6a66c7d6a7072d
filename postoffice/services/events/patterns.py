"""Event patterns: compiled once when a rule is written, and each bus's RuleSet of its rules."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from postoffice.core.matcher import CompiledPattern, PatternError, RuleSet, compile_pattern
from postoffice.services.events.errors import invalid_pattern


def compile_event_pattern(text: str) -> CompiledPattern:
    """The compiled pattern, or InvalidEventPatternException worded as AWS words it."""
    try:
        return compile_pattern(text, "eventbridge")
    except PatternError as error:
        raise invalid_pattern(error.eventbridge_message()) from None


class BusRules:
    """The enabled pattern rules of one bus, indexed by the matcher, keyed by rule key."""

    def __init__(self, rules: Iterable[tuple[str, CompiledPattern]]) -> None:
        self._rules: RuleSet[str] = RuleSet()
        for key, pattern in rules:
            self._rules.add(key, pattern)

    def __len__(self) -> int:
        return len(self._rules)

    def matching(self, event: dict[str, Any], only: set[str] | None = None) -> list[str]:
        """Keys of the rules whose pattern matches, limited to `only` when given."""
        keys = self._rules.matching(event)
        return keys if only is None else [key for key in keys if key in only]
