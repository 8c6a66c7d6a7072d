"""Request validators: required method request parameters, and the body against the method's
model (JSON Schema draft 4, with `$ref`s to the API's other models)."""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from typing import Any

import jsonschema
import orjson

from postoffice.services.apigateway.invocation import GatewayError, Invocation, spaced

_MODEL_REF = re.compile(r"^https://apigateway\.amazonaws\.com/restapis/[^/]+/models/([^/#]+)(#.*)?$")
_LOCATIONS = {
    "path": "path",
    "querystring": "querystring",
    "multivaluequerystring": "querystring",
    "header": "header",
    "multivalueheader": "header",
}


def validate_request(invocation: Invocation) -> None:
    method = invocation.method
    validator_id = method.get("requestValidatorId")
    if not validator_id:
        return
    validator = invocation.snapshot.get("validators", {}).get(validator_id)
    if validator is None:
        return
    if validator.get("validateRequestParameters"):
        _check_parameters(invocation)
    if validator.get("validateRequestBody"):
        _check_body(invocation)


def _check_parameters(invocation: Invocation) -> None:
    params = invocation.params()
    missing = []
    for name, required in (invocation.method.get("requestParameters") or {}).items():
        if not required:
            continue
        parts = name.split(".", 3)
        if len(parts) != 4:
            continue
        location = _LOCATIONS.get(parts[2])
        if location is None:
            continue
        value = params[location].get(parts[3])
        if value is None or (location == "header" and value == ""):
            missing.append(parts[3])
    if missing:
        message = f"Missing required request parameters: [{', '.join(missing)}]"
        raise GatewayError("BAD_REQUEST_PARAMETERS", message, body=spaced(message))


def _check_body(invocation: Invocation) -> None:
    models = invocation.method.get("requestModels") or {}
    content_type = invocation.request.content_type or "application/json"
    model_name = models.get(content_type) or models.get("$default")
    if model_name is None and len(models) == 1 and not invocation.request.content_type:
        model_name = next(iter(models.values()))
    if model_name is None:
        return
    available = invocation.snapshot.get("models", {})
    if model_name not in available:
        return
    errors = body_errors(invocation.request.body, model_name, available)
    if errors:
        validation = ("[" + ", ".join(errors) + "]").replace('"', '\\"')
        raise GatewayError(
            "BAD_REQUEST_BODY",
            "Invalid request body",
            body=spaced("Invalid request body"),
            validation_errors=validation,
        )


def body_errors(body: bytes, model_name: str, models: dict[str, dict[str, Any]]) -> list[str]:
    try:
        document = orjson.loads(body) if body.strip() else {}
    except orjson.JSONDecodeError as error:
        return [f"Invalid JSON in request body: {error}"]
    validator = _validator(model_name, _models_key(models))
    if validator is None:
        return []
    return [_describe(error) for error in validator.iter_errors(document)]


def _models_key(models: dict[str, dict[str, Any]]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((name, model.get("schema") or "{}") for name, model in models.items()))


@lru_cache(maxsize=256)
def _validator(model_name: str, models: tuple[tuple[str, str], ...]) -> Any:
    schemas: dict[str, Any] = {}
    for name, text in models:
        try:
            schemas[name] = orjson.loads(text)
        except orjson.JSONDecodeError:
            schemas[name] = {}
    if model_name not in schemas:
        return None
    definitions: dict[str, Any] = {}
    root = _inline(copy.deepcopy(schemas[model_name]), schemas, definitions)
    if not isinstance(root, dict):
        return None
    if definitions:
        root.setdefault("definitions", {}).update(definitions)
    try:
        jsonschema.Draft4Validator.check_schema(root)
    except jsonschema.SchemaError:
        return None
    return jsonschema.Draft4Validator(root)


def _inline(node: Any, schemas: dict[str, Any], definitions: dict[str, Any]) -> Any:
    """Point `$ref`s to the API's models at copies of them under `#/definitions`."""
    if isinstance(node, list):
        return [_inline(item, schemas, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            match = _MODEL_REF.match(value)
            if match and match.group(1) in schemas:
                name = match.group(1)
                slot = f"__model_{name}"
                if slot not in definitions:
                    definitions[slot] = {}
                    referenced = copy.deepcopy(schemas[name])
                    if isinstance(referenced, dict):
                        referenced.pop("$schema", None)
                    definitions[slot] = _inline(referenced, schemas, definitions)
                out[key] = f"#/definitions/{slot}{(match.group(2) or '').lstrip('#')}"
                continue
        out[key] = _inline(value, schemas, definitions)
    return out


def _describe(error: jsonschema.ValidationError) -> str:
    """Roughly the wording of the validator API Gateway runs (fge json-schema-validator)."""
    where = "/" + "/".join(str(part) for part in error.absolute_path)
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in (error.instance or {})]
        names = ",".join(f'"{name}"' for name in missing)
        return f"object has missing required properties ([{names}])"
    if error.validator == "type":
        expected = error.validator_value
        found = _json_type(error.instance)
        wanted = ",".join(f'"{item}"' for item in (expected if isinstance(expected, list) else [expected]))
        return f"instance type ({found}) does not match any allowed primitive type (allowed: [{wanted}])"
    return f"{error.message} (at {where})"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
