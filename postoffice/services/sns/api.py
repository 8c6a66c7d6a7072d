"""Amazon SNS: topics, subscriptions, filter policies, publishing and fan-out; mobile push and
SMS resources (stored, never sent).

The operations live with their resources, one module each, all mixed into `Sns`:

- api_topics.py         CreateTopic ... DeleteTopic, topic attributes, tags, permissions,
                        data protection policy
- api_subscriptions.py  Subscribe, ConfirmSubscription, Unsubscribe, lists, attributes
- api_publish.py        Publish, PublishBatch
- api_mobile.py         platform applications and endpoints, SMS settings and sandbox

How a message travels: api_publish.py (check, commit one engine message) -> fanout.py (match
filter policies, deliver, retry, dead-letter) -> deliverers.py (SQS, Lambda, HTTP/S, recorded)
with envelope.py (what the subscriber receives) and signing.py (its signature).

Admin routes (GET): /_postoffice/sns/deliveries[?Protocol=email&Endpoint=...] lists recorded
deliveries; /_postoffice/sns/SimpleNotificationService-<id>.pem is the signing certificate.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from postoffice.core.system import System
from postoffice.protocol.context import RequestContext
from postoffice.protocol.http import HttpRequest, HttpResponse
from postoffice.services.base import Service
from postoffice.services.sns.api_mobile import MobileOperations
from postoffice.services.sns.api_publish import PublishOperations
from postoffice.services.sns.api_subscriptions import SubscriptionOperations
from postoffice.services.sns.api_topics import TopicOperations
from postoffice.services.sns.deliverers import Deliverers
from postoffice.services.sns.fanout import Fanout
from postoffice.services.sns.models import Subscription
from postoffice.services.sns.recorded import RecordedDeliveries
from postoffice.services.sns.signing import CERT_PATH_PREFIX, Signer
from postoffice.services.sns.subscription_attributes import dead_letter_target

AdminHandler = Callable[[HttpRequest, dict[str, Any]], Awaitable[HttpResponse]]


class Sns(TopicOperations, SubscriptionOperations, PublishOperations, MobileOperations, Service):
    name = "sns"
    protocols = ("query",)
    validation_error_code = "ValidationError"

    def __init__(self, system: System) -> None:
        super().__init__(system)
        self._init_state()
        self.signer = Signer(system.store, system.settings.endpoint)
        self.recorded = RecordedDeliveries()
        self.deliverers = Deliverers(self)
        self.fanout = Fanout(self)

    def complete_params(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if ctx.protocol == "query" and ctx.operation == "PublishBatch":
            params.setdefault("PublishBatchRequestEntries", [])
        return params

    async def start(self) -> None:
        await self.signer.load()
        if self.system.queues is not None:
            await self.fanout.start()

    async def stop(self) -> None:
        await self.fanout.stop()

    async def reset(self) -> None:
        if self.system.queues is not None:
            await self.fanout.purge()
        await self._clear_state()
        self.recorded.clear()

    def status(self) -> dict[str, Any]:
        topics = sum(1 for _ in self.topics.all())
        subscriptions = sum(1 for _ in self.subscriptions.all())
        return {**super().status(), "topics": topics, "subscriptions": subscriptions}

    def dead_letter_target(self, subscription: Subscription) -> str | None:
        return dead_letter_target(subscription.attributes.get("RedrivePolicy"))

    # Admin ------------------------------------------------------------------------------------

    def admin_routes(self) -> dict[str, AdminHandler]:
        """Served by the admin API; a key ending in "/" serves every path directly under it."""
        return {CERT_PATH_PREFIX: self._admin}

    async def _admin(self, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
        leaf = request.path[len(CERT_PATH_PREFIX) :]
        if request.method != "GET":
            return HttpResponse(405, orjson.dumps({"error": "MethodNotAllowed", "message": "Use GET."}))
        if leaf == "deliveries":
            filters = {key: value for key, value in request.query if value}
            return HttpResponse(200, orjson.dumps({"deliveries": self.recorded.matching(filters)}))
        if self.signer.cert_id and leaf == self.signer.cert_file:
            return HttpResponse(200, self.signer.cert_pem.encode(), content_type="application/x-x509-ca-cert")
        return HttpResponse(404, orjson.dumps({"error": "NotFound", "message": f"No SNS resource at {request.path}"}))
