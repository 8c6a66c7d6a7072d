"""SQS's error answers: codes, HTTP statuses and AWS's wording.

Errors are raised by their shape name in the service model (`QueueDoesNotExist`); the JSON
protocol puts that name in `__type` and the legacy query code (`QUERY_ERROR_CODES`) in the
`x-amzn-query-error` header, the query protocol puts the legacy code in `<Code>`. Two errors
SQS returns are not in the model: `InvalidParameterValueException` (query code
`InvalidParameterValue`) and `MissingRequiredParameterException` (`MissingParameter`).
"""

from __future__ import annotations

from postoffice.protocol.errors import ServiceError

QUERY_ERROR_CODES: dict[str, str] = {
    "BatchEntryIdsNotDistinct": "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
    "BatchRequestTooLong": "AWS.SimpleQueueService.BatchRequestTooLong",
    "EmptyBatchRequest": "AWS.SimpleQueueService.EmptyBatchRequest",
    "InvalidAddress": "InvalidAddress",
    "InvalidAttributeName": "InvalidAttributeName",
    "InvalidAttributeValue": "InvalidAttributeValue",
    "InvalidBatchEntryId": "AWS.SimpleQueueService.InvalidBatchEntryId",
    "InvalidIdFormat": "InvalidIdFormat",
    "InvalidMessageContents": "InvalidMessageContents",
    "InvalidSecurity": "InvalidSecurity",
    "KmsAccessDenied": "KMS.AccessDeniedException",
    "KmsDisabled": "KMS.DisabledException",
    "KmsInvalidKeyUsage": "KMS.InvalidKeyUsageException",
    "KmsInvalidState": "KMS.InvalidStateException",
    "KmsNotFound": "KMS.NotFoundException",
    "KmsOptInRequired": "KMS.OptInRequired",
    "KmsThrottled": "KMS.ThrottlingException",
    "MessageNotInflight": "AWS.SimpleQueueService.MessageNotInflight",
    "OverLimit": "OverLimit",
    "PurgeQueueInProgress": "AWS.SimpleQueueService.PurgeQueueInProgress",
    "QueueDeletedRecently": "AWS.SimpleQueueService.QueueDeletedRecently",
    "QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue",
    "QueueNameExists": "QueueAlreadyExists",
    "ReceiptHandleIsInvalid": "ReceiptHandleIsInvalid",
    "RequestThrottled": "RequestThrottled",
    "ResourceNotFoundException": "ResourceNotFoundException",
    "TooManyEntriesInBatchRequest": "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
    "UnsupportedOperation": "AWS.SimpleQueueService.UnsupportedOperation",
    "InvalidParameterValueException": "InvalidParameterValue",
    "MissingRequiredParameterException": "MissingParameter",
    "UnknownOperationException": "InvalidAction",
}

_STATUS = {
    "InvalidAddress": 404,
    "InvalidSecurity": 403,
    "KmsOptInRequired": 403,
    "OverLimit": 403,
    "PurgeQueueInProgress": 403,
    "ReceiptHandleIsInvalid": 404,
    "RequestThrottled": 403,
    "ResourceNotFoundException": 404,
}


def sqs_error(code: str, message: str) -> ServiceError:
    return ServiceError(code, message, status=_STATUS.get(code, 400))


def query_code(error: ServiceError) -> str:
    """The code a batch result entry or the query protocol shows for `error`."""
    return QUERY_ERROR_CODES.get(error.code, error.code)


def invalid_parameter(message: str) -> ServiceError:
    return sqs_error("InvalidParameterValueException", message)


def invalid_parameter_value(name: str, value: object, reason: str) -> ServiceError:
    return invalid_parameter(f"Value {value} for parameter {name} is invalid. Reason: {reason}")


def missing_parameter(name: str) -> ServiceError:
    return sqs_error("MissingRequiredParameterException", f"The request must contain the parameter {name}.")


def queue_does_not_exist(protocol: str = "json") -> ServiceError:
    if protocol == "query":
        return sqs_error("QueueDoesNotExist", "The specified queue does not exist for this wsdl version.")
    return sqs_error("QueueDoesNotExist", "The specified queue does not exist.")


def unknown_attribute(name: str) -> ServiceError:
    return sqs_error("InvalidAttributeName", f"Unknown Attribute {name}.")


def invalid_attribute_value(name: str, reason: str = "") -> ServiceError:
    suffix = f" Reason: {reason}" if reason else ""
    return sqs_error("InvalidAttributeValue", f"Invalid value for the parameter {name}.{suffix}")


def receipt_handle_invalid(handle: str) -> ServiceError:
    return sqs_error("ReceiptHandleIsInvalid", f'The input receipt handle "{handle}" is not a valid receipt handle.')


def message_not_inflight() -> ServiceError:
    return sqs_error("MessageNotInflight", "The message referred to is not in flight.")


def resource_not_found(message: str) -> ServiceError:
    return sqs_error("ResourceNotFoundException", message)
