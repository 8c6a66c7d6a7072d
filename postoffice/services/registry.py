"""Every service postoffice serves, in start-up order (a service may call those before it)."""

from __future__ import annotations

import importlib

from postoffice.core.system import System
from postoffice.services.base import Service

SERVICE_CLASSES = [
    "postoffice.services.iam.api:Iam",
    "postoffice.services.sts.api:Sts",
    "postoffice.services.logs.api:Logs",
    "postoffice.services.sqs.api:Sqs",
    "postoffice.services.sns.api:Sns",
    "postoffice.services.events.api:Events",
    "postoffice.services.lambda_.api:Lambda",
    "postoffice.services.apigateway.api:ApiGateway",
]


def build_services(system: System) -> dict[str, Service]:
    for spec in SERVICE_CLASSES:
        module_name, _, class_name = spec.partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        service = cls(system)
        system.services[service.name] = service
    return system.services
