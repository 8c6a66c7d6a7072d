"""Apache Velocity (1.7, as API Gateway runs it) for mapping templates: parse once, render with
a context of variables. `render(template, variables)` is the whole interface."""

from postoffice.services.apigateway.vtl.render import TemplateError, render
from postoffice.services.apigateway.vtl.syntax import Template, parse

__all__ = ["Template", "TemplateError", "parse", "render"]
