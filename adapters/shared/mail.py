"""Sending e-mail over SMTP (the inbox's daily digest): ``smtp://host:port`` plain,
``smtp+starttls://`` upgraded, ``smtps://`` over TLS, with ``user:password@`` when the
server asks. No address or body is logged."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


class MailError(Exception):
    """The mail server could not be reached or refused the message."""


def check_url(url: str) -> None:
    """Refuse a URL that names no SMTP server (at start-up)."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        msg = f"the SMTP URL must be {', '.join(s + '://host[:port]' for s in SCHEMES)}"
        raise ValueError(msg)


def send(url: str, sender: str, to: str, subject: str, body: str, timeout: float = 10) -> None:
    """Send one plain-text message."""
    check_url(url)
    parts = urlsplit(url)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.set_content(body)
    port = parts.port or SCHEMES[parts.scheme]
    host = parts.hostname or ""
    try:
        if parts.scheme == "smtps":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(host, port, timeout=timeout)
        with server:
            if parts.scheme == "smtp+starttls":
                server.starttls(context=ssl.create_default_context())
            if parts.username:
                server.login(unquote(parts.username), unquote(parts.password or ""))
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as e:
        raise MailError(type(e).__name__) from None
