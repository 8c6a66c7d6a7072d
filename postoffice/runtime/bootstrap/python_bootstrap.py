"""postoffice's bootstrap for the python3.x runtimes: a Lambda Runtime API client.

Runs under the function's own interpreter (any Python 3.8+), standard library only, as a
script: it never imports postoffice. It loads the handler (the init phase), then loops on
`GET /2018-06-01/runtime/invocation/next`, calls the handler with AWS's event and context
objects, and posts the response or the error as AWS's Python runtime does.

Output: print() goes to stdout line by line, as on AWS. Log records and error reports are
written as frames (one CloudWatch event each, newlines kept). After each invocation a marker
line tells postoffice that the invocation's output is complete.
"""

import decimal
import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

FRAME = "\x1e\x1fpostoffice-frame:"
END = "\x1e\x1fpostoffice-end:"
API_PREFIX = "/2018-06-01/runtime"


def write_frame(message):
    sys.stdout.flush()
    sys.stderr.flush()
    os.write(1, (FRAME + json.dumps(message) + "\n").encode("utf-8"))


def write_end(request_id):
    sys.stdout.flush()
    sys.stderr.flush()
    os.write(1, (END + request_id + "\n").encode("utf-8"))


class RuntimeClient:
    def __init__(self, address):
        host, _, port = address.partition(":")
        self.host = host
        self.port = int(port or 80)
        self.connection = None

    def request(self, method, path, body=None, headers=None):
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port)
            try:
                self.connection.request(method, API_PREFIX + path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                return response, response.read()
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        raise RuntimeError("unreachable")

    def post_json(self, path, document, headers=None):
        all_headers = {"Content-Type": "application/json"}
        all_headers.update(headers or {})
        return self.request("POST", path, json.dumps(document).encode("utf-8"), all_headers)


class Fault(Exception):
    def __init__(self, error_type, message, stack_trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.stack_trace = stack_trace or []


def error_document(error_type, message, stack_trace, request_id):
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": stack_trace}


def exception_document(exc, request_id):
    frames = traceback.extract_tb(exc.__traceback__)
    if frames and frames[0].filename == __file__:
        frames = frames[1:]
    stack = traceback.format_list(frames)
    return error_document(type(exc).__name__, str(exc), stack, request_id)


def log_error(document):
    description = "[ERROR]"
    if document.get("errorType"):
        description += " " + document["errorType"]
    if document.get("errorMessage"):
        description += (":" if document.get("errorType") else "") + " " + document["errorMessage"]
    lines = [description]
    if document.get("stackTrace") is not None:
        lines.append("Traceback (most recent call last):")
        for element in document["stackTrace"]:
            lines.extend(element.splitlines() if element else [""])
    write_frame("\n".join(lines))


def setup_path():
    script_dir = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [entry for entry in sys.path if entry and os.path.abspath(entry) != script_dir]
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    front = [os.environ["LAMBDA_TASK_ROOT"]]
    for layer in filter(None, os.environ.get("_POSTOFFICE_LAYERS", "").split(os.pathsep)):
        front.append(os.path.join(layer, "python", "lib", version, "site-packages"))
        front.append(os.path.join(layer, "python"))
    sys.path[:0] = front
    sdk = os.environ.get("_POSTOFFICE_SDK")
    if sdk:
        sys.path.append(sdk)


class RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = RequestIdFilter.request_id
        return True


class LambdaLoggerHandler(logging.Handler):
    def emit(self, record):
        try:
            write_frame(self.format(record))
        except Exception:
            self.handleError(record)


def setup_logging():
    handler = LambdaLoggerHandler()
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"
    )
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if level:
        root.setLevel(level.upper())


def load_handler(name):
    try:
        module_name, function_name = name.rsplit(".", 1)
    except ValueError as error:
        raise Fault("Runtime.MalformedHandlerName", f"Bad handler '{name}': {error}") from None
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise Fault("Runtime.BuiltInModuleConflict", f"Cannot use built-in module {module_name} as a handler module")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as error:
        raise Fault("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {error}") from None
    except SyntaxError as error:
        text = (error.text or "").strip()
        trace = [f'  File "{error.filename}" Line {error.lineno}\n    {text}']
        message = f"Syntax error in module '{module_name}': {error}"
        raise Fault("Runtime.UserCodeSyntaxError", message, trace) from None
    handler = getattr(module, function_name, None)
    if handler is None:
        message = f"Handler '{function_name}' missing on module '{module_name}'"

        def missing(event, context):
            raise Fault("Runtime.HandlerNotFound", message)

        return missing
    return handler


class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __init__(self, document=None):
        document = document or {}
        self.cognito_identity_id = document.get("cognitoIdentityId")
        self.cognito_identity_pool_id = document.get("cognitoIdentityPoolId")

    def __repr__(self):
        return (
            f"CognitoIdentity([cognito_identity_id={self.cognito_identity_id},"
            f"cognito_identity_pool_id={self.cognito_identity_pool_id}])"
        )


class Client:
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]

    def __init__(self, document):
        self.installation_id = document.get("installation_id")
        self.app_title = document.get("app_title")
        self.app_version_name = document.get("app_version_name")
        self.app_version_code = document.get("app_version_code")
        self.app_package_name = document.get("app_package_name")


class ClientContext:
    __slots__ = ["client", "custom", "env"]

    def __init__(self, document):
        client = document.get("client")
        self.client = Client(client) if isinstance(client, dict) else None
        self.custom = document.get("custom")
        self.env = document.get("env")

    def __repr__(self):
        return f"ClientContext([client={self.client},custom={self.custom},env={self.env}])"


class LambdaContext:
    def __init__(self, request_id, deadline_ms, invoked_arn, client_context, identity, tenant_id):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_arn
        self.tenant_id = tenant_id
        self.client_context = ClientContext(client_context) if isinstance(client_context, dict) else None
        self.identity = CognitoIdentity(identity if isinstance(identity, dict) else None)
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        remaining = self._deadline_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, message):
        sys.stdout.write(str(message))

    def __repr__(self):
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},client_context={self.client_context},"
            f"identity={self.identity},tenant_id={self.tenant_id}])"
        )  # fmt: skip


def json_header(value):
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def encode_default(value):
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def handle_one(client, handler):
    response, body = client.request("GET", "/invocation/next")
    if response.status != 200:
        time.sleep(0.05)
        return
    headers = {name.lower(): value for name, value in response.getheaders()}
    request_id = headers.get("lambda-runtime-aws-request-id", "")
    trace_id = headers.get("lambda-runtime-trace-id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    RequestIdFilter.request_id = request_id
    context = LambdaContext(
        request_id,
        int(headers.get("lambda-runtime-deadline-ms", "0") or 0),
        headers.get("lambda-runtime-invoked-function-arn"),
        json_header(headers.get("lambda-runtime-client-context")),
        json_header(headers.get("lambda-runtime-cognito-identity")),
        headers.get("lambda-runtime-aws-tenant-id"),
    )
    try:
        try:
            event = json.loads(body.decode("utf-8")) if body else {}
        except ValueError as error:
            raise Fault("Runtime.UnmarshalError", f"Unable to unmarshal input: {error}") from None
        result = handler(event, context)
        try:
            payload = json.dumps(result, default=encode_default).encode("utf-8")
        except (TypeError, ValueError) as error:
            raise Fault("Runtime.MarshalError", f"Unable to marshal response: {error}") from None
    except Fault as fault:
        document = error_document(fault.error_type, fault.message, fault.stack_trace, request_id)
        report_error(client, request_id, document)
    except Exception as exc:
        report_error(client, request_id, exception_document(exc, request_id))
    else:
        write_end(request_id)
        client.request("POST", f"/invocation/{request_id}/response", payload, {"Content-Type": "application/json"})


def report_error(client, request_id, document):
    log_error(document)
    write_end(request_id)
    headers = {"Lambda-Runtime-Function-Error-Type": document["errorType"]}
    client.post_json(f"/invocation/{request_id}/error", document, headers)


def main():
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    setup_path()
    setup_logging()
    try:
        handler = load_handler(os.environ["_HANDLER"])
    except Fault as fault:
        document = error_document(fault.error_type, fault.message, fault.stack_trace, "")
        init_failed(client, document)
        return 1
    except Exception as exc:
        init_failed(client, exception_document(exc, ""))
        return 1
    while True:
        handle_one(client, handler)


def init_failed(client, document):
    log_error(document)
    write_end("init")
    client.post_json("/init/error", document, {"Lambda-Runtime-Function-Error-Type": document["errorType"]})


if __name__ == "__main__":
    sys.exit(main())
