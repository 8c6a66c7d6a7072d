"""Connection and API destination operations.

A connection keeps its credentials (AWS keeps them in a Secrets Manager secret named in
SecretArn) and shows only their public half: the username, the API key name, the OAuth client
ID, and the invocation parameters not marked secret.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from postoffice.protocol.context import RequestContext
from postoffice.services.events import errors
from postoffice.services.events.api_destinations import DEFAULT_RATE_LIMIT
from postoffice.services.events.arns import (
    api_destination_arn,
    connection_arn,
    connection_secret_arn,
    name_from_arn,
)
from postoffice.services.events.models import ApiDestination, Connection
from postoffice.services.events.paging import page
from postoffice.services.events.state import EventsState

AUTH_BLOCKS = {
    "BASIC": "BasicAuthParameters",
    "API_KEY": "ApiKeyAuthParameters",
    "OAUTH_CLIENT_CREDENTIALS": "OAuthParameters",
}
_SECRET_FIELDS = {"Password", "ApiKeyValue", "ClientSecret"}


class ConnectionOperations(EventsState):
    async def CreateConnection(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["Name"]
        if self.connections.get(ctx.account, ctx.region, name) is not None:
            raise errors.already_exists(f"Connection {name} already exists.")
        auth_type = params["AuthorizationType"]
        auth = params["AuthParameters"]
        _check_auth(auth_type, auth)
        now = self.system.clock.now()
        connection = Connection(
            name=name,
            arn=connection_arn(ctx.region, ctx.account, name),
            authorization_type=auth_type,
            auth_parameters=auth,
            state="AUTHORIZED",
            secret_arn=connection_secret_arn(ctx.region, ctx.account, name),
            created=now,
            modified=now,
            last_authorized=now,
            description=params.get("Description"),
            kms_key=params.get("KmsKeyIdentifier"),
            connectivity=params.get("InvocationConnectivityParameters"),
        )
        await self.connections.put(ctx.account, ctx.region, name, connection)
        state = "AUTHORIZING" if auth_type == "OAUTH_CLIENT_CREDENTIALS" else connection.state
        return {"ConnectionArn": connection.arn, "ConnectionState": state, "CreationTime": now, "LastModifiedTime": now}

    async def DescribeConnection(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        connection = self.get_connection(ctx.account, ctx.region, params["Name"])
        out: dict[str, Any] = {"ConnectionArn": connection.arn, "Name": connection.name}
        if connection.description:
            out["Description"] = connection.description
        if connection.connectivity:
            out["InvocationConnectivityParameters"] = connection.connectivity
        out["ConnectionState"] = connection.state
        if connection.state_reason:
            out["StateReason"] = connection.state_reason
        out["AuthorizationType"] = connection.authorization_type
        out["SecretArn"] = connection.secret_arn
        if connection.kms_key:
            out["KmsKeyIdentifier"] = connection.kms_key
        out["AuthParameters"] = public_auth_parameters(connection.auth_parameters)
        out.update(_times(connection))
        return out

    async def ListConnections(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        prefix, state = params.get("NamePrefix") or "", params.get("ConnectionState")
        connections = [
            connection
            for connection in self.connections.list(ctx.account, ctx.region)
            if connection.name.startswith(prefix) and (state is None or connection.state == state)
        ]
        chosen, token = page(
            connections, lambda connection: connection.name, params.get("Limit"), params.get("NextToken")
        )
        out: dict[str, Any] = {"Connections": [_connection_summary(connection) for connection in chosen]}
        if token:
            out["NextToken"] = token
        return out

    async def UpdateConnection(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        connection = self.get_connection(ctx.account, ctx.region, params["Name"])
        auth_type = params.get("AuthorizationType") or connection.authorization_type
        auth = connection.auth_parameters if auth_type == connection.authorization_type else {}
        auth = _merge(auth, params.get("AuthParameters") or {})
        _check_auth(auth_type, auth)
        now = self.system.clock.now()
        changes: dict[str, Any] = {
            "authorization_type": auth_type,
            "auth_parameters": auth,
            "state": "AUTHORIZED",
            "state_reason": None,
            "modified": now,
            "last_authorized": now,
        }
        if "Description" in params:
            changes["description"] = params["Description"] or None
        if "KmsKeyIdentifier" in params:
            changes["kms_key"] = params["KmsKeyIdentifier"] or None
        if "InvocationConnectivityParameters" in params:
            changes["connectivity"] = params["InvocationConnectivityParameters"]
        connection = dataclasses.replace(connection, **changes)
        await self.connections.put(ctx.account, ctx.region, connection.name, connection)
        return {"ConnectionArn": connection.arn, "ConnectionState": connection.state, **_times(connection)}

    async def DeleteConnection(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        connection = self.get_connection(ctx.account, ctx.region, params["Name"])
        await self.connections.delete(ctx.account, ctx.region, connection.name)
        return {"ConnectionArn": connection.arn, "ConnectionState": "DELETING", **_times(connection)}

    async def DeauthorizeConnection(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        connection = self.get_connection(ctx.account, ctx.region, params["Name"])
        connection = dataclasses.replace(
            connection,
            auth_parameters=_without_secrets(connection.auth_parameters),
            state="DEAUTHORIZED",
            modified=self.system.clock.now(),
        )
        await self.connections.put(ctx.account, ctx.region, connection.name, connection)
        return {"ConnectionArn": connection.arn, "ConnectionState": "DEAUTHORIZING", **_times(connection)}

    async def CreateApiDestination(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["Name"]
        if self.destinations.get(ctx.account, ctx.region, name) is not None:
            raise errors.already_exists(f"An api-destination '{name}' already exists.")
        connection = self._connection_for(ctx, params["ConnectionArn"])
        now = self.system.clock.now()
        destination = ApiDestination(
            name=name,
            arn=api_destination_arn(ctx.region, ctx.account, name),
            connection_arn=connection.arn,
            endpoint=params["InvocationEndpoint"],
            method=params["HttpMethod"],
            rate_limit=params.get("InvocationRateLimitPerSecond") or DEFAULT_RATE_LIMIT,
            created=now,
            modified=now,
            description=params.get("Description"),
        )
        await self.destinations.put(ctx.account, ctx.region, name, destination)
        return self._destination_result(ctx, destination)

    async def DescribeApiDestination(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        destination = self.get_destination(ctx.account, ctx.region, params["Name"])
        out = self._destination_summary(ctx, destination)
        if destination.description:
            out["Description"] = destination.description
        return out

    async def ListApiDestinations(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        prefix, connection = params.get("NamePrefix") or "", params.get("ConnectionArn")
        destinations = [
            destination
            for destination in self.destinations.list(ctx.account, ctx.region)
            if destination.name.startswith(prefix) and (connection is None or destination.connection_arn == connection)
        ]
        chosen, token = page(destinations, lambda item: item.name, params.get("Limit"), params.get("NextToken"))
        out: dict[str, Any] = {"ApiDestinations": [self._destination_summary(ctx, item) for item in chosen]}
        if token:
            out["NextToken"] = token
        return out

    async def UpdateApiDestination(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        destination = self.get_destination(ctx.account, ctx.region, params["Name"])
        changes: dict[str, Any] = {"modified": self.system.clock.now()}
        if params.get("ConnectionArn"):
            changes["connection_arn"] = self._connection_for(ctx, params["ConnectionArn"]).arn
        for param, field in (
            ("InvocationEndpoint", "endpoint"),
            ("HttpMethod", "method"),
            ("InvocationRateLimitPerSecond", "rate_limit"),
            ("Description", "description"),
        ):
            if params.get(param) is not None:
                changes[field] = params[param]
        destination = dataclasses.replace(destination, **changes)
        await self.destinations.put(ctx.account, ctx.region, destination.name, destination)
        return self._destination_result(ctx, destination)

    async def DeleteApiDestination(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        destination = self.get_destination(ctx.account, ctx.region, params["Name"])
        await self.destinations.delete(ctx.account, ctx.region, destination.name)
        return {}

    def _connection_for(self, ctx: RequestContext, arn: str) -> Connection:
        name = name_from_arn(arn, "connection") or arn
        connection = self.get_connection(ctx.account, ctx.region, name)
        if connection.arn != arn:
            raise errors.connection_not_found(name)
        return connection

    def _destination_state(self, ctx: RequestContext, destination: ApiDestination) -> str:
        name = name_from_arn(destination.connection_arn, "connection") or ""
        connection = self.connections.get(ctx.account, ctx.region, name)
        return "ACTIVE" if connection is not None and connection.state == "AUTHORIZED" else "INACTIVE"

    def _destination_result(self, ctx: RequestContext, destination: ApiDestination) -> dict[str, Any]:
        return {
            "ApiDestinationArn": destination.arn,
            "ApiDestinationState": self._destination_state(ctx, destination),
            "CreationTime": destination.created,
            "LastModifiedTime": destination.modified,
        }

    def _destination_summary(self, ctx: RequestContext, destination: ApiDestination) -> dict[str, Any]:
        return {
            "ApiDestinationArn": destination.arn,
            "Name": destination.name,
            "ApiDestinationState": self._destination_state(ctx, destination),
            "ConnectionArn": destination.connection_arn,
            "InvocationEndpoint": destination.endpoint,
            "HttpMethod": destination.method,
            "InvocationRateLimitPerSecond": destination.rate_limit,
            "CreationTime": destination.created,
            "LastModifiedTime": destination.modified,
        }


def public_auth_parameters(auth: dict[str, Any]) -> dict[str, Any]:
    """The authorization parameters as DescribeConnection shows them: no secret values."""
    out: dict[str, Any] = {}
    for block, value in auth.items():
        if block == "InvocationHttpParameters":
            out[block] = _public_http_parameters(value)
        elif block == "OAuthParameters":
            oauth = {key: item for key, item in value.items() if key != "ClientParameters"}
            oauth["ClientParameters"] = {"ClientID": (value.get("ClientParameters") or {}).get("ClientID", "")}
            if "OAuthHttpParameters" in value:
                oauth["OAuthHttpParameters"] = _public_http_parameters(value["OAuthHttpParameters"])
            out[block] = oauth
        elif isinstance(value, dict):
            out[block] = {key: item for key, item in value.items() if key not in _SECRET_FIELDS}
    return out


def _public_http_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for kind, items in parameters.items():
        shown[kind] = [
            {key: value for key, value in item.items() if not (key == "Value" and item.get("IsValueSecret"))}
            for item in items
        ]
    return shown


def _without_secrets(auth: dict[str, Any]) -> dict[str, Any]:
    return public_auth_parameters(auth)


def _check_auth(auth_type: str, auth: dict[str, Any]) -> None:
    block = AUTH_BLOCKS[auth_type]
    if not auth.get(block):
        raise errors.validation(f"Parameter(s) {block} must be specified for authorization type {auth_type}.")
    for other_type, other in AUTH_BLOCKS.items():
        if other_type != auth_type and auth.get(other):
            raise errors.validation(f"Parameter(s) {other} cannot be specified for authorization type {auth_type}.")


def _merge(current: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    merged = dict(current)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _times(connection: Connection) -> dict[str, Any]:
    out: dict[str, Any] = {"CreationTime": connection.created, "LastModifiedTime": connection.modified}
    if connection.last_authorized is not None:
        out["LastAuthorizedTime"] = connection.last_authorized
    return out


def _connection_summary(connection: Connection) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ConnectionArn": connection.arn,
        "Name": connection.name,
        "ConnectionState": connection.state,
    }
    if connection.state_reason:
        out["StateReason"] = connection.state_reason
    out["AuthorizationType"] = connection.authorization_type
    out.update(_times(connection))
    return out
