"""Mobile push and SMS: platform applications and endpoints, SMS settings, opt-outs and the
SMS sandbox. Accepted, checked and stored as AWS does; nothing is sent to a phone or a push
service (messages published to them are recorded, see recorded.py)."""

from __future__ import annotations

import dataclasses
import re
import uuid
from typing import Any

from postoffice.core.arns import parse_arn
from postoffice.protocol.context import RequestContext
from postoffice.services.sns.arns import application_arn, endpoint_arn
from postoffice.services.sns.errors import invalid_parameter, not_found, resource_not_found, validation_error
from postoffice.services.sns.models import PlatformApplication, PlatformEndpoint, SmsSettings
from postoffice.services.sns.paging import page
from postoffice.services.sns.state import SnsState

PLATFORMS = frozenset({"ADM", "APNS", "APNS_SANDBOX", "BAIDU", "GCM", "MPNS", "WNS"})
CERTIFICATE_PLATFORMS = frozenset({"APNS", "APNS_SANDBOX", "BAIDU"})
ENDPOINT_ATTRIBUTES = frozenset({"CustomUserData", "Enabled", "Token"})
MAX_CUSTOM_USER_DATA = 2048
SMS_ATTRIBUTES = frozenset(
    {
        "DefaultSenderID", "DefaultSMSType", "MonthlySpendLimit", "DeliveryStatusIAMRole",
        "DeliveryStatusSuccessSamplingRate", "UsageReportS3Bucket",
    }
)  # fmt: skip
SMS_TYPES = frozenset({"Promotional", "Transactional"})
DEFAULT_SMS_ATTRIBUTES = {"MonthlySpendLimit": "1"}
_APPLICATION_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_SENDER_ID = re.compile(r"[A-Za-z0-9]{1,11}")
_PHONE = re.compile(r"\+?[0-9]{8,15}")


def _check_application_name(name: str) -> None:
    reason = ""
    if not name:
        reason = "cannot be empty"
    elif len(name) > 256:
        reason = "must be at most 256 characters long"
    elif not _APPLICATION_NAME.fullmatch(name):
        reason = "must contain only characters 'a'-'z', 'A'-'Z', '0'-'9', '_', '-', and '.'"
    if reason:
        raise invalid_parameter(f"Invalid parameter: {name} Reason: {reason}")


def _require_attributes(attributes: dict[str, str] | None) -> dict[str, str]:
    if not attributes:
        raise validation_error(
            "1 validation error detected: Value null at 'attributes' failed to satisfy constraint: "
            "Member must not be null"
        )
    return attributes


def _check_endpoint_attributes(attributes: dict[str, str]) -> None:
    for name in attributes:
        if name not in ENDPOINT_ATTRIBUTES:
            raise invalid_parameter(f"Invalid parameter: Attributes Reason: Invalid attribute name: {name}")
    if len(attributes.get("CustomUserData", "").encode("utf-8")) > MAX_CUSTOM_USER_DATA:
        raise invalid_parameter(
            "Invalid parameter: Attributes Reason: Invalid value for attribute: CustomUserData: must be at most "
            "2048 bytes long in UTF-8 encoding"
        )


def _parse_application_arn(text: str) -> tuple[str, str]:
    arn = parse_arn(text)
    if arn is None:
        count = len(text.split(":"))
        raise invalid_parameter(
            f"Invalid parameter: PlatformApplicationArn Reason: An ARN must have at least 6 elements, not {count}"
        )
    return arn.account, arn.region


class MobileOperations(SnsState):
    # Platform applications -----------------------------------------------------------------

    def _application(self, arn: str) -> PlatformApplication:
        account, region = _parse_application_arn(arn)
        application = self.applications.get(account, region, arn)
        if application is None:
            raise not_found("PlatformApplication does not exist")
        return application

    async def CreatePlatformApplication(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name, platform = params["Name"], params["Platform"]
        _check_application_name(name)
        if platform not in PLATFORMS:
            raise invalid_parameter(f"Invalid parameter: Platform Reason: {platform} is not supported")
        attributes = dict(_require_attributes(params.get("Attributes")))
        if platform in CERTIFICATE_PLATFORMS:
            if "PlatformCredential" in attributes and "PlatformPrincipal" not in attributes:
                raise invalid_parameter(
                    "Invalid parameter: Attributes Reason: PlatformCredential attribute provided without "
                    "PlatformPrincipal"
                )
            if "PlatformPrincipal" in attributes and "PlatformCredential" not in attributes:
                raise invalid_parameter(
                    "Invalid parameter: Attributes Reason: PlatformPrincipal attribute provided without "
                    "PlatformCredential"
                )
        attributes.pop("PlatformCredential", None)
        attributes.pop("PlatformPrincipal", None)
        arn = application_arn(ctx.region, ctx.account, platform, name)
        application = PlatformApplication(arn, name, platform, {"Enabled": "true", **attributes})
        await self.applications.put(ctx.account, ctx.region, arn, application)
        return {"PlatformApplicationArn": arn}

    async def DeletePlatformApplication(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        arn = params["PlatformApplicationArn"]
        account, region = _parse_application_arn(arn)
        if self.applications.get(account, region, arn) is None:
            return
        for endpoint in self.endpoints.list(account, region):
            if endpoint.application_arn == arn:
                await self.endpoints.delete(account, region, endpoint.arn)
        await self.applications.delete(account, region, arn)

    def GetPlatformApplicationAttributes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return {"Attributes": dict(self._application(params["PlatformApplicationArn"]).attributes)}

    async def SetPlatformApplicationAttributes(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        attributes = dict(_require_attributes(params.get("Attributes")))
        application = self._application(params["PlatformApplicationArn"])
        attributes.pop("PlatformCredential", None)
        attributes.pop("PlatformPrincipal", None)
        updated = dataclasses.replace(application, attributes={**application.attributes, **attributes})
        account, region = _parse_application_arn(application.arn)
        await self.applications.put(account, region, application.arn, updated)

    def ListPlatformApplications(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        items, token = page(self.applications.list(ctx.account, ctx.region), lambda a: a.arn, params.get("NextToken"))
        result: dict[str, Any] = {
            "PlatformApplications": [
                {"PlatformApplicationArn": item.arn, "Attributes": dict(item.attributes)} for item in items
            ]
        }
        if token:
            result["NextToken"] = token
        return result

    # Platform endpoints ----------------------------------------------------------------------

    def _endpoint(self, arn: str) -> PlatformEndpoint:
        parsed = parse_arn(arn)
        endpoint = self.endpoints.get(parsed.account, parsed.region, arn) if parsed is not None else None
        if endpoint is None:
            raise not_found("Endpoint does not exist")
        return endpoint

    async def CreatePlatformEndpoint(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        application = self._application(params["PlatformApplicationArn"])
        account, region = _parse_application_arn(application.arn)
        token: str = params["Token"]
        given = dict(params.get("Attributes") or {})
        _check_endpoint_attributes(given)
        if params.get("CustomUserData") is not None:
            given.setdefault("CustomUserData", params["CustomUserData"])
        attributes = {"Enabled": "true", "Token": token, **given}
        for existing in self.endpoints.list(account, region):
            if existing.application_arn == application.arn and existing.token == token:
                if existing.attributes != attributes:
                    raise invalid_parameter(
                        f"Invalid parameter: Token Reason: Endpoint {existing.arn} already exists with the same "
                        "Token, but different attributes."
                    )
                return {"EndpointArn": existing.arn}
        arn = endpoint_arn(application.arn, str(uuid.uuid4()))
        await self.endpoints.put(account, region, arn, PlatformEndpoint(arn, application.arn, token, attributes))
        return {"EndpointArn": arn}

    async def DeleteEndpoint(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        parsed = parse_arn(params["EndpointArn"])
        if parsed is not None:
            await self.endpoints.delete(parsed.account, parsed.region, params["EndpointArn"])

    def GetEndpointAttributes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return {"Attributes": dict(self._endpoint(params["EndpointArn"]).attributes)}

    async def SetEndpointAttributes(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        endpoint = self._endpoint(params["EndpointArn"])
        attributes = _require_attributes(params.get("Attributes"))
        _check_endpoint_attributes(attributes)
        merged = {**endpoint.attributes, **attributes}
        updated = dataclasses.replace(endpoint, attributes=merged, token=merged.get("Token", endpoint.token))
        parsed = parse_arn(endpoint.arn)
        assert parsed is not None
        await self.endpoints.put(parsed.account, parsed.region, endpoint.arn, updated)

    def ListEndpointsByPlatformApplication(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        application = self._application(params["PlatformApplicationArn"])
        account, region = _parse_application_arn(application.arn)
        mine = [item for item in self.endpoints.list(account, region) if item.application_arn == application.arn]
        items, token = page(mine, lambda e: e.arn, params.get("NextToken"))
        result: dict[str, Any] = {
            "Endpoints": [{"EndpointArn": item.arn, "Attributes": dict(item.attributes)} for item in items]
        }
        if token:
            result["NextToken"] = token
        return result

    # SMS ---------------------------------------------------------------------------------------

    def _sms(self, ctx: RequestContext) -> SmsSettings:
        return self.sms.get(ctx.account, ctx.region, "settings") or SmsSettings()

    async def _save_sms(self, ctx: RequestContext, settings: SmsSettings) -> None:
        await self.sms.put(ctx.account, ctx.region, "settings", settings)

    async def SetSMSAttributes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        attributes: dict[str, str] = params["attributes"]
        for name in attributes:
            if name not in SMS_ATTRIBUTES:
                raise invalid_parameter(f"{name} is not a valid attribute")
        sender = attributes.get("DefaultSenderID")
        if sender and not _SENDER_ID.fullmatch(sender):
            raise invalid_parameter("DefaultSendID is not a valid attribute")
        kind = attributes.get("DefaultSMSType")
        if kind and kind not in SMS_TYPES:
            raise invalid_parameter("DefaultSMSType is invalid")
        settings = self._sms(ctx)
        await self._save_sms(ctx, dataclasses.replace(settings, attributes={**settings.attributes, **attributes}))
        return {}

    def GetSMSAttributes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        current = {**DEFAULT_SMS_ATTRIBUTES, **self._sms(ctx).attributes}
        wanted = params.get("attributes")
        if wanted:
            current = {name: value for name, value in current.items() if name in wanted}
        return {"attributes": current}

    def CheckIfPhoneNumberIsOptedOut(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        number = self._phone(params["phoneNumber"])
        return {"isOptedOut": number in self._sms(ctx).opted_out}

    def ListPhoneNumbersOptedOut(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        numbers, token = page(self._sms(ctx).opted_out, lambda number: number, params.get("nextToken"))
        result: dict[str, Any] = {"phoneNumbers": numbers}
        if token:
            result["nextToken"] = token
        return result

    async def OptInPhoneNumber(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        number = self._phone(params["phoneNumber"])
        settings = self._sms(ctx)
        if number in settings.opted_out:
            kept = [item for item in settings.opted_out if item != number]
            await self._save_sms(ctx, dataclasses.replace(settings, opted_out=kept))
        return {}

    @staticmethod
    def _phone(number: str) -> str:
        if not _PHONE.fullmatch(number):
            raise invalid_parameter("Invalid parameter: PhoneNumber Reason: input incorrectly formatted")
        return number

    async def CreateSMSSandboxPhoneNumber(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        settings = self._sms(ctx)
        numbers = {**settings.sandbox_numbers, params["PhoneNumber"]: "Pending"}
        await self._save_sms(ctx, dataclasses.replace(settings, sandbox_numbers=numbers))
        return {}

    async def DeleteSMSSandboxPhoneNumber(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        settings = self._sms(ctx)
        if params["PhoneNumber"] not in settings.sandbox_numbers:
            raise resource_not_found("Phone number does not exist")
        numbers = {k: v for k, v in settings.sandbox_numbers.items() if k != params["PhoneNumber"]}
        await self._save_sms(ctx, dataclasses.replace(settings, sandbox_numbers=numbers))
        return {}

    async def VerifySMSSandboxPhoneNumber(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        settings = self._sms(ctx)
        if params["PhoneNumber"] not in settings.sandbox_numbers:
            raise resource_not_found("Phone number does not exist")
        numbers = {**settings.sandbox_numbers, params["PhoneNumber"]: "Verified"}
        await self._save_sms(ctx, dataclasses.replace(settings, sandbox_numbers=numbers))
        return {}

    def ListSMSSandboxPhoneNumbers(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        entries = [{"PhoneNumber": k, "Status": v} for k, v in self._sms(ctx).sandbox_numbers.items()]
        items, token = page(
            entries, lambda e: e["PhoneNumber"], params.get("NextToken"), params.get("MaxResults") or 100
        )
        result: dict[str, Any] = {"PhoneNumbers": items}
        if token:
            result["NextToken"] = token
        return result

    def GetSMSSandboxAccountStatus(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return {"IsInSandbox": False}

    def ListOriginationNumbers(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return {"PhoneNumbers": []}
