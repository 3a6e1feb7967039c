"""API Gateway (REST) exposing exactly the Chalice app's routes, each proxied to the app's function."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.backend import retention
from infra.routes import AppShape
from infra.stages import Stage

STAGE_NAME = "api"  # as in functions/.chalice/config.json


def _proxy(function: lambda_.IFunction) -> apigateway.Integration:
    # One integration object and one invoke permission per function, instead of CDK's
    # LambdaIntegration, which adds a permission for every method (two resources per route).
    stack = Stack.of(function)
    uri = (
        f"arn:{stack.partition}:apigateway:{stack.region}:lambda:path/2015-03-31/functions/"
        f"{function.function_arn}/invocations"
    )
    return apigateway.Integration(type=apigateway.IntegrationType.AWS_PROXY, integration_http_method="POST", uri=uri)


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: Stage,
        shape: AppShape,
    ) -> None:
        super().__init__(scope, construct_id)
        access_logs = logs.LogGroup(self, "AccessLogs", retention=retention(stage.log_retention_days))
        self.rest_api = apigateway.RestApi(
            self,
            "RestApi",
            rest_api_name=f"dvc-portal-{stage.name}",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            binary_media_types=list(shape.binary_types),
            cloud_watch_role=True,  # API Gateway needs an account-level role to write access logs
            deploy_options=apigateway.StageOptions(
                stage_name=STAGE_NAME,
                access_log_destination=apigateway.LogGroupLogDestination(access_logs),
                access_log_format=apigateway.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=False,
                ),
                metrics_enabled=True,
                throttling_rate_limit=stage.api_throttle_rps,
                throttling_burst_limit=stage.api_throttle_burst,
            ),
        )
        self._gateway_responses(shape)

    def _gateway_responses(self, shape: AppShape) -> None:
        """API Gateway's own refusals in the app's error shape: an unknown path is a 404, not a 403
        "Missing Authentication Token" (the table is `chalicelib.system.gateway`)."""
        headers = {name: f"'{value}'" for name, value in shape.gateway_headers if name != "Content-Type"}
        for answer in shape.gateway_answers:
            self.rest_api.add_gateway_response(
                answer.response_type,
                type=apigateway.ResponseType.of(answer.response_type),
                status_code=str(answer.status) if answer.status is not None else None,
                response_headers=headers,
                templates={"application/json": answer.body},
            )

    def route(self, shape: AppShape, app_function: lambda_.IFunction, callback_function: lambda_.IFunction) -> None:
        """Every route of the app to its function, the payment callbacks to theirs."""
        app_integration = _proxy(app_function)
        callback_integration = _proxy(callback_function)
        for route in shape.routes:
            resource = self.rest_api.root if route.path == "/" else self.rest_api.root.resource_for_path(route.path)
            integration = callback_integration if route.payment_callback else app_integration
            for method in route.methods:
                resource.add_method(method, integration)
        for name, function in (("App", app_function), ("PaymentCallbacks", callback_function)):
            lambda_.CfnPermission(
                self,
                f"Invoke{name}",
                action="lambda:InvokeFunction",
                function_name=function.function_arn,
                principal="apigateway.amazonaws.com",
                source_arn=self.rest_api.arn_for_execute_api(stage=STAGE_NAME),
            )

    @property
    def issuer(self) -> str:
        """The API's public address, built from its id (the deployed stage's URL would be a dependency cycle)."""
        return f"https://{self.host}/{STAGE_NAME}"

    @property
    def host(self) -> str:
        stack = Stack.of(self)
        return f"{self.rest_api.rest_api_id}.execute-api.{stack.region}.{stack.url_suffix}"
