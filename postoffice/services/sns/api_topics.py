"""Topics: CreateTopic ... DeleteTopic, attributes, ListTopics, tags, permissions and the data
protection policy."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from postoffice.protocol.context import RequestContext
from postoffice.protocol.errors import ServiceError
from postoffice.services.sns import topic_attributes
from postoffice.services.sns.arns import FIFO_TOPIC_NAME, TOPIC_NAME, TopicRef, parse_topic_arn
from postoffice.services.sns.envelope import iso_timestamp
from postoffice.services.sns.errors import invalid_parameter, resource_not_found, topic_not_found
from postoffice.services.sns.models import Topic
from postoffice.services.sns.paging import page
from postoffice.services.sns.state import SnsState

MAX_TAGS = 50
PERMISSION_ACTIONS = frozenset(
    {
        "AddPermission", "DeleteTopic", "GetTopicAttributes", "ListSubscriptionsByTopic", "Publish", "Receive",
        "RemovePermission", "SetTopicAttributes", "Subscribe", "*",
    }
)  # fmt: skip
_CLEARED_BY_EMPTY = frozenset({"Policy", "DeliveryPolicy", "KmsMasterKeyId", "ArchivePolicy", "MaximumMessageSize"})


def _fifo_requested(attributes: dict[str, str]) -> bool:
    return attributes.get("FifoTopic", "false").lower() == "true"


def _tags(tags: list[dict[str, str]]) -> dict[str, str]:
    keys = [tag["Key"] for tag in tags]
    if len(set(keys)) != len(keys):
        raise invalid_parameter("Invalid parameter: Duplicated keys are not allowed.")
    return {tag["Key"]: tag.get("Value", "") for tag in tags}


def _tag_limit(tags: dict[str, str]) -> None:
    if len(tags) > MAX_TAGS:
        raise ServiceError(
            "TagLimitExceededException", "Could not complete request: tag quota of per resource exceeded"
        )


def _check_data_protection_policy(text: str) -> str:
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise invalid_parameter("Invalid parameter: DataProtectionPolicy Reason: Failed to parse the policy as JSON")
    return text


class TopicOperations(SnsState):
    async def CreateTopic(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name: str = params["Name"]
        given: dict[str, str] = params.get("Attributes") or {}
        fifo = _fifo_requested(given)
        if fifo and not FIFO_TOPIC_NAME.fullmatch(name):
            raise invalid_parameter(
                "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII "
                "letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long."
            )
        if not fifo and not TOPIC_NAME.fullmatch(name):
            raise invalid_parameter("Invalid parameter: Topic Name")
        ref = TopicRef(ctx.account, ctx.region, name)
        tags = _tags(params.get("Tags") or [])
        existing = self.find_topic(ref)
        if existing is not None:
            if not topic_attributes.same_attributes(existing, given):
                raise invalid_parameter(
                    "Invalid parameter: Attributes Reason: Topic already exists with different attributes"
                )
            if any(existing.tags.get(key) != value for key, value in tags.items()):
                raise invalid_parameter("Invalid parameter: Tags Reason: Topic already exists with different tags")
            return {"TopicArn": existing.arn}
        stored = topic_attributes.creation_attributes(given, fifo)
        _tag_limit(tags)
        protection = params.get("DataProtectionPolicy")
        now = self.system.clock.now()
        if "ArchivePolicy" in stored:
            stored["BeginningArchiveTime"] = iso_timestamp(now)
        topic = Topic(
            name=name,
            arn=ref.arn,
            owner=ctx.account,
            created=now,
            attributes=stored,
            tags=tags,
            data_protection_policy=_check_data_protection_policy(protection) if protection else "",
        )
        await self.topics.put(ref.account, ref.region, name, topic)
        return {"TopicArn": topic.arn}

    async def DeleteTopic(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        ref = self.topic_ref(ctx, params["TopicArn"])
        topic = self.find_topic(ref)
        if topic is None:
            return
        for subscription in self.topic_subscriptions(topic.arn):
            await self.drop_subscription(ref, subscription)
        await self.topics.delete(ref.account, ref.region, ref.name)

    def GetTopicAttributes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic = self.require_topic(ctx, params["TopicArn"])
        return {"Attributes": topic_attributes.all_attributes(topic, self.topic_subscriptions(topic.arn))}

    async def SetTopicAttributes(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        ref = self.topic_ref(ctx, params["TopicArn"])
        topic = self.find_topic(ref)
        if topic is None:
            raise topic_not_found()
        name: str = params["AttributeName"]
        value: str = params.get("AttributeValue") or ""
        attributes = dict(topic.attributes)
        if value == "" and name in _CLEARED_BY_EMPTY and name in topic_attributes.SETTABLE:
            attributes.pop(name, None)
            if name == "ArchivePolicy":
                attributes.pop("BeginningArchiveTime", None)
        else:
            attributes[name] = topic_attributes.check_attribute(name, value, topic.fifo)
            if name == "ArchivePolicy" and "BeginningArchiveTime" not in attributes:
                attributes["BeginningArchiveTime"] = iso_timestamp(self.system.clock.now())
        if name == "MaximumMessageSize":
            self._check_large_topic(topic, attributes)
        await self.topics.put(ref.account, ref.region, ref.name, dataclasses.replace(topic, attributes=attributes))

    def _check_large_topic(self, topic: Topic, attributes: dict[str, str]) -> None:
        size = int(attributes.get("MaximumMessageSize") or topic_attributes.DEFAULT_MAXIMUM_MESSAGE_SIZE)
        if size <= topic_attributes.DEFAULT_MAXIMUM_MESSAGE_SIZE:
            return
        subscriptions = self.topic_subscriptions(topic.arn)
        if len(subscriptions) > topic_attributes.LARGE_TOPIC_SUBSCRIPTIONS or any(
            subscription.protocol not in topic_attributes.LARGE_TOPIC_PROTOCOLS for subscription in subscriptions
        ):
            raise invalid_parameter(
                "Invalid parameter: MaximumMessageSize Reason: topics taking messages over 256 KiB support at most "
                "100 subscriptions, to Amazon SQS, AWS Lambda and Amazon Data Firehose endpoints"
            )

    def ListTopics(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topics, token = page(self.topics.list(ctx.account, ctx.region), lambda t: t.arn, params.get("NextToken"))
        result: dict[str, Any] = {"Topics": [{"TopicArn": topic.arn} for topic in topics]}
        if token:
            result["NextToken"] = token
        return result

    # Tags ---------------------------------------------------------------------------------

    def _tagged_topic(self, ctx: RequestContext, arn: str) -> tuple[TopicRef, Topic]:
        ref = parse_topic_arn(arn, "ResourceArn")
        topic = self.find_topic(ref) if ref.region == ctx.region else None
        if topic is None:
            raise resource_not_found()
        return ref, topic

    async def TagResource(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        ref, topic = self._tagged_topic(ctx, params["ResourceArn"])
        tags = {**topic.tags, **_tags(params["Tags"])}
        _tag_limit(tags)
        await self.topics.put(ref.account, ref.region, ref.name, dataclasses.replace(topic, tags=tags))

    async def UntagResource(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        ref, topic = self._tagged_topic(ctx, params["ResourceArn"])
        removed = set(params["TagKeys"])
        tags = {key: value for key, value in topic.tags.items() if key not in removed}
        await self.topics.put(ref.account, ref.region, ref.name, dataclasses.replace(topic, tags=tags))

    def ListTagsForResource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _, topic = self._tagged_topic(ctx, params["ResourceArn"])
        return {"Tags": [{"Key": key, "Value": value} for key, value in topic.tags.items()]}

    # Permissions --------------------------------------------------------------------------

    def _policy(self, topic: Topic) -> dict[str, Any]:
        text = topic.attributes.get("Policy") or topic_attributes.default_policy(topic.arn, topic.owner)
        document = json.loads(text)
        document.setdefault("Statement", [])
        if isinstance(document["Statement"], dict):
            document["Statement"] = [document["Statement"]]
        return document

    async def AddPermission(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        ref = self.topic_ref(ctx, params["TopicArn"])
        topic = self.find_topic(ref)
        if topic is None:
            raise topic_not_found()
        label: str = params["Label"]
        accounts: list[str] = params.get("AWSAccountId") or []
        actions: list[str] = params.get("ActionName") or []
        policy = self._policy(topic)
        if any(statement.get("Sid") == label for statement in policy["Statement"]):
            raise invalid_parameter("Invalid parameter: Statement already exists")
        if not actions or any(action not in PERMISSION_ACTIONS for action in actions):
            raise invalid_parameter("Invalid parameter: Policy statement action out of service scope!")
        if not accounts:
            raise invalid_parameter("Invalid parameter: AWSAccountId")
        principals = [f"arn:aws:iam::{account}:root" for account in accounts]
        names = [f"SNS:{action}" for action in actions]
        policy["Statement"].append(
            {
                "Sid": label,
                "Effect": "Allow",
                "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
                "Action": names[0] if len(names) == 1 else names,
                "Resource": topic.arn,
            }
        )
        await self._save_policy(ref, topic, policy)

    async def _save_policy(self, ref: TopicRef, topic: Topic, policy: dict[str, Any]) -> None:
        attributes = {**topic.attributes, "Policy": json.dumps(policy, separators=(",", ":"))}
        await self.topics.put(ref.account, ref.region, ref.name, dataclasses.replace(topic, attributes=attributes))

    async def RemovePermission(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        ref = self.topic_ref(ctx, params["TopicArn"])
        topic = self.find_topic(ref)
        if topic is None:
            raise topic_not_found()
        policy = self._policy(topic)
        kept = [statement for statement in policy["Statement"] if statement.get("Sid") != params["Label"]]
        if len(kept) == len(policy["Statement"]):
            return
        policy["Statement"] = kept
        await self._save_policy(ref, topic, policy)

    # Data protection ----------------------------------------------------------------------

    def GetDataProtectionPolicy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic = self.require_topic(ctx, params["ResourceArn"], "ResourceArn")
        return {"DataProtectionPolicy": topic.data_protection_policy} if topic.data_protection_policy else {}

    async def PutDataProtectionPolicy(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        ref = self.topic_ref(ctx, params["ResourceArn"], "ResourceArn")
        topic = self.find_topic(ref)
        if topic is None:
            raise topic_not_found()
        policy = _check_data_protection_policy(params["DataProtectionPolicy"])
        await self.topics.put(
            ref.account, ref.region, ref.name, dataclasses.replace(topic, data_protection_policy=policy)
        )
