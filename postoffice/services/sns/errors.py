"""SNS's error answers, raised by their shape name in the service model.

The query protocol renders each with the model's code (`InvalidParameterException` ->
`<Code>InvalidParameter</Code>`, HTTP 400; `NotFoundException` -> `NotFound`, 404).
"""

from __future__ import annotations

from postoffice.protocol.errors import ServiceError


def invalid_parameter(message: str) -> ServiceError:
    return ServiceError("InvalidParameterException", message)


def parameter_value_invalid(message: str) -> ServiceError:
    return ServiceError("InvalidParameterValueException", message)


def not_found(message: str) -> ServiceError:
    return ServiceError("NotFoundException", message)


def resource_not_found(message: str = "Resource does not exist") -> ServiceError:
    return ServiceError("ResourceNotFoundException", message)


def topic_not_found() -> ServiceError:
    return not_found("Topic does not exist")


def subscription_not_found() -> ServiceError:
    return not_found("Subscription does not exist")


def validation_error(message: str) -> ServiceError:
    """AWS's own model validation for SNS answers with the query code `ValidationError`."""
    return ServiceError("ValidationError", message)


def authorization_error(message: str) -> ServiceError:
    return ServiceError("AuthorizationErrorException", message)
