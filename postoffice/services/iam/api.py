"""IAM: roles and policies, stored faithfully, not enforced."""

from __future__ import annotations

from postoffice.services.base import Service


class Iam(Service):
    name = "iam"
    protocols = ("query",)
    validation_error_code = "ValidationError"
