"""One stack per stage: the site and its CDN, the tables, the attachments bucket, the API."""

from __future__ import annotations

from aws_cdk import CfnOutput, Environment, Stack
from constructs import Construct

from infra.api import Api
from infra.attachments import attachments_bucket
from infra.backend import Backend, Bundle
from infra.protection import Alarms, Firewall
from infra.routes import app_shape
from infra.site import Site
from infra.stages import Stage
from infra.tables import Tables


class PortalStack(Stack):
    def __init__(self, scope: Construct, stage: Stage, bundle: Bundle, account: str | None = None) -> None:
        super().__init__(
            scope,
            stage.stack_name,
            env=Environment(account=account, region=stage.region),
            description=f"Cổng Dịch vụ công ({stage.name}): site, CDN, tables and API",
        )
        shape = app_shape()
        tables = Tables(self, "Tables", stage)
        api = Api(self, "Api", stage=stage, shape=shape)
        site = Site(self, "Site", stage, api_origin=f"https://{api.host}")
        site_origin = f"https://{stage.site_domain}" if stage.site_domain else site.origin_url
        attachments = attachments_bucket(self, "Attachments", stage, site_origin)
        backend = Backend(
            self,
            "Backend",
            stage=stage,
            shape=shape,
            bundle=bundle,
            tables=tables,
            site_bucket=site.bucket,
            attachments=attachments,
        )
        api.route(shape, backend.api_function, backend.callback_function)
        backend.set_environment(
            {
                "PORTAL_ISSUER": api.issuer,
                "PORTAL_SITE_URL": site_origin + "/",
                "PORTAL_TABLE_PREFIX": stage.table_prefix,
                "PORTAL_KEYS_SECRET_ID": backend.signing_keys.secret_arn,
                "PORTAL_GATEWAY_SECRET_ID": backend.gateway_secrets.secret_arn,
                "PORTAL_NOTIFIER": "aws",
                "PORTAL_PROCEDURES_BUCKET": site.bucket.bucket_name,
                "PORTAL_ATTACHMENTS_BUCKET": attachments.bucket_name,
                "PORTAL_STREAM_ARNS": self.to_json_string(backend.stream_arns),
                **(
                    {
                        "PORTAL_WEBHOOK_QUEUE_URL": backend.queues["deliver-webhooks"].queue_url,
                        "PORTAL_WEBHOOK_QUEUE_ARN": backend.queues["deliver-webhooks"].queue_arn,
                    }
                    if "deliver-webhooks" in backend.queues
                    else {}
                ),
            }
        )
        Firewall(self, "Firewall", stage, api.rest_api.deployment_stage)
        Alarms(
            self,
            "Alarms",
            stage=stage,
            api=api.rest_api,
            functions=backend.app_functions,
            dead_letters=backend.dead_letters,
        )
        CfnOutput(self, "SiteBucket", value=site.bucket.bucket_name)
        CfnOutput(self, "Distribution", value=site.distribution.distribution_id)
        CfnOutput(self, "SiteUrl", value=site_origin)
        CfnOutput(self, "ApiUrl", value=api.issuer)
        CfnOutput(self, "SigningKeysSecret", value=backend.signing_keys.secret_arn)
