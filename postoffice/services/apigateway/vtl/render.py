"""Rendering a parsed template against a dict of variables, with Velocity 1.7's semantics:
a reference with no value prints as written (`$!` prints nothing), `#set` of a null leaves the
variable alone, `#foreach` offers `$foreach.index/count/hasNext/first/last` and
`$velocityCount`, integer arithmetic stays integral, `==` across types compares strings.
"""

from __future__ import annotations

from typing import Any

from postoffice.services.apigateway.vtl import java
from postoffice.services.apigateway.vtl.nodes import (
    Binary,
    Break,
    Call,
    Foreach,
    If,
    Index,
    Interpolated,
    ListLiteral,
    Literal,
    MapLiteral,
    Property,
    RangeLiteral,
    Reference,
    Set,
    Stop,
    Text,
    Unary,
)
from postoffice.services.apigateway.vtl.syntax import Template, TemplateSyntaxError, parse

MAX_OUTPUT = 10 * 1024 * 1024


class TemplateError(Exception):
    """The template does not parse, or a method it calls fails."""


class _Break(Exception):
    pass


class _Stop(Exception):
    pass


class _Missing:
    """A reference whose method Java would not find."""


_MISSING = _Missing()


class ForeachState(java.JavaObject):
    def __init__(self, count: int) -> None:
        self.total = count
        self.index = 0

    def vtl_get(self, name: str) -> Any:
        if name == "index":
            return self.index
        if name == "count":
            return self.index + 1
        if name == "hasNext":
            return self.index + 1 < self.total
        if name == "first":
            return self.index == 0
        if name == "last":
            return self.index + 1 == self.total
        return None

    def vtl_call(self, name: str, args: list[Any]) -> Any:
        getters = {"getIndex": "index", "getCount": "count", "hasNext": "hasNext", "isFirst": "first", "isLast": "last"}
        if name in getters and not args:
            return self.vtl_get(getters[name])
        return java.NO_METHOD


def render(template: str | Template, variables: dict[str, Any]) -> str:
    try:
        parsed = parse(template) if isinstance(template, str) else template
    except TemplateSyntaxError as error:
        raise TemplateError(str(error)) from None
    out: list[str] = []
    renderer = _Renderer(variables)
    try:
        renderer.block(parsed.body, out)
    except _Stop:
        pass
    except _Break:
        pass
    except (java.InvocationError, RecursionError) as error:
        raise TemplateError(str(error)) from None
    return "".join(out)


class _Renderer:
    def __init__(self, variables: dict[str, Any]) -> None:
        self.vars = variables
        self.size = 0

    def block(self, nodes: list[Any], out: list[str]) -> None:
        for node in nodes:
            kind = type(node)
            if kind is Text:
                self.write(out, node.text)
            elif kind is Reference:
                value = self.reference(node)
                if value is None or value is _MISSING:
                    if not node.quiet:
                        self.write(out, node.source)
                else:
                    self.write(out, java.to_string(value))
            elif kind is Set:
                self.assign(node)
            elif kind is If:
                self.conditional(node, out)
            elif kind is Foreach:
                self.loop(node, out)
            elif kind is Break:
                raise _Break
            elif kind is Stop:
                raise _Stop

    def write(self, out: list[str], text: str) -> None:
        self.size += len(text)
        if self.size > MAX_OUTPUT:
            raise java.InvocationError("template output too large")
        out.append(text)

    def conditional(self, node: If, out: list[str]) -> None:
        for condition, body in node.branches:
            if java.truthy(self.value(condition)):
                self.block(body, out)
                return
        if node.otherwise is not None:
            self.block(node.otherwise, out)

    def loop(self, node: Foreach, out: list[str]) -> None:
        source = self.value(node.iterable)
        if source is None:
            return
        if isinstance(source, dict):
            items = list(source.values())
        elif isinstance(source, list | tuple):
            items = list(source)
        else:
            return
        saved = {name: self.vars.get(name, _MISSING) for name in (node.variable, "foreach", "velocityCount")}
        state = ForeachState(len(items))
        try:
            for position, item in enumerate(items):
                state.index = position
                self.vars[node.variable] = item
                self.vars["foreach"] = state
                self.vars["velocityCount"] = position + 1
                try:
                    self.block(node.body, out)
                except _Break:
                    break
        finally:
            for name, value in saved.items():
                if value is _MISSING:
                    self.vars.pop(name, None)
                else:
                    self.vars[name] = value

    def assign(self, node: Set) -> None:
        value = self.value(node.value)
        if value is None or value is _MISSING:
            return
        target = node.target
        if not target.accessors:
            self.vars[target.name] = value
            return
        owner = self.reference(Reference(target.name, target.accessors[:-1]))
        last = target.accessors[-1]
        if isinstance(last, Property):
            key: Any = last.name
        elif isinstance(last, Index):
            key = self.value(last.key)
        else:
            return
        if isinstance(owner, dict):
            owner[key] = value
        elif isinstance(owner, list) and java.is_number(key) and 0 <= int(key) < len(owner):
            owner[int(key)] = value
        elif isinstance(owner, java.JavaObject):
            owner.vtl_call("put", [key, value])

    # Values ---------------------------------------------------------------------------

    def reference(self, node: Reference) -> Any:
        value = self.vars.get(node.name)
        for accessor in node.accessors:
            if value is None or value is _MISSING:
                return None
            if isinstance(accessor, Property):
                value = java.get_property(value, accessor.name)
            elif isinstance(accessor, Call):
                args = [self.value(arg) for arg in accessor.args]
                args = [None if arg is _MISSING else arg for arg in args]
                value = java.call_method(value, accessor.name, args)
                if value is java.NO_METHOD:
                    return _MISSING
            else:
                value = java.get_index(value, self.value(accessor.key))
        return value

    def value(self, node: Any) -> Any:
        kind = type(node)
        if kind is Literal:
            return node.value
        if kind is Reference:
            return self.reference(node)
        if kind is Interpolated:
            out: list[str] = []
            self.block(node.body, out)
            return "".join(out)
        if kind is ListLiteral:
            return [self.plain(item) for item in node.items]
        if kind is MapLiteral:
            return {self.plain(key): self.plain(value) for key, value in node.entries}
        if kind is RangeLiteral:
            start, end = self.plain(node.start), self.plain(node.end)
            if not (java.is_number(start) and java.is_number(end)):
                return None
            start, end = int(start), int(end)
            step = 1 if end >= start else -1
            return list(range(start, end + step, step))
        if kind is Unary:
            operand = self.plain(node.operand)
            if node.op == "!":
                return not java.truthy(operand)
            return -operand if java.is_number(operand) else None
        if kind is Binary:
            return self.binary(node)
        return None

    def plain(self, node: Any) -> Any:
        value = self.value(node)
        return None if value is _MISSING else value

    def binary(self, node: Binary) -> Any:
        op = node.op
        if op == "&&":
            return java.truthy(self.plain(node.left)) and java.truthy(self.plain(node.right))
        if op == "||":
            return java.truthy(self.plain(node.left)) or java.truthy(self.plain(node.right))
        left, right = self.plain(node.left), self.plain(node.right)
        if op == "==":
            return java.equals(left, right)
        if op == "!=":
            return not java.equals(left, right)
        if op in ("<", ">", "<=", ">="):
            return _compare(op, left, right)
        if op == "+" and (isinstance(left, str) or isinstance(right, str)):
            if left is None or right is None:
                return None
            return java.to_string(left) + java.to_string(right)
        if not (java.is_number(left) and java.is_number(right)):
            return None
        return _arithmetic(op, left, right)


def _compare(op: str, left: Any, right: Any) -> bool:
    if java.is_number(left) and java.is_number(right):
        pass
    elif isinstance(left, str) and isinstance(right, str):
        pass
    else:
        return False
    if op == "<":
        return bool(left < right)
    if op == ">":
        return bool(left > right)
    if op == "<=":
        return bool(left <= right)
    return bool(left >= right)


def _arithmetic(op: str, left: Any, right: Any) -> Any:
    integral = isinstance(left, int) and isinstance(right, int)
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if right == 0:
        return None
    if op == "/":
        if integral:
            quotient = abs(left) // abs(right)
            return quotient if (left >= 0) == (right >= 0) else -quotient
        return left / right
    if integral:
        remainder = abs(left) % abs(right)
        return remainder if left >= 0 else -remainder
    return float(left - right * int(left / right))
