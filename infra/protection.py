"""What watches and shields the API: a WAF web ACL with rate limiting, and alarms to an SNS topic."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.stages import Stage


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
    )


class Firewall(Construct):
    """Blocks a client IP above the stage's request rate, and known-bad request patterns."""

    def __init__(self, scope: Construct, construct_id: str, stage: Stage, api_stage: apigateway.Stage) -> None:
        super().__init__(scope, construct_id)
        rate_rule = wafv2.CfnWebACL.RuleProperty(
            name="rate-per-ip",
            priority=0,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="IP", limit=stage.api_rate_limit_per_5_min, evaluation_window_sec=300
                )
            ),
            visibility_config=_visibility("rate-per-ip"),
        )
        bad_inputs = wafv2.CfnWebACL.RuleProperty(
            name="known-bad-inputs",
            priority=1,
            override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                    vendor_name="AWS", name="AWSManagedRulesKnownBadInputsRuleSet"
                )
            ),
            visibility_config=_visibility("known-bad-inputs"),
        )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=[rate_rule, bad_inputs],
            visibility_config=_visibility(f"dvc-portal-{stage.name}-api"),
        )
        wafv2.CfnWebACLAssociation(
            self, "ApiAssociation", resource_arn=api_stage.stage_arn, web_acl_arn=self.web_acl.attr_arn
        )


class Alarms(Construct):
    """5xx from the API, errors and throttles of every function, anything in a dead-letter queue."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: Stage,
        api: apigateway.RestApi,
        functions: dict[str, lambda_.IFunction],
        dead_letters: dict[str, sqs.IQueue],
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self, "Topic", master_key=kms.Alias.from_alias_name(self, "SnsKey", "alias/aws/sns"), enforce_ssl=True
        )
        if stage.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(stage.alarm_email))
        five_minutes = Duration.minutes(5)
        self._alarm(
            "Api5xx",
            api.metric_server_error(period=five_minutes, statistic="Sum"),
            threshold=stage.alarm_5xx_per_5_min,
            description="API answered 5xx",
        )
        for name, function in functions.items():
            self._alarm(f"{name}Errors", function.metric_errors(period=five_minutes), 1, f"{name} raised errors")
            self._alarm(f"{name}Throttles", function.metric_throttles(period=five_minutes), 1, f"{name} throttled")
        for name, queue in dead_letters.items():
            self._alarm(
                f"{name}DeadLetters",
                queue.metric_approximate_number_of_messages_visible(period=five_minutes, statistic="Maximum"),
                1,
                f"{name}: events in its dead-letter queue",
            )

    def _alarm(self, name: str, metric: cloudwatch.IMetric, threshold: float, description: str) -> None:
        alarm = cloudwatch.Alarm(
            self,
            name,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
