"""The SMTP backend every email goes out through: Django's, plus one distinction it cannot make.

A failure before the mail server has the whole message (connection refused, a 4xx to MAIL or
RCPT, a dropped line while the body is still being written) means it was not delivered, and
trying again later is safe. A timeout or disconnect after the body and its final "." went out,
while waiting for the server's answer, is different: a server that stores the message and then
answers late (or never) has it, and sending it again would deliver it twice. Django's backend
raises the same `SMTPServerDisconnected` for both; this one raises `MessageMaybeSent` for the
second.
"""

import smtplib

from django.core.mail.backends import smtp


class MessageMaybeSent(smtplib.SMTPException):
    """The server had the whole message when the connection failed, before it answered."""


class _DataAwareMixin:
    # Where DATA has got to: None outside it, then "command", "body" once the server said 354,
    # "awaiting-reply" once the body and its terminating "." have been written.
    _data_stage: str | None = None

    def data(self, msg):
        self._data_stage = "command"
        try:
            return super().data(msg)
        except smtplib.SMTPResponseException:
            raise  # the server answered: it refused the message, with a code saying how
        except Exception as exc:
            if self._data_stage == "awaiting-reply":
                raise MessageMaybeSent(
                    f"The connection failed after the message was handed over ({exc}); the "
                    "mail server may have accepted it."
                ) from exc
            raise
        finally:
            self._data_stage = None

    def getreply(self):
        code, message = super().getreply()
        if self._data_stage == "command" and code == 354:
            self._data_stage = "body"
        return code, message

    def send(self, s):
        super().send(s)
        if self._data_stage == "body":
            self._data_stage = "awaiting-reply"


class _SMTP(_DataAwareMixin, smtplib.SMTP):
    pass


class _SMTPSSL(_DataAwareMixin, smtplib.SMTP_SSL):
    pass


class EmailBackend(smtp.EmailBackend):
    @property
    def connection_class(self):
        return _SMTPSSL if self.use_ssl else _SMTP
