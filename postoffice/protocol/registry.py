"""The wire protocols postoffice speaks, by the names botocore's models use."""

from __future__ import annotations

from postoffice.protocol.base import WireProtocol
from postoffice.protocol.cbor_protocol import RpcV2CborProtocol
from postoffice.protocol.json_protocol import JsonProtocol
from postoffice.protocol.query_protocol import QueryProtocol
from postoffice.protocol.rest_json_protocol import RestJsonProtocol

PROTOCOLS: dict[str, WireProtocol] = {
    protocol.name: protocol for protocol in (JsonProtocol(), QueryProtocol(), RestJsonProtocol(), RpcV2CborProtocol())
}


def protocol(name: str) -> WireProtocol:
    return PROTOCOLS[name]
