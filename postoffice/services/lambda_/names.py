"""Function and layer names and ARNs, in every form Lambda accepts.

A FunctionName may be `my-function`, `my-function:alias`, `123456789012:function:my-function`
or `arn:aws:lambda:us-east-1:123456789012:function:my-function[:qualifier]`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from postoffice.protocol.context import RequestContext
from postoffice.services.lambda_.errors import invalid

_NAME = r"([a-zA-Z0-9-_]+)(?::([a-zA-Z0-9-_$]+))?$"
_ARN = re.compile(r"^arn:(aws[a-zA-Z-]*):lambda:([a-z0-9-]+):(\d{12}):function:" + _NAME)
_PARTIAL = re.compile(r"^(\d{12}):function:" + _NAME)
_PLAIN = re.compile(r"^" + _NAME)
_LAYER_VERSION_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]+):([0-9]+)$")
_LAYER_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]+)$")
VERSION_NUMBER = re.compile(r"^[0-9]+$")


@dataclass(frozen=True)
class FunctionRef:
    account: str
    region: str
    name: str
    qualifier: str | None = None

    @property
    def arn(self) -> str:
        return function_arn(self.account, self.region, self.name)

    @property
    def qualified_arn(self) -> str:
        return self.arn if self.qualifier is None else f"{self.arn}:{self.qualifier}"


def function_arn(account: str, region: str, name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    return arn if qualifier is None else f"{arn}:{qualifier}"


def resolve(ctx: RequestContext, function_name: str, qualifier: str | None = None) -> FunctionRef:
    """Name, account, region and qualifier of a FunctionName (plus an optional Qualifier)."""
    account, region = ctx.account, ctx.region
    found = _ARN.match(function_name)
    if found:
        _, region, account, name, derived = found.groups()
    else:
        found = _PARTIAL.match(function_name)
        if found:
            account, name, derived = found.groups()
        else:
            found = _PLAIN.match(function_name)
            if not found:
                raise invalid(f"Invalid function name: {function_name}")
            name, derived = found.groups()
    if derived is not None and qualifier is not None and derived != qualifier:
        raise invalid("The derived qualifier from the function name does not match the specified qualifier.")
    return FunctionRef(account, region, name, qualifier if qualifier is not None else derived)


def parse_function_arn(arn: str) -> FunctionRef | None:
    found = _ARN.match(arn)
    if not found:
        return None
    _, region, account, name, qualifier = found.groups()
    return FunctionRef(account, region, name, qualifier)


def layer_arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{account}:layer:{name}"


def parse_layer_version_arn(arn: str) -> tuple[str, str, str, int] | None:
    """(region, account, name, version) of a layer version ARN."""
    found = _LAYER_VERSION_ARN.match(arn)
    if not found:
        return None
    region, account, name, version = found.groups()
    return region, account, name, int(version)


def parse_layer_name(ctx: RequestContext, layer_name: str) -> tuple[str, str, str]:
    """(account, region, name) of a LayerName given as a name or a layer ARN."""
    found = _LAYER_ARN.match(layer_name)
    if found:
        region, account, name = found.groups()
        return account, region, name
    return ctx.account, ctx.region, layer_name
