"""Parsing Velocity templates: text, references (`$a.b(1)[0]`, `${a}`, `$!a`), directives
(`#set #if #elseif #else #foreach #break #stop #end`), comments (`##`, `#* *#`), unparsed
blocks (`#[[ ]]#`) and the expression language inside directives.

Whitespace follows Velocity 1.7: a directive that ends its line swallows the newline after it,
and a `#set` alone on its line swallows its indentation too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

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

_IDENT = re.compile(r"[A-Za-z_](?:[A-Za-z0-9_]|-(?=[A-Za-z0-9_]))*")
_NUMBER = re.compile(r"\d+(\.\d+)?(?![A-Za-z_])")
_DIRECTIVE = re.compile(r"#(\{)?(set|if|elseif|else|end|foreach|break|stop)(\})?")
_WORD_OPS = {"and": "&&", "or": "||", "not": "!", "eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">="}
_WITH_ARGS = frozenset({"set", "if", "elseif", "foreach"})


class TemplateSyntaxError(ValueError):
    pass


@dataclass
class Template:
    body: list[Any]


@lru_cache(maxsize=512)
def parse(source: str) -> Template:
    parser = _Parser(source)
    body, closer = parser.block(frozenset())
    if closer is not None:
        raise parser.error(f"#{closer} without a matching directive")
    return Template(body)


def _strip_indent(text: list[str]) -> None:
    """Velocity 1.7: a `#set` alone on its line takes its indentation with it."""
    joined = "".join(text)
    cut = joined.rfind("\n") + 1
    if joined[cut:].strip(" \t") == "":
        text[:] = [joined[:cut]] if cut else []


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.line_start = True  # only whitespace since the last newline (or a swallowed one)

    def error(self, message: str) -> TemplateSyntaxError:
        line = self.src.count("\n", 0, self.pos) + 1
        return TemplateSyntaxError(f"{message} at line {line}")

    # Template level -------------------------------------------------------------------

    def block(self, closers: frozenset[str]) -> tuple[list[Any], str | None]:
        """Nodes up to one of `closers` (#end, #else, #elseif): returns the nodes and which closed it."""
        nodes: list[Any] = []
        text: list[str] = []
        src = self.src

        def flush() -> None:
            if text:
                nodes.append(Text("".join(text)))
                text.clear()

        while self.pos < len(src):
            char = src[self.pos]
            if char == "\\" and src.startswith(("\\$", "\\#"), self.pos):
                text.append(src[self.pos + 1])
                self.pos += 2
                self.line_start = False
                continue
            if char == "$":
                ref = self.reference_at(self.pos, in_text=True)
                if ref is None:
                    text.append("$")
                    self.pos += 1
                else:
                    flush()
                    nodes.append(ref)
                self.line_start = False
                continue
            if char == "#":
                if src.startswith("##", self.pos):
                    end = src.find("\n", self.pos)
                    self.pos = len(src) if end < 0 else end + 1
                    continue
                if src.startswith("#*", self.pos):
                    end = src.find("*#", self.pos + 2)
                    if end < 0:
                        raise self.error("unterminated #* comment")
                    self.pos = end + 2
                    continue
                if src.startswith("#[[", self.pos):
                    end = src.find("]]#", self.pos + 3)
                    if end < 0:
                        raise self.error("unterminated #[[ block")
                    text.append(src[self.pos + 3 : end])
                    self.pos = end + 3
                    self.line_start = False
                    continue
                found = self.directive_name()
                if found is not None:
                    name, after = found
                    if name in ("end", "else", "elseif") and name in closers:
                        flush()
                        self.pos = after
                        return nodes, name
                    if name in ("end", "else", "elseif"):
                        raise self.error(f"#{name} without a matching directive")
                    alone = self.line_start
                    self.pos = after
                    node = self.directive(name)
                    if name == "set" and alone and self.line_start:
                        _strip_indent(text)
                    flush()
                    nodes.append(node)
                    continue
                text.append("#")
                self.pos += 1
                self.line_start = False
                continue
            end = self._next_special(self.pos)
            chunk = src[self.pos : end]
            text.append(chunk)
            if "\n" in chunk:
                self.line_start = chunk[chunk.rfind("\n") + 1 :].strip(" \t") == ""
            elif chunk.strip(" \t"):
                self.line_start = False
            self.pos = end
        flush()
        if closers:
            raise self.error("missing #end")
        return nodes, None

    def _next_special(self, start: int) -> int:
        src = self.src
        best = len(src)
        for char in "$#\\":
            found = src.find(char, start + (1 if src[start] == char else 0))
            if 0 <= found < best:
                best = found
        return best if best > start else start + 1

    def directive_name(self) -> tuple[str, int] | None:
        match = _DIRECTIVE.match(self.src, self.pos)
        if match is None:
            return None
        opened, name, closed = match.group(1), match.group(2), match.group(3)
        if bool(opened) != bool(closed):
            return None
        after = match.end()
        if name in _WITH_ARGS:
            probe = after
            while probe < len(self.src) and self.src[probe] in " \t":
                probe += 1
            if probe >= len(self.src) or self.src[probe] != "(":
                return None
            return name, probe
        if not opened and after < len(self.src) and (self.src[after].isalnum() or self.src[after] == "_"):
            return None
        return name, after

    def _swallow_line_end(self) -> None:
        """After a directive: trailing blanks and the newline go, if nothing else follows on the line."""
        src = self.src
        probe = self.pos
        while probe < len(src) and src[probe] in " \t":
            probe += 1
        if probe >= len(src):
            self.pos = probe
            self.line_start = True
        elif src[probe] == "\n":
            self.pos = probe + 1
            self.line_start = True
        elif src.startswith("\r\n", probe):
            self.pos = probe + 2
            self.line_start = True
        else:
            self.line_start = False

    def directive(self, name: str) -> Any:
        if name == "set":
            self.expect("(")
            self.skip_space()
            if not self.src.startswith("$", self.pos):
                raise self.error("#set needs a reference on its left side")
            target = self.reference_at(self.pos, in_text=False)
            if target is None:
                raise self.error("#set needs a reference on its left side")
            self.expect("=")
            value = self.expression()
            self.expect(")")
            self._swallow_line_end()
            return Set(target, value)
        if name == "if":
            self.expect("(")
            condition = self.expression()
            self.expect(")")
            self._swallow_line_end()
            branches: list[tuple[Any, list[Any]]] = []
            otherwise = None
            while True:
                body, closer = self.block(frozenset({"end", "else", "elseif"}))
                branches.append((condition, body))
                if closer == "elseif":
                    self.expect("(")
                    condition = self.expression()
                    self.expect(")")
                    self._swallow_line_end()
                    continue
                if closer == "else":
                    self._swallow_line_end()
                    otherwise, _ = self.block(frozenset({"end"}))
                self._swallow_line_end()
                return If(branches, otherwise)
        if name == "foreach":
            self.expect("(")
            self.skip_space()
            ref = self.reference_at(self.pos, in_text=False)
            if ref is None or ref.accessors:
                raise self.error("#foreach needs a plain variable")
            self.skip_space()
            if not self.src.startswith("in", self.pos):
                raise self.error("#foreach needs 'in'")
            self.pos += 2
            iterable = self.expression()
            self.expect(")")
            self._swallow_line_end()
            body, _ = self.block(frozenset({"end"}))
            self._swallow_line_end()
            return Foreach(ref.name, iterable, body)
        self._swallow_line_end()
        return Break() if name == "break" else Stop()

    # References -------------------------------------------------------------------------

    def reference_at(self, start: int, in_text: bool) -> Reference | None:
        src = self.src
        pos = start + 1
        quiet = src.startswith("!", pos)
        if quiet:
            pos += 1
        braced = src.startswith("{", pos)
        if braced:
            pos += 1
        match = _IDENT.match(src, pos)
        if match is None:
            return None
        ref = Reference(match.group(0), [], quiet)
        self.pos = match.end()
        self.accessors(ref, in_text)
        if braced:
            if not src.startswith("}", self.pos):
                self.pos = start
                return None
            self.pos += 1
        ref.source = src[start : self.pos]
        return ref

    def accessors(self, ref: Reference, in_text: bool) -> None:
        src = self.src
        while self.pos < len(src):
            char = src[self.pos]
            if char == "." and not src.startswith("..", self.pos):
                match = _IDENT.match(src, self.pos + 1)
                if match is None:
                    return
                name = match.group(0)
                after = match.end()
                if src.startswith("(", after):
                    self.pos = after + 1
                    ref.accessors.append(Call(name, self.arguments(")")))
                else:
                    self.pos = after
                    ref.accessors.append(Property(name))
            elif char == "[":
                saved = self.pos
                self.pos += 1
                try:
                    key = self.expression()
                    self.expect("]")
                except TemplateSyntaxError:
                    if not in_text:
                        raise
                    self.pos = saved
                    return
                ref.accessors.append(Index(key))
            else:
                return

    def arguments(self, closer: str) -> list[Any]:
        args: list[Any] = []
        self.skip_space()
        if self.src.startswith(closer, self.pos):
            self.pos += 1
            return args
        while True:
            args.append(self.expression())
            self.skip_space()
            if self.src.startswith(",", self.pos):
                self.pos += 1
                continue
            self.expect(closer)
            return args

    # Expressions ------------------------------------------------------------------------

    def skip_space(self) -> None:
        src = self.src
        while self.pos < len(src) and src[self.pos] in " \t\r\n":
            self.pos += 1

    def expect(self, token: str) -> None:
        self.skip_space()
        if not self.src.startswith(token, self.pos):
            raise self.error(f"expected '{token}'")
        self.pos += len(token)

    def operator(self, choices: tuple[str, ...]) -> str | None:
        self.skip_space()
        src = self.src
        for op in choices:
            if op.isalpha():
                if src.startswith(op, self.pos):
                    after = self.pos + len(op)
                    if after >= len(src) or not (src[after].isalnum() or src[after] == "_"):
                        self.pos = after
                        return _WORD_OPS[op]
            elif src.startswith(op, self.pos):
                if op in ("<", ">", "!", "=") and src.startswith(op + "=", self.pos):
                    continue
                self.pos += len(op)
                return op
        return None

    def expression(self) -> Any:
        return self._or()

    def _or(self) -> Any:
        left = self._and()
        while (op := self.operator(("||", "or"))) is not None:
            left = Binary(op, left, self._and())
        return left

    def _and(self) -> Any:
        left = self._equality()
        while (op := self.operator(("&&", "and"))) is not None:
            left = Binary(op, left, self._equality())
        return left

    def _equality(self) -> Any:
        left = self._relation()
        while (op := self.operator(("==", "!=", "eq", "ne"))) is not None:
            left = Binary(op, left, self._relation())
        return left

    def _relation(self) -> Any:
        left = self._additive()
        while (op := self.operator(("<=", ">=", "<", ">", "le", "ge", "lt", "gt"))) is not None:
            left = Binary(op, left, self._additive())
        return left

    def _additive(self) -> Any:
        left = self._multiplicative()
        while (op := self.operator(("+", "-"))) is not None:
            left = Binary(op, left, self._multiplicative())
        return left

    def _multiplicative(self) -> Any:
        left = self._unary()
        while (op := self.operator(("*", "/", "%"))) is not None:
            left = Binary(op, left, self._unary())
        return left

    def _unary(self) -> Any:
        op = self.operator(("!", "not", "-"))
        if op is not None:
            return Unary(op, self._unary())
        return self._primary()

    def _primary(self) -> Any:
        self.skip_space()
        src = self.src
        if self.pos >= len(src):
            raise self.error("unexpected end of template")
        char = src[self.pos]
        if char == "$":
            ref = self.reference_at(self.pos, in_text=False)
            if ref is None:
                raise self.error("invalid reference")
            return ref
        if char == "(":
            self.pos += 1
            value = self.expression()
            self.expect(")")
            return value
        if char == '"' or char == "'":
            return self.string(char)
        if char == "[":
            self.pos += 1
            self.skip_space()
            if src.startswith("]", self.pos):
                self.pos += 1
                return ListLiteral([])
            first = self.expression()
            self.skip_space()
            if src.startswith("..", self.pos):
                self.pos += 2
                end = self.expression()
                self.expect("]")
                return RangeLiteral(first, end)
            items = [first]
            while self.operator((",",)) is not None:
                items.append(self.expression())
            self.expect("]")
            return ListLiteral(items)
        if char == "{":
            self.pos += 1
            entries: list[tuple[Any, Any]] = []
            self.skip_space()
            if src.startswith("}", self.pos):
                self.pos += 1
                return MapLiteral(entries)
            while True:
                key = self.expression()
                self.expect(":")
                entries.append((key, self.expression()))
                if self.operator((",",)) is None:
                    break
            self.expect("}")
            return MapLiteral(entries)
        number = _NUMBER.match(src, self.pos)
        if number:
            self.pos = number.end()
            text = number.group(0)
            return Literal(float(text) if number.group(1) else int(text))
        word = _IDENT.match(src, self.pos)
        if word and word.group(0) in ("true", "false", "null"):
            self.pos = word.end()
            return Literal({"true": True, "false": False, "null": None}[word.group(0)])
        raise self.error(f"unexpected '{char}'")

    def string(self, quote: str) -> Any:
        src = self.src
        start = self.pos + 1
        end = start
        while True:
            end = src.find(quote, end)
            if end < 0:
                raise self.error("unterminated string")
            if src.startswith(quote * 2, end):
                end += 2
                continue
            break
        self.pos = end + 1
        raw = src[start:end].replace(quote * 2, quote)
        if quote == "'" or ("$" not in raw and "#" not in raw):
            return Literal(raw)
        inner = _Parser(raw)
        body, closer = inner.block(frozenset())
        if closer is not None:
            raise self.error(f"#{closer} without a matching directive")
        return Interpolated(body)
