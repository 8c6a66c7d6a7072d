"""AWS query: `Action` + `Version` + parameters, form-encoded in a POST body or in a GET query
string; answers in XML.

    <SendMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">
      <SendMessageResult>...</SendMessageResult>
      <ResponseMetadata><RequestId>...</RequestId></ResponseMetadata>
    </SendMessageResponse>

    <ErrorResponse xmlns="...">
      <Error><Type>Sender</Type><Code>...</Code><Message>...</Message></Error>
      <RequestId>...</RequestId>
    </ErrorResponse>
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from botocore.model import OperationModel, ServiceModel

from postoffice.protocol.base import WireProtocol
from postoffice.protocol.context import RequestContext
from postoffice.protocol.error_info import wire_error
from postoffice.protocol.errors import ServiceError, invalid_action, malformed_query_string, missing_action
from postoffice.protocol.http import HttpRequest, HttpResponse
from postoffice.protocol.query_decode import decode_params, decode_params_checked, fold
from postoffice.protocol.query_names import query_names
from postoffice.protocol.xml_encode import Writer, escape, members_writer, writer_for

if TYPE_CHECKING:
    from postoffice.services.base import Service

FORM = "application/x-www-form-urlencoded"
XML = "text/xml"
_FORM_KEY = "query.form"


def _unescape(text: str) -> str:
    if "+" in text:
        text = text.replace("+", " ")
    return unquote(text, errors="strict") if "%" in text else text


def parse_form(text: str) -> list[tuple[str, str]]:
    """`a=1&b=x+y` as pairs; invalid UTF-8 in an escape raises UnicodeDecodeError."""
    pairs = []
    if "%" not in text and "+" not in text:  # nothing escaped (GetCallerIdentity, most names)
        for part in text.split("&"):
            if part:
                key, _, value = part.partition("=")
                pairs.append((key, value))
        return pairs
    for part in text.split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append((_unescape(key), _unescape(value)))
    return pairs


def form_pairs(request: HttpRequest) -> list[tuple[str, str]]:
    """The query string's parameters, then the form body's (a body that is not a form is ignored)."""
    pairs = request.memo.get(_FORM_KEY)
    if pairs is None:
        pairs = parse_form(request.query_string) if request.query_string else []
        content_type = request.content_type
        if request.body and (content_type == FORM or not content_type):
            try:
                pairs.extend(parse_form(request.body.decode("utf-8")))
            except UnicodeDecodeError:
                raise malformed_query_string() from None
        request.memo[_FORM_KEY] = pairs
    return pairs


@dataclass(frozen=True)
class Answer:
    """What every answer of one operation shares: built once."""

    start: str  # <OpResponse xmlns="...">
    write: Writer | None  # the result, in its wrapper element when the model names one
    end: str  # </OpResponse>


_answers: dict[int, tuple[OperationModel, str, Answer]] = {}


def _answer(model_name: str, operation: OperationModel) -> Answer:
    entry = _answers.get(id(operation))
    if entry is not None and entry[0] is operation and entry[1] == model_name:
        return entry[2]
    names = query_names(model_name)
    root = f"{operation.name}Response"
    write = None
    shape = operation.output_shape
    if shape is not None:
        wrapper = names.result_wrapper(operation)
        write = writer_for(names, shape, wrapper) if wrapper else members_writer(names, shape)
    answer = Answer(f'<{root} xmlns="{names.namespace}">', write, f"</{root}>")
    _answers[id(operation)] = (operation, model_name, answer)
    return answer


_operation_name_sets: dict[int, tuple[ServiceModel, frozenset[str]]] = {}


def _operation_names(model: ServiceModel) -> frozenset[str]:
    """The model's operation names as a set (botocore gives a list: IAM's has 170 names)."""
    entry = _operation_name_sets.get(id(model))
    if entry is None or entry[0] is not model:
        entry = _operation_name_sets[id(model)] = (model, frozenset(model.operation_names))
    return entry[1]


class QueryProtocol(WireProtocol):
    name = "query"

    def operation_name(self, service: Service, request: HttpRequest) -> str:
        action = None
        for key, value in form_pairs(request):
            if key == "Action":
                action = value
        if not action:
            raise missing_action()
        if action not in _operation_names(service.model):
            raise invalid_action(action)
        return action

    def parse(self, service: Service, operation: OperationModel, request: HttpRequest) -> dict[str, Any]:
        names = query_names(service.model_name or service.name)
        return decode_params(names, operation.input_shape, fold(form_pairs(request)))

    def parse_checked(
        self, service: Service, operation: OperationModel, request: HttpRequest
    ) -> tuple[dict[str, Any], bool]:
        names = query_names(service.model_name or service.name)
        return decode_params_checked(names, operation.input_shape, fold(form_pairs(request)))

    def serialize(
        self, service: Service, operation: OperationModel, result: dict[str, Any], ctx: RequestContext
    ) -> HttpResponse:
        answer = _answer(service.model_name or service.name, operation)
        out = [answer.start]
        if answer.write is not None:
            answer.write(result, out)
        out.append(f"<ResponseMetadata><RequestId>{escape(ctx.request_id)}</RequestId></ResponseMetadata>{answer.end}")
        return HttpResponse(200, "".join(out).encode(), [("x-amzn-RequestId", ctx.request_id)], XML)

    def serialize_error(self, service: Service, error: ServiceError, ctx: RequestContext) -> HttpResponse:
        names = query_names(service.model_name or service.name)
        wire = wire_error(service, error)
        out = [
            f'<ErrorResponse xmlns="{names.namespace}"><Error><Type>{wire.fault}</Type>',
            f"<Code>{escape(wire.query_code)}</Code><Message>{escape(wire.message)}</Message>",
        ]
        if wire.fields:
            members = wire.shape.members if wire.shape is not None else {}
            for name, value in wire.fields.items():
                if value is None or name in ("message", "Message"):
                    continue
                member = members.get(name)
                if member is not None:
                    writer_for(names, member, member.serialization.get("name", name))(value, out)
                else:
                    out.append(f"<{name}>{escape(str(value))}</{name}>")
        out.append(f"</Error><RequestId>{escape(ctx.request_id)}</RequestId></ErrorResponse>")
        return HttpResponse(wire.status, "".join(out).encode(), [("x-amzn-RequestId", ctx.request_id)], XML)
