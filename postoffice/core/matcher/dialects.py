"""What each service accepts in a pattern.

Sources: EventBridge "Comparison operators for use in event patterns" (its "Pipe support"
column is the event-source-mapping filter engine Lambda shares), SNS "Subscription filter
policies" / "Filter policy constraints", Lambda "Event filtering". Operators a dialect does
not know are refused with the reason an event-ruler without them gives
("Unrecognized match type X", "Unsupported anything-but pattern: X",
"prefix match pattern must be a string").

| feature                                   | eventbridge | lambda | sns (attributes) | sns (body) |
|-------------------------------------------|-------------|--------|------------------|------------|
| exact string/number/bool/null, ""         | yes         | yes    | yes              | yes        |
| prefix, suffix, equals-ignore-case        | yes         | yes    | yes              | yes        |
| prefix/suffix {"equals-ignore-case": s}   | yes         | yes    | no               | no         |
| wildcard                                  | yes         | yes    | no               | no         |
| exactly (event-ruler's explicit exact)    | yes         | yes    | no               | no         |
| anything-but value / list                 | yes         | yes    | yes              | yes        |
| anything-but {"prefix"}                   | yes         | no     | yes              | yes        |
| anything-but {"suffix"|"equals-ignore-case"|"wildcard"} | yes | no | no           | no         |
| numeric, exists, cidr, $or                | yes         | yes    | yes              | yes        |
| nested objects                            | yes         | yes    | no               | yes        |
| wildcard complexity limit                 | 10          | 10     | -                | -          |
| keys <= 5, combinations <= 150, 256 KB    | -           | -      | yes              | yes        |
"""

from __future__ import annotations

from dataclasses import dataclass

LEAF_OPERATORS = frozenset(
    {"exactly", "prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric", "exists", "cidr"}
)
ANYTHING_BUT_FORMS = frozenset({"prefix", "suffix", "equals-ignore-case", "wildcard"})


@dataclass(frozen=True)
class Dialect:
    name: str
    operators: frozenset[str]
    anything_but_forms: frozenset[str]
    ignore_case_affixes: bool
    nested: bool
    wildcard_complexity_limit: int | None
    sns_limits: bool
    empty_pattern_matches_all: bool


EVENTBRIDGE = Dialect(
    name="eventbridge",
    operators=LEAF_OPERATORS,
    anything_but_forms=ANYTHING_BUT_FORMS,
    ignore_case_affixes=True,
    nested=True,
    wildcard_complexity_limit=10,
    sns_limits=False,
    empty_pattern_matches_all=False,
)

LAMBDA = Dialect(
    name="lambda",
    operators=LEAF_OPERATORS,
    anything_but_forms=frozenset(),
    ignore_case_affixes=True,
    nested=True,
    wildcard_complexity_limit=10,
    sns_limits=False,
    empty_pattern_matches_all=False,
)

_SNS_OPERATORS = LEAF_OPERATORS - {"wildcard", "exactly"}

SNS_ATTRIBUTES = Dialect(
    name="sns",
    operators=_SNS_OPERATORS,
    anything_but_forms=frozenset({"prefix"}),
    ignore_case_affixes=False,
    nested=False,
    wildcard_complexity_limit=None,
    sns_limits=True,
    empty_pattern_matches_all=True,
)

SNS_BODY = Dialect(
    name="sns-body",
    operators=_SNS_OPERATORS,
    anything_but_forms=frozenset({"prefix"}),
    ignore_case_affixes=False,
    nested=True,
    wildcard_complexity_limit=None,
    sns_limits=True,
    empty_pattern_matches_all=True,
)

DIALECTS = {d.name: d for d in (EVENTBRIDGE, LAMBDA, SNS_ATTRIBUTES, SNS_BODY)}
SNS_SCOPES = {"MessageAttributes": SNS_ATTRIBUTES, "MessageBody": SNS_BODY}


def resolve_dialect(dialect: str | Dialect) -> Dialect:
    if isinstance(dialect, Dialect):
        return dialect
    try:
        return DIALECTS[dialect]
    except KeyError:
        raise ValueError(f"unknown matcher dialect {dialect!r}; one of {sorted(DIALECTS)}") from None
