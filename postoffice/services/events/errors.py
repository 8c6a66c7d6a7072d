"""EventBridge's error answers, worded as AWS words them."""

from __future__ import annotations

from postoffice.protocol.errors import ServiceError


def validation(message: str) -> ServiceError:
    return ServiceError("ValidationException", message)


def not_found(message: str) -> ServiceError:
    return ServiceError("ResourceNotFoundException", message)


def already_exists(message: str) -> ServiceError:
    return ServiceError("ResourceAlreadyExistsException", message)


def limit_exceeded() -> ServiceError:
    return ServiceError("LimitExceededException", "The requested resource exceeds the maximum number allowed.")


def bus_not_found(name: str) -> ServiceError:
    return not_found(f"Event bus {name} does not exist.")


def rule_not_found(name: str, bus: str) -> ServiceError:
    return not_found(f"Rule {name} does not exist on EventBus {bus}.")


def archive_not_found(name: str) -> ServiceError:
    return not_found(f"Archive {name} does not exist.")


def replay_not_found(name: str) -> ServiceError:
    return not_found(f"Replay {name} does not exist.")


def connection_not_found(name: str) -> ServiceError:
    return not_found(f"Failed to describe the connection(s). Connection '{name}' does not exist.")


def api_destination_not_found(name: str) -> ServiceError:
    return not_found(f"Failed to describe the api-destination(s). An api-destination '{name}' does not exist.")


def invalid_pattern(message: str) -> ServiceError:
    return ServiceError("InvalidEventPatternException", message)


def managed_rule(name: str) -> ServiceError:
    return ServiceError(
        "ManagedRuleException",
        f"Rule {name} is managed by an AWS service and can only be modified if force is set to true.",
    )


def illegal_status(message: str) -> ServiceError:
    return ServiceError("IllegalStatusException", message)


def internal() -> ServiceError:
    return ServiceError(
        "InternalException", "Service encountered unexpected problem. Please try again.", status=500, sender_fault=False
    )
