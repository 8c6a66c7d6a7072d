"""IAM's error answers, in IAM's own wording."""

from __future__ import annotations

from postoffice.protocol.errors import ServiceError


def no_such_entity(message: str) -> ServiceError:
    return ServiceError("NoSuchEntityException", message, status=404)


def entity_already_exists(message: str) -> ServiceError:
    return ServiceError("EntityAlreadyExistsException", message, status=409)


def delete_conflict(message: str) -> ServiceError:
    return ServiceError("DeleteConflictException", message, status=409)


def limit_exceeded(message: str) -> ServiceError:
    return ServiceError("LimitExceededException", message, status=409)


def malformed_policy(message: str) -> ServiceError:
    return ServiceError("MalformedPolicyDocumentException", message, status=400)


def invalid_input(message: str) -> ServiceError:
    return ServiceError("InvalidInputException", message, status=400)


def validation_error(message: str) -> ServiceError:
    return ServiceError("ValidationError", message, status=400)


def access_denied(message: str) -> ServiceError:
    return ServiceError("AccessDenied", message, status=403)


def quota(name: str, limit: int) -> ServiceError:
    return limit_exceeded(f"Cannot exceed quota for {name}: {limit}")


def role_not_found(name: str) -> ServiceError:
    return no_such_entity(f"The role with name {name} cannot be found.")


def policy_not_found(arn: str) -> ServiceError:
    return no_such_entity(f"Policy {arn} was not found.")


def policy_not_attachable(arn: str) -> ServiceError:
    return no_such_entity(f"Policy {arn} does not exist or is not attachable.")


def version_not_found(arn: str, version_id: str) -> ServiceError:
    return no_such_entity(f"Policy {arn} version {version_id} does not exist or is not attachable.")


def invalid_arn(arn: str) -> ServiceError:
    return validation_error(f"ARN {arn} is not valid.")
