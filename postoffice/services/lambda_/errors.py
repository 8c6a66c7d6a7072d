"""Lambda's error answers, with AWS's wording."""

from __future__ import annotations

from postoffice.protocol.errors import ServiceError


def function_not_found(arn: str) -> ServiceError:
    return ServiceError("ResourceNotFoundException", f"Function not found: {arn}", 404)


def not_found(message: str = "The resource you requested does not exist.") -> ServiceError:
    return ServiceError("ResourceNotFoundException", message, 404)


def invalid(message: str) -> ServiceError:
    return ServiceError("InvalidParameterValueException", message, 400)


def conflict(message: str) -> ServiceError:
    return ServiceError("ResourceConflictException", message, 409)


def in_use(message: str) -> ServiceError:
    return ServiceError("ResourceInUseException", message, 400)


def precondition_failed(what: str = "GetFunction/GetAlias") -> ServiceError:
    return ServiceError(
        "PreconditionFailedException",
        f"The Revision Id provided does not match the latest Revision Id. Call the {what} API to retrieve the latest "
        "Revision Id",
        412,
    )


def too_many_requests(reason: str) -> ServiceError:
    return ServiceError("TooManyRequestsException", "Rate Exceeded.", 429, Reason=reason, Type="User")


def request_too_large(limit: int) -> ServiceError:
    return ServiceError(
        "RequestTooLargeException", f"Request must be smaller than {limit} bytes for the InvokeFunction operation", 413
    )


def entity_too_large(limit: int, operation: str) -> ServiceError:
    message = f"Request must be smaller than {limit} bytes for the {operation} operation"
    return ServiceError("RequestEntityTooLargeException", message, 413)


def role_cannot_be_assumed() -> ServiceError:
    return invalid("The role defined for the function cannot be assumed by Lambda.")
