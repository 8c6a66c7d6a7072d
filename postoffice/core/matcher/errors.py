"""The one error the matcher raises for a pattern AWS would refuse.

`reason` is event-ruler's wording (what AWS puts after "Reason:" / "FilterPolicy:"); each
service renders it in its own envelope with the helpers below.
"""

from __future__ import annotations


class PatternError(ValueError):
    def __init__(self, reason: str, *, policy_field: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        # SNS prefixes most reasons with "FilterPolicy: "; scope errors are reported without it.
        self.policy_field = policy_field

    def eventbridge_message(self) -> str:
        """Message of EventBridge's InvalidEventPatternException."""
        return f"Event pattern is not valid. Reason: {self.reason}"

    def sns_message(self, *, subscribe: bool = False) -> str:
        """Message of SNS's InvalidParameter (Subscribe words it "Attributes Reason: ...")."""
        prefix = "Invalid parameter: Attributes Reason: " if subscribe else "Invalid parameter: "
        return prefix + ("FilterPolicy: " if self.policy_field else "") + self.reason

    def lambda_message(self) -> str:
        """Message of Lambda's InvalidParameterValueException for FilterCriteria."""
        return "Invalid filter pattern definition."

    def __repr__(self) -> str:
        return f"PatternError({self.reason!r})"
