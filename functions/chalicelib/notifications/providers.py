"""Where notifications go. One small interface, one adapter per provider.

- `LogProvider` appends readable lines to a file: the local stack's "inbox" for developers.
- `AwsProvider` sends e-mail through SES and SMS through SNS.
"""

from __future__ import annotations

import json
import os
import threading
import time
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

from chalicelib.core.config import Settings


class DeliveryFailed(Exception):
    pass


class Provider(ABC):
    @abstractmethod
    def send(self, channel: str, recipient: str, subject: str, text: str) -> None: ...


class LogProvider(Provider):
    _lock = threading.Lock()

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, channel: str, recipient: str, subject: str, text: str) -> None:
        entry = {"at": time.strftime("%Y-%m-%d %H:%M:%S"), "channel": channel, "to": recipient, "subject": subject}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Owner-only: the log holds one-time codes meant for the account holder.
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with self._lock, os.fdopen(fd, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry, ensure_ascii=False) + "\n" + text + "\n\n")


class AwsProvider(Provider):
    def __init__(self, region: str, sender: str, ses: Any = None, sns: Any = None) -> None:
        self.region = region
        self.sender = sender
        self._ses = ses
        self._sns = sns

    def send(self, channel: str, recipient: str, subject: str, text: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            if channel == "email":
                self._client("ses").send_email(
                    Source=self.sender,
                    Destination={"ToAddresses": [recipient]},
                    Message={"Subject": {"Data": subject, "Charset": "UTF-8"}, "Body": {"Text": {"Data": text}}},
                )
            else:
                self._client("sns").publish(PhoneNumber=e164(recipient), Message=text)
        except (BotoCoreError, ClientError) as error:
            raise DeliveryFailed(type(error).__name__) from None

    def _client(self, name: str) -> Any:
        import boto3

        if name == "ses":
            self._ses = self._ses or boto3.client("ses", region_name=self.region)
            return self._ses
        self._sns = self._sns or boto3.client("sns", region_name=self.region)
        return self._sns


def e164(phone: str) -> str:
    """SNS wants international numbers: `0912345678` -> `+84912345678`."""
    digits = phone.strip().replace(" ", "")
    return f"+84{digits[1:]}" if digits.startswith("0") else digits


def provider_for(settings: Settings) -> Provider:
    if settings.notifier == "aws":
        return AwsProvider(settings.region, sender=settings.mail_from)
    return LogProvider(settings.outbox_log)
