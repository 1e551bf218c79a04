"""E-mail over SMTP (smtplib): UTF-8 subject and body, and a Message-ID made from the
outbox key, so a mail sent twice (a resend after an uncertain send) is recognisable as the
same notice by the mail system and by the person."""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formataddr, formatdate

from core.messaging.channels import Failed, safe_key


def message_id(key: str, mail_from: str) -> str:
    domain = mail_from.rpartition("@")[2].strip("<> ") or "tongxin.local"
    return f"<{safe_key(key)}@{domain}>"


def build(message, mail_from: str, base_url: str = "") -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = mail_from
    mail["To"] = formataddr((message.recipient_name, message.address)) \
        if message.recipient_name else message.address
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = message_id(message.key, mail_from)
    body = message.body
    link = base_url + message.link if message.link.startswith("/") else message.link
    if link:
        body = f"{body}\n\n{link}" if body else link
    mail.set_content(body or message.title, charset="utf-8")
    return mail


class SmtpSender:
    def __init__(self, config: Mapping):
        self.host = config.get("SMTP_HOST") or "localhost"
        self.port = int(config.get("SMTP_PORT") or 25)
        self.user = config.get("SMTP_USER") or ""
        self.password = config.get("SMTP_PASSWORD") or ""
        self.tls = bool(config.get("SMTP_TLS"))
        self.mail_from = config.get("MAIL_FROM") or "tongxin@localhost"
        self.base_url = (config.get("PUBLIC_BASE_URL") or "").rstrip("/")

    def send(self, message) -> str:
        mail = build(message, self.mail_from, self.base_url)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=20) as smtp:
                if self.tls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password)
                refused = smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as err:
            raise Failed(f"smtp refused the recipient: {err.recipients}", permanent=True) \
                from err
        except smtplib.SMTPResponseException as err:
            # 5xx: the server will not take it (bad address, policy); 4xx: try again later
            raise Failed(f"smtp {err.smtp_code}: {err.smtp_error!r}",
                         permanent=500 <= err.smtp_code < 600) from err
        except (TimeoutError, smtplib.SMTPException, OSError) as err:
            raise Failed(f"smtp: {err}") from err
        if refused:
            raise Failed(f"smtp refused: {refused}", permanent=True)
        return mail["Message-ID"]
