"""Sending claimed messages over SMTP (standard library smtplib), one connection per batch."""
from __future__ import annotations

import smtplib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from .outbox import Outgoing

TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Delivery:
    ok: bool
    error: str | None = None     # error class and SMTP code only: the server's text may quote the address
    permanent: bool = False      # the server refused for good: retrying cannot help


SENT = Delivery(ok=True)


class MailConfigError(ValueError):
    """The mail settings cannot work (a server without a sender address)."""


def describe(error: BaseException) -> str:
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code = ",".join(sorted({str(c) for c, _ in error.recipients.values()}))
    return f"{type(error).__name__} {code}" if code else type(error).__name__


def _is_permanent(error: BaseException) -> bool:
    """A recipient or message refused with a 5xx reply; anything else (down, busy, 4xx) is retried."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and 500 <= error.smtp_code < 600


class SmtpMailer:
    def __init__(self, host: str, port: int, sender: str, *, starttls: bool = False,
                 username: str | None = None, password: str | None = None) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.username, self.password = starttls, username, password

    def deliver(self, messages: Sequence[Outgoing]) -> Iterator[tuple[Outgoing, Delivery]]:
        """Send each message, yielding its outcome as soon as it is known (so it is recorded at once)."""
        try:
            connection = self._connect()
        except (OSError, smtplib.SMTPException) as error:
            yield from ((m, Delivery(ok=False, error=describe(error))) for m in messages)
            return
        with connection:
            for index, message in enumerate(messages):
                try:
                    connection.send_message(self._email(message))
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
                    yield message, Delivery(ok=False, error=describe(error), permanent=_is_permanent(error))
                except (OSError, smtplib.SMTPException) as error:
                    # The connection is gone or the server is unwell: this and the rest wait for a retry.
                    failed = Delivery(ok=False, error=describe(error))
                    yield from ((m, failed) for m in messages[index:])
                    return
                else:
                    yield message, SENT

    def _connect(self) -> smtplib.SMTP:
        connection = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS)
        try:
            if self.starttls:
                connection.starttls()
            if self.username:
                connection.login(self.username, self.password or "")
        except BaseException:
            connection.close()
            raise
        return connection

    def _email(self, message: Outgoing) -> EmailMessage:
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = self.sender, message.recipient, message.subject
        email["Date"] = formatdate(localtime=False)
        # Stable per message: a resend after a crash carries the same id, so mail systems can drop the copy.
        email["Message-ID"] = f"<{message.uid}@{self.sender.rpartition('@')[2] or 'localhost'}>"
        email.set_content(message.body)
        return email


def mailer_from_config(config: Mapping[str, object]) -> SmtpMailer | None:
    """The configured mailer, or None when MAIL_SERVER is unset (messages then wait in the outbox)."""
    host = config.get("MAIL_SERVER")
    if not host:
        return None
    sender = config.get("MAIL_FROM")
    if not sender:
        raise MailConfigError("MAIL_SERVER is set but MAIL_FROM is not: set TRIAL_MAIL_FROM to the sender address")
    return SmtpMailer(str(host), int(str(config.get("MAIL_PORT") or 25)), str(sender),
                      starttls=bool(config.get("MAIL_USE_TLS")),
                      username=_optional(config.get("MAIL_USERNAME")),
                      password=_optional(config.get("MAIL_PASSWORD")))


def _optional(value: object) -> str | None:
    return str(value) if value else None
