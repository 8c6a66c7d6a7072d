"""Wildcard values: parsing with event-ruler's escape rules, matching, and rule complexity.

`*` matches zero or more characters; `\\*` is a literal asterisk and `\\\\` a literal
backslash; any other backslash, or two consecutive `*`, is refused. Positions in the
messages count UTF-8 bytes of the value wrapped in its JSON quotes, as event-ruler does.

Complexity: EventBridge refuses a rule when too many wildcard prefixes can be alive at once
while reading one value ("Rule is too complex - ..."). event-ruler measures this on its byte
machine (MachineComplexityEvaluator): deterministic prefixes and the first wildcard state
after them are shared between the values of one field, every state after a wildcard is
private to its value, and a state counts once per value reaching it plus once for the
wildcard state its all-bytes transition leads to. `wildcard_complexity` rebuilds that machine
in miniature and walks the reachable state sets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from postoffice.core.matcher.errors import PatternError

STAR = 256
QUOTE = ord('"')
TOO_COMPLEX = (
    "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences "
    "after a wildcard character"
)


def parse_wildcard(value: str) -> list[int]:
    """UTF-8 bytes of the value with each unescaped `*` as STAR."""
    raw = value.encode("utf-8")
    tokens: list[int] = []
    i = 0
    while i < len(raw):
        byte = raw[i]
        if byte == 0x2A:
            if i + 1 < len(raw) and raw[i + 1] == 0x2A:
                raise PatternError(f"Consecutive wildcard characters at pos {i + 1}")
            tokens.append(STAR)
        elif byte == 0x5C:
            if i + 1 < len(raw) and raw[i + 1] in (0x2A, 0x5C):
                tokens.append(raw[i + 1])
                i += 2
                continue
            raise PatternError(f"Invalid escape character at pos {i + 1}")
        else:
            tokens.append(byte)
        i += 1
    return tokens


def wildcard_regex(tokens: list[int]) -> re.Pattern[str]:
    parts: list[str] = []
    literal = bytearray()
    for token in tokens:
        if token == STAR:
            parts.append(re.escape(literal.decode("utf-8")))
            parts.append(".*")
            literal.clear()
        else:
            literal.append(token)
    parts.append(re.escape(literal.decode("utf-8")))
    return re.compile("".join(parts), re.DOTALL)


@dataclass
class _State:
    literal: dict[int, list[int]] = field(default_factory=dict)
    any: list[int] = field(default_factory=list)
    weight: set[str] = field(default_factory=set)
    prefix: dict[int, int] = field(default_factory=dict)
    star: int = 0


def wildcard_complexity(values: Iterable[str], cap: int) -> int:
    """Largest number of live wildcard prefixes for one field's wildcard values (stops past cap)."""
    states = [_State()]
    terminals: dict[str, int] = {}
    alphabet: set[int] = set()
    for value in dict.fromkeys(values):
        tokens = [QUOTE, *parse_wildcard(value), QUOTE]
        current, previous, determinate = 0, -1, True
        for index, token in enumerate(tokens):
            terminal = index == len(tokens) - 1
            if terminal:
                target = terminals.get(value, 0)
            elif token == STAR:
                target = states[current].star if determinate else 0
            else:
                target = states[current].prefix.get(token, 0) if determinate else 0
            created = target == 0
            if created:
                target = len(states)
                states.append(_State())
                if terminal:
                    terminals[value] = target
                elif token == STAR and determinate:
                    states[current].star = target
                elif determinate:
                    states[current].prefix[token] = target
            if token == STAR and not terminal:
                determinate = False
                if target not in states[current].any:
                    states[current].any.append(target)
                states[target].any = [target]
            elif terminal or created:
                alphabet.add(token)
                states[current].literal.setdefault(token, []).append(target)
                if index > 0 and tokens[index - 1] == STAR:
                    states[previous].literal.setdefault(token, []).append(target)
            states[target].weight.add(value)
            previous, current = current, target
    if len(states) == 1:
        return 0
    representatives = [STAR, *alphabet]
    pending = [frozenset({0})]
    seen: set[frozenset[int]] = set()
    maximum = 0
    while pending and len(seen) < 5000:
        active = pending.pop()
        for byte in representatives:
            reached: set[int] = set()
            for state_id in active:
                state = states[state_id]
                reached.update(state.any)
                if byte != STAR:
                    reached.update(state.literal.get(byte, ()))
            if not reached:
                continue
            score = 0
            for state_id in reached:
                state = states[state_id]
                score += len(state.weight)
                for wildcard_state in state.any:
                    if wildcard_state not in reached:
                        score += len(states[wildcard_state].weight)
            if score > cap:
                return score
            maximum = max(maximum, score)
            key = frozenset(reached)
            if key not in seen:
                seen.add(key)
                pending.append(key)
    return maximum


def check_wildcard_complexity(values_by_path: dict[str, list[str]], limit: int) -> None:
    for values in values_by_path.values():
        if values and wildcard_complexity(values, limit) > limit:
            raise PatternError(TOO_COMPLEX)
