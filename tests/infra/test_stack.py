"""The synthesised stacks: tables from the app's models, the site and CDN, the API, and lint."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from cfnlint.api import lint

from infra.caching import LONG_PATTERNS, REVALIDATED_PATHS
from infra.models import table_specs
from infra.permissions import TABLE_ACTIONS
from infra.routes import app_shape
from infra.stages import load_stages

# Actions that AWS cannot scope to a resource: SMS recipients are phone numbers, and Lambda's
# stream poller lists streams account-wide before reading the one it was given.
UNSCOPABLE = {"sns:Publish", "dynamodb:ListStreams"}


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: body for name, body in template["Resources"].items() if body["Type"] == kind}


def properties(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [body.get("Properties", {}) for body in resources(template, kind).values()]


def statements(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every IAM statement, wherever CDK put it: a role's inline policy, or the managed "overflow"
    policies CDK adds once the inline one would pass IAM's size limit (the app role, with every table)."""
    found = []
    for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for name, body in resources(template, kind).items():
            for statement in body["Properties"]["PolicyDocument"]["Statement"]:
                found.append((name, statement))
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def tables_by_name(template: dict[str, Any], prefix: str) -> dict[str, dict[str, Any]]:
    return {
        props["TableName"][len(prefix) + 1 :]: props
        for props in properties(template, "AWS::DynamoDB::Table")
        if props["TableName"].startswith(prefix)
    }


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_cfn_lint_reports_no_errors(templates: dict[str, dict[str, Any]], stage: str) -> None:
    region = load_stages()[stage].region
    matches = lint(json.dumps(templates[stage]), regions=[region])
    errors = [str(match) for match in matches if match.rule.id.startswith("E")]
    assert errors == []


def test_every_model_has_its_table_with_the_same_keys_indexes_and_ttl(dev: dict[str, Any]) -> None:
    tables = tables_by_name(dev, "dvc-dev")
    specs = table_specs()
    assert sorted(tables) == sorted(spec.name for spec in specs)
    for spec in specs:
        table = tables[spec.name]
        assert [(key["AttributeName"], key["KeyType"]) for key in table["KeySchema"]] == list(spec.keys)
        indexes = {index["IndexName"]: index for index in table.get("GlobalSecondaryIndexes", [])}
        assert sorted(indexes) == sorted(index.name for index in spec.indexes), spec.name
        for index in spec.indexes:
            synthesised = indexes[index.name]
            assert [(key["AttributeName"], key["KeyType"]) for key in synthesised["KeySchema"]] == list(index.keys)
            assert synthesised["Projection"]["ProjectionType"] == index.projection
        types = {item["AttributeName"]: item["AttributeType"] for item in table["AttributeDefinitions"]}
        assert types == spec.attribute_types, spec.name
        ttl = table.get("TimeToLiveSpecification")
        assert (ttl["AttributeName"] if ttl else None) == spec.ttl_attribute, spec.name


def test_tables_the_brief_names_expire_their_items(dev: dict[str, Any]) -> None:
    tables = tables_by_name(dev, "dvc-dev")
    for name in ("grants", "drafts", "dossier-counters", "dossier-updates"):
        assert tables[name]["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_every_table_is_on_demand_recoverable_and_encrypted(templates: dict[str, dict[str, Any]]) -> None:
    for template in templates.values():
        for table in properties(template, "AWS::DynamoDB::Table"):
            assert table["BillingMode"] == "PAY_PER_REQUEST"
            assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
            assert table["SSESpecification"]["SSEEnabled"] is True


def test_dossiers_and_outbox_stream_new_and_old_images(dev: dict[str, Any]) -> None:
    tables = tables_by_name(dev, "dvc-dev")
    for name in ("dossiers", "outbox"):
        assert tables[name]["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_prod_tables_are_kept_and_protected_from_deletion(prod: dict[str, Any]) -> None:
    for body in resources(prod, "AWS::DynamoDB::Table").values():
        assert body["DeletionPolicy"] == "Retain"
        assert body["Properties"]["DeletionProtectionEnabled"] is True


def test_buckets_block_public_access_encrypt_and_refuse_plain_http(dev: dict[str, Any]) -> None:
    buckets = resources(dev, "AWS::S3::Bucket")
    assert len(buckets) == 2
    for body in buckets.values():
        props = body["Properties"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    policies = json.dumps(properties(dev, "AWS::S3::BucketPolicy"))
    assert policies.count('"aws:SecureTransport": "false"') == 2


def test_attachments_accept_browser_uploads_only_from_the_site(dev: dict[str, Any]) -> None:
    (attachments,) = [props for props in properties(dev, "AWS::S3::Bucket") if "CorsConfiguration" in props]
    (rule,) = attachments["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedMethods"] == ["POST"]
    assert "Distribution" in json.dumps(rule["AllowedOrigins"])  # the CloudFront domain, not "*"
    assert any(rule["Prefix"] == "drafts/" for rule in attachments["LifecycleConfiguration"]["Rules"])


def test_distribution_redirects_to_https_compresses_and_uses_origin_access_control(dev: dict[str, Any]) -> None:
    (config,) = [props["DistributionConfig"] for props in properties(dev, "AWS::CloudFront::Distribution")]
    behaviors = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert all(behavior["ViewerProtocolPolicy"] == "redirect-to-https" for behavior in behaviors)
    assert all(behavior["Compress"] is True for behavior in behaviors)
    assert all("ResponseHeadersPolicyId" in behavior for behavior in behaviors)
    (origin,) = config["Origins"]
    assert "OriginAccessControlId" in origin
    assert origin["S3OriginConfig"]["OriginAccessIdentity"] == ""
    assert {behavior["PathPattern"] for behavior in config["CacheBehaviors"]} == set(LONG_PATTERNS) | set(
        REVALIDATED_PATHS
    )


def test_prod_distribution_serves_its_domain_with_tls_1_2_or_later(prod: dict[str, Any]) -> None:
    (config,) = [props["DistributionConfig"] for props in properties(prod, "AWS::CloudFront::Distribution")]
    assert config["Aliases"] == ["dichvucong.example.vn"]
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    assert config["ViewerCertificate"]["SslSupportMethod"] == "sni-only"


def test_cache_lifetimes_are_long_for_fingerprinted_files_and_short_for_pages(dev: dict[str, Any]) -> None:
    policies = {
        props["CachePolicyConfig"]["MaxTTL"]: props["CachePolicyConfig"]
        for props in properties(dev, "AWS::CloudFront::CachePolicy")
    }
    assert sorted(policies) == [0, 300, 31536000]
    assert all(
        policy["ParametersInCacheKeyAndForwardedToOrigin"]["EnableAcceptEncodingBrotli"] for policy in policies.values()
    )


def test_security_headers_deny_framing_sniffing_and_pin_https(dev: dict[str, Any]) -> None:
    (config,) = [
        props["ResponseHeadersPolicyConfig"] for props in properties(dev, "AWS::CloudFront::ResponseHeadersPolicy")
    ]
    headers = config["SecurityHeadersConfig"]
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ContentTypeOptions"]["Override"] is True
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    csp = json.dumps(headers["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "execute-api" in csp


def test_the_site_may_upload_where_the_backend_presigns_attachments(dev: dict[str, Any]) -> None:
    """The CSP's connect-src must name the origin of the presigned POST URL the API hands out."""
    from chalicelib.store.files import client_for

    (config,) = [
        props["ResponseHeadersPolicyConfig"] for props in properties(dev, "AWS::CloudFront::ResponseHeadersPolicy")
    ]
    csp = config["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    # {"Fn::Join": ["", [text, {"Fn::GetAtt": ...}, text]]}: the API's origin is a reference
    text = "".join(part if isinstance(part, str) else "<reference>" for part in csp["Fn::Join"][1])
    connect = next(part for part in text.split("; ") if part.startswith("connect-src")).split()
    client = client_for(load_stages()["dev"].region, None)
    parts = urlsplit(client.generate_presigned_post("dvc-dev-attachments", "drafts/x")["url"])
    assert f"{parts.scheme}://{parts.netloc}" in connect


def test_no_statement_allows_every_action_or_touches_data_on_every_resource(
    templates: dict[str, dict[str, Any]],
) -> None:
    for template in templates.values():
        for policy, statement in statements(template):
            actions = as_list(statement["Action"])
            assert not any(action == "*" or action.endswith(":*") for action in actions), policy
            if "*" in as_list(statement["Resource"]):
                assert set(actions) <= UNSCOPABLE, (policy, actions)


def test_table_access_lists_its_actions_and_names_each_table_and_index(dev: dict[str, Any]) -> None:
    table_statements = [
        statement
        for _, statement in statements(dev)
        if any(action in TABLE_ACTIONS for action in as_list(statement["Action"]))
    ]
    assert table_statements
    for statement in table_statements:
        for resource in as_list(statement["Resource"]):
            text = json.dumps(resource)
            assert "Tables" in text, resource  # a reference to one of the stack's tables
            assert "/index/*" not in text


def test_payment_callbacks_run_under_a_role_that_cannot_read_signing_keys_or_accounts(dev: dict[str, Any]) -> None:
    callback = [statement for name, statement in statements(dev) if name.startswith("BackendPaymentCallbackRole")]
    text = json.dumps(callback)
    assert "SigningKeys" not in text and "TablesAccount" not in text and "Attachments" not in text
    assert "TablesPaymentIntent" in text or "payment" in text.lower()
    assert "GatewaySecrets" in text


def test_every_route_of_the_app_is_exposed_and_callbacks_reach_their_own_function(dev: dict[str, Any]) -> None:
    methods = properties(dev, "AWS::ApiGateway::Method")
    assert len(methods) == sum(len(route.methods) for route in app_shape().routes)
    callback_targets = {json.dumps(m["Integration"]["Uri"]) for m in methods if "PaymentCallbacks" in json.dumps(m)}
    assert len(callback_targets) == (1 if any(route.payment_callback for route in app_shape().routes) else 0)
    assert all(m["Integration"]["Type"] == "AWS_PROXY" and m["AuthorizationType"] == "NONE" for m in methods)


def test_functions_get_the_app_configuration_and_no_secrets(dev: dict[str, Any]) -> None:
    app_functions = [props for props in properties(dev, "AWS::Lambda::Function") if props["Handler"].startswith("app.")]
    for function in app_functions:
        variables = function["Environment"]["Variables"]
        assert variables["PORTAL_TABLE_PREFIX"] == "dvc-dev"
        assert variables["PORTAL_NOTIFIER"] == "aws"
        references = ("PORTAL_ISSUER", "PORTAL_SITE_URL", "PORTAL_KEYS_SECRET_ID")
        for name in (*references, "PORTAL_PROCEDURES_BUCKET", "PORTAL_ATTACHMENTS_BUCKET"):
            assert isinstance(variables[name], dict), name  # a reference to a resource of the stack


def test_scheduled_jobs_retry_into_dead_letter_queues(dev: dict[str, Any]) -> None:
    jobs = app_shape().jobs
    rules = properties(dev, "AWS::Events::Rule")
    assert sorted(rule["ScheduleExpression"] for rule in rules) == sorted(job.schedule for job in jobs)
    assert all("DeadLetterConfig" in rule["Targets"][0] for rule in rules)
    handlers = {props["Handler"]: props for props in properties(dev, "AWS::Lambda::Function")}
    for job in jobs:
        assert "DeadLetterConfig" in handlers[job.handler]


def test_waf_rate_limits_the_api_stage(dev: dict[str, Any]) -> None:
    (acl,) = properties(dev, "AWS::WAFv2::WebACL")
    rate = [rule for rule in acl["Rules"] if "RateBasedStatement" in rule["Statement"]]
    assert rate and rate[0]["Action"] == {"Block": {}}
    (association,) = properties(dev, "AWS::WAFv2::WebACLAssociation")
    assert "restapis" in json.dumps(association["ResourceArn"]) and "/stages/" in json.dumps(association["ResourceArn"])


def test_alarms_watch_5xx_throttles_errors_and_dead_letters(dev: dict[str, Any]) -> None:
    alarms = properties(dev, "AWS::CloudWatch::Alarm")
    metrics = {alarm["MetricName"] for alarm in alarms}
    assert {"5XXError", "Throttles", "Errors", "ApproximateNumberOfMessagesVisible"} <= metrics
    assert all(alarm["AlarmActions"] for alarm in alarms)
    throttled = {json.dumps(alarm["Dimensions"]) for alarm in alarms if alarm["MetricName"] == "Throttles"}
    assert len(throttled) == len(properties(dev, "AWS::Lambda::Function"))


def test_every_log_group_has_a_retention_period(templates: dict[str, dict[str, Any]]) -> None:
    expected = {"dev": 30, "prod": 365}
    for stage, template in templates.items():
        groups = properties(template, "AWS::Logs::LogGroup")
        assert groups and all(group["RetentionInDays"] == expected[stage] for group in groups)
        for function in properties(template, "AWS::Lambda::Function"):
            assert "LogGroup" in function["LoggingConfig"]


def test_webhook_deliveries_go_through_a_queue_with_a_dead_letter_queue_and_a_consumer(dev: dict[str, Any]) -> None:
    queues = resources(dev, "AWS::SQS::Queue")
    [(queue_name, work_queue)] = [
        (n, body["Properties"]) for n, body in queues.items() if "RedrivePolicy" in body["Properties"]
    ]
    assert work_queue["RedrivePolicy"]["maxReceiveCount"] == 5
    assert work_queue["VisibilityTimeout"] >= 6 * 30
    mappings = properties(dev, "AWS::Lambda::EventSourceMapping")
    from_queue = [m for m in mappings if queue_name in json.dumps(m.get("EventSourceArn", {}))]
    assert len(from_queue) == 1 and from_queue[0]["BatchSize"] == 10
    handlers = {props["Handler"]: props for props in properties(dev, "AWS::Lambda::Function")}
    variables = handlers["app.app"]["Environment"]["Variables"]
    assert isinstance(variables["PORTAL_WEBHOOK_QUEUE_URL"], dict)  # a reference to the stack's queue
    assert "app.deliver_webhooks" in handlers  # the consumer (app_shape() here may see an app imported earlier)


def test_gateway_answers_an_unknown_path_with_a_404_in_the_apps_error_shape(dev: dict[str, Any]) -> None:
    from chalicelib.core.errors import error_body

    responses = {response["ResponseType"]: response for response in properties(dev, "AWS::ApiGateway::GatewayResponse")}
    missing = responses["MISSING_AUTHENTICATION_TOKEN"]
    assert missing["StatusCode"] == "404"
    body = json.loads(missing["ResponseTemplates"]["application/json"])
    assert body == error_body("not_found", "Không có tài nguyên nào tại địa chỉ này.")
    assert missing["ResponseParameters"]["gatewayresponse.header.API-Version"] == "'1'"


def test_every_other_gateway_refusal_uses_the_error_shape(dev: dict[str, Any]) -> None:
    responses = {response["ResponseType"]: response for response in properties(dev, "AWS::ApiGateway::GatewayResponse")}
    assert {"DEFAULT_4XX", "DEFAULT_5XX", "THROTTLED", "REQUEST_TOO_LARGE", "WAF_FILTERED"} <= set(responses)
    assert "StatusCode" not in responses["DEFAULT_4XX"] and "StatusCode" not in responses["DEFAULT_5XX"]
    assert responses["THROTTLED"]["StatusCode"] == "429"
    for kind, response in responses.items():
        error = json.loads(response["ResponseTemplates"]["application/json"])["error"]
        assert set(error) == {"code", "message"} and error["message"], kind
        assert response["ResponseParameters"]["gatewayresponse.header.Cache-Control"] == "'no-store'", kind


def test_the_api_stage_throttles_all_traffic_as_the_outer_limit(templates: dict[str, dict[str, Any]]) -> None:
    for template in templates.values():
        (stage,) = properties(template, "AWS::ApiGateway::Stage")
        (settings,) = [setting for setting in stage["MethodSettings"] if setting["HttpMethod"] == "*"]
        assert settings["ThrottlingRateLimit"] > 0 and settings["ThrottlingBurstLimit"] > 0


def test_the_app_may_append_to_the_audit_trail_but_never_change_or_remove_an_entry(dev: dict[str, Any]) -> None:
    denials = [statement for _, statement in statements(dev) if statement.get("Effect") == "Deny"]
    audit = [statement for statement in denials if "TablesAuditEntry" in json.dumps(statement["Resource"])]
    assert audit, denials
    assert {"dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"} <= set(
        action for statement in audit for action in as_list(statement["Action"])
    )


def test_the_app_may_read_every_catalogue_export_the_api_reads(dev: dict[str, Any]) -> None:
    """Without s3:GetObject a missing permission looks like a missing record (AccessDenied is read as
    "not found"), so a forgotten folder would quietly refuse every linked group on AWS."""
    readable = json.dumps(
        [s["Resource"] for _, s in statements(dev) if "s3:GetObject" in as_list(s["Action"]) and s["Effect"] == "Allow"]
    )
    for key in ("/du-lieu/thu-tuc/*", "/du-lieu/lien-thong/*", "/du-lieu/tra-cuu-nhanh.json"):
        assert key in readable, key
