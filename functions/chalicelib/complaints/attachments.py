"""Optional files with a complaint: uploaded straight to S3 with presigned POSTs fixed to their type
and size, shown to the agencies through short-lived download links, never to the public."""

from __future__ import annotations

from typing import Any

from chalicelib.complaints.schemas import AttachmentLink, AttachmentMeta
from chalicelib.core.config import get_settings
from chalicelib.core.filenames import clean, content_disposition
from chalicelib.core.secrets import new_id
from chalicelib.store.files import s3

UPLOAD_SECONDS = 15 * 60
DOWNLOAD_SECONDS = 5 * 60


def tickets(code: str, metas: list[AttachmentMeta]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What to store for each file, and the presigned uploads to hand back."""
    stored, uploads = [], []
    for meta in metas:
        key = f"complaints/{code}/{new_id()}"
        post = s3().generate_presigned_post(
            get_settings().attachments_bucket,
            key,
            Fields={"Content-Type": meta.content_type},
            Conditions=[{"Content-Type": meta.content_type}, ["content-length-range", 1, meta.size]],
            ExpiresIn=UPLOAD_SECONDS,
        )
        stored.append({"file_name": meta.file_name, "content_type": meta.content_type, "size": meta.size, "key": key})
        uploads.append({"file_name": meta.file_name, "url": post["url"], "fields": post["fields"]})
    return stored, uploads


def links(stored: list[dict[str, Any]], *, downloadable: bool) -> list[AttachmentLink]:
    found = []
    for item in stored:
        url = None
        if downloadable:
            url = s3().generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": get_settings().attachments_bucket,
                    "Key": item["key"],
                    # Names stored before they were cleaned are cleaned here too.
                    "ResponseContentDisposition": content_disposition(item["file_name"]),
                    "ResponseContentType": item["content_type"],
                },
                ExpiresIn=DOWNLOAD_SECONDS,
            )
        found.append(
            AttachmentLink(
                file_name=clean(item["file_name"]), content_type=item["content_type"], size=item["size"], url=url
            )
        )
    return found
