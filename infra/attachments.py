"""The bucket citizens upload dossier attachments to, through presigned POSTs from the site."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.stages import Stage


def attachments_bucket(scope: Construct, construct_id: str, stage: Stage, site_origin: str) -> s3.Bucket:
    return s3.Bucket(
        scope,
        construct_id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        cors=[
            s3.CorsRule(
                allowed_methods=[s3.HttpMethods.POST],
                allowed_origins=[site_origin],
                allowed_headers=["*"],
                max_age=3600,
            )
        ],
        # Submission copies each file to dossiers/<code>/, so drafts/ expires with the draft records.
        lifecycle_rules=[
            s3.LifecycleRule(
                id="drafts",
                prefix="drafts/",
                abort_incomplete_multipart_upload_after=Duration.days(1),
                expiration=Duration.days(31),
            ),
            s3.LifecycleRule(
                id="dossiers",
                prefix="dossiers/",
                transitions=[
                    s3.Transition(storage_class=s3.StorageClass.INTELLIGENT_TIERING, transition_after=Duration.days(30))
                ],
            ),
        ],
        removal_policy=RemovalPolicy.RETAIN if stage.retain_data else RemovalPolicy.DESTROY,
    )
