"""The catalogue site: a private bucket behind CloudFront (origin access control, HTTPS only)."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra import caching
from infra.stages import Stage

# S3 through origin access control has no index documents: `/thu-tuc/1.001193/` must be asked
# for as `/thu-tuc/1.001193/index.html`.
DIRECTORY_INDEX = """
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.endsWith('/')) {
    request.uri = uri + 'index.html';
  } else if (uri.lastIndexOf('.') < uri.lastIndexOf('/')) {
    request.uri = uri + '/index.html';
  }
  return request;
}
"""


def content_security_policy(api_origin: str, upload_origin: str) -> str:
    # Material for MkDocs emits small inline scripts whose text varies with page depth, hence
    # 'unsafe-inline' for scripts; Pagefind compiles WebAssembly ('wasm-unsafe-eval').
    # Attachments go straight to S3 by presigned POST to the regional path-style endpoint (the
    # backend's client uses path addressing), a fixed origin that needs no reference to the bucket
    # (the bucket's CORS rule names the site, so naming the bucket here would be a cycle).
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            f"connect-src 'self' {api_origin} {upload_origin}",
            f"form-action 'self' {api_origin}",
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'none'",
            "upgrade-insecure-requests",
        ]
    )


class Site(Construct):
    def __init__(self, scope: Construct, construct_id: str, stage: Stage, api_origin: str) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,  # keeps ETag = MD5, which the publisher compares
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(noncurrent_version_expiration=Duration.days(30))],
            removal_policy=RemovalPolicy.RETAIN if stage.retain_data else RemovalPolicy.DESTROY,
            auto_delete_objects=False,
        )
        origin = origins.S3BucketOrigin.with_origin_access_control(self.bucket)
        index = cloudfront.Function(
            self,
            "DirectoryIndex",
            code=cloudfront.FunctionCode.from_inline(DIRECTORY_INDEX),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
        )
        headers = self._headers(api_origin, f"https://s3.{stage.region}.amazonaws.com")
        short = self._behavior(origin, self._policy("Short", caching.SHORT_SECONDS), headers, index)
        long = self._behavior(origin, self._policy("Long", caching.LONG_SECONDS), headers, None)
        revalidated = self._behavior(origin, self._policy("Revalidated", 0), headers, None)
        extra: dict[str, cloudfront.BehaviorOptions] = {pattern: long for pattern in caching.LONG_PATTERNS}
        extra.update({path: revalidated for path in sorted(caching.REVALIDATED_PATHS)})
        certificate = (
            acm.Certificate.from_certificate_arn(self, "Certificate", stage.site_certificate_arn)
            if stage.site_certificate_arn
            else None
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            default_behavior=short,
            additional_behaviors=extra,
            default_root_object="index.html",
            domain_names=[stage.site_domain] if stage.site_domain and certificate else None,
            certificate=certificate,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_200,  # includes the edges in Vietnam
            error_responses=[
                # Without s3:ListBucket a missing key answers 403: show the site's own 404 page.
                cloudfront.ErrorResponse(
                    http_status=status,
                    response_http_status=404,
                    response_page_path="/404.html",
                    ttl=Duration.minutes(1),
                )
                for status in (403, 404)
            ],
        )

    @property
    def origin_url(self) -> str:
        return f"https://{self.distribution.distribution_domain_name}"

    def _policy(self, name: str, max_seconds: int) -> cloudfront.CachePolicy:
        # The objects' own Cache-Control (set by the publisher) decides, within these bounds.
        return cloudfront.CachePolicy(
            self,
            f"{name}Cache",
            min_ttl=Duration.seconds(0),
            default_ttl=Duration.seconds(min(max_seconds, caching.SHORT_SECONDS)),
            max_ttl=Duration.seconds(max_seconds),
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
            query_string_behavior=cloudfront.CacheQueryStringBehavior.none(),
            cookie_behavior=cloudfront.CacheCookieBehavior.none(),
            header_behavior=cloudfront.CacheHeaderBehavior.none(),
        )

    def _behavior(
        self,
        origin: cloudfront.IOrigin,
        policy: cloudfront.ICachePolicy,
        headers: cloudfront.IResponseHeadersPolicy,
        index: cloudfront.Function | None,
    ) -> cloudfront.BehaviorOptions:
        associations = (
            [cloudfront.FunctionAssociation(function=index, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST)]
            if index
            else None
        )
        return cloudfront.BehaviorOptions(
            origin=origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
            compress=True,
            cache_policy=policy,
            response_headers_policy=headers,
            function_associations=associations,
        )

    def _headers(self, api_origin: str, upload_origin: str) -> cloudfront.ResponseHeadersPolicy:
        return cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(api_origin, upload_origin), override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(730), include_subdomains=True, preload=True, override=True
                ),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True
                ),
            ),
        )
