"""STS: who is calling, and temporary credentials (issued, not enforced)."""

from __future__ import annotations

from typing import Any

from postoffice.protocol.context import RequestContext
from postoffice.services.base import Service


class Sts(Service):
    name = "sts"
    protocols = ("query",)
    validation_error_code = "ValidationError"

    def GetCallerIdentity(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "UserId": ctx.access_key or "AKIAIOSFODNN7EXAMPLE",
            "Account": ctx.account,
            "Arn": f"arn:aws:iam::{ctx.account}:root",
        }
