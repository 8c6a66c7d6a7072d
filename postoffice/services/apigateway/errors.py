"""API Gateway's error answers, worded as AWS words them."""

from __future__ import annotations

from postoffice.protocol.errors import ServiceError


def not_found(message: str) -> ServiceError:
    return ServiceError("NotFoundException", message, 404)


def bad_request(message: str) -> ServiceError:
    return ServiceError("BadRequestException", message, 400)


def conflict(message: str) -> ServiceError:
    return ServiceError("ConflictException", message, 409)


def limit_exceeded(message: str) -> ServiceError:
    return ServiceError("LimitExceededException", message, 429)


def api_not_found(account: str, api_id: str) -> ServiceError:
    return not_found(f"Invalid API identifier specified {account}:{api_id}")


def resource_not_found() -> ServiceError:
    return not_found("Invalid Resource identifier specified")


def method_not_found() -> ServiceError:
    return not_found("Invalid Method identifier specified")


def integration_not_found() -> ServiceError:
    return not_found("Invalid Integration identifier specified")


def response_not_found() -> ServiceError:
    return not_found("Invalid Response status code specified")


def model_not_found(name: str) -> ServiceError:
    return not_found(f"Invalid model name specified: {name}")


def validator_not_found() -> ServiceError:
    return not_found("Invalid Request Validator identifier specified")


def authorizer_not_found() -> ServiceError:
    return not_found("Invalid Authorizer identifier specified")


def deployment_not_found() -> ServiceError:
    return not_found("Invalid Deployment identifier specified")


def stage_not_found() -> ServiceError:
    return not_found("Invalid Stage identifier specified")


def api_key_not_found() -> ServiceError:
    return not_found("Invalid API Key identifier specified")


def usage_plan_not_found(plan_id: str) -> ServiceError:
    return not_found(f"Invalid Usage Plan ID specified: {plan_id}")


def invalid_patch_path(path: str) -> ServiceError:
    return bad_request(f"Invalid patch path {path}")
