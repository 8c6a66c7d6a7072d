"""The one matcher behind EventBridge event patterns, SNS filter policies and Lambda event filters.

Semantics follow AWS's event-ruler; what each service accepts is in dialects.py.

    pattern = compile_pattern({"source": ["com.orders"]}, "eventbridge")   # raises PatternError
    pattern.matches(event)                                                 # -> bool
    rules = RuleSet(); rules.add("rule-1", pattern); rules.matching(event) # -> ["rule-1"]
"""

from postoffice.core.matcher.compiler import compile_pattern
from postoffice.core.matcher.dialects import EVENTBRIDGE, LAMBDA, SNS_ATTRIBUTES, SNS_BODY, Dialect
from postoffice.core.matcher.errors import PatternError
from postoffice.core.matcher.flatten import flatten
from postoffice.core.matcher.pattern import CompiledPattern
from postoffice.core.matcher.ruleset import RuleSet
from postoffice.core.matcher.sns import compile_filter_policy, message_attributes_event, message_body_event

__all__ = [
    "EVENTBRIDGE",
    "LAMBDA",
    "SNS_ATTRIBUTES",
    "SNS_BODY",
    "CompiledPattern",
    "Dialect",
    "PatternError",
    "RuleSet",
    "compile_filter_policy",
    "compile_pattern",
    "flatten",
    "message_attributes_event",
    "message_body_event",
]
