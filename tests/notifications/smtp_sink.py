"""A real SMTP server on loopback for tests: it keeps what it is given, and can misbehave."""

import socketserver
import threading


class _Handler(socketserver.StreamRequestHandler):
    # A safety net only: no test should ever wait on it.
    timeout = 60

    def handle(self) -> None:
        sink: SMTPSink = self.server.sink
        self._reply("220 sink.test ESMTP")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in {b"EHLO", b"HELO"}:
                self._reply("250 sink.test")
            elif verb == b"RCPT":
                self._reply(sink.rcpt_replies.pop(0) if sink.rcpt_replies else "250 OK")
            elif verb == b"DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                sink.messages.append(self._read_message())
                if sink.stall_after_data:
                    # Stored, but the answer comes only once the client has given up waiting and
                    # hung up, as a slow server does after its storage write.
                    self.rfile.read()
                    self._reply("250 OK queued")
                    return
                self._reply("250 OK queued")
            elif verb == b"QUIT":
                self._reply("221 Bye")
                return
            else:  # MAIL, RSET, NOOP
                self._reply("250 OK")

    def _read_message(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in {b".\r\n", b""}:
            lines.append(line)
        return b"".join(lines)

    def _reply(self, text: str) -> None:
        try:
            self.wfile.write(text.encode() + b"\r\n")
            self.wfile.flush()
        except OSError:
            pass  # the client has gone; that is what some tests are about


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SMTPSink:
    """`with SMTPSink(...) as sink:` listens on 127.0.0.1:`sink.port`; `sink.messages` holds
    each message received whole, as bytes.

    `rcpt_replies`: replies to RCPT TO, used in turn (e.g. "451 4.3.0 Try again later"), then
    250. `stall_after_data`: keep each message, then answer its DATA only after the client
    hung up.
    """

    def __init__(self, *, rcpt_replies: list[str] | None = None, stall_after_data: bool = False):
        self.rcpt_replies = list(rcpt_replies or [])
        self.stall_after_data = stall_after_data
        self.messages: list[bytes] = []
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.sink = self
        self.port = self._server.server_address[1]

    def __enter__(self) -> "SMTPSink":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()


def use_smtp(settings, port: int) -> None:
    """Send through the production SMTP backend to 127.0.0.1:`port`, waiting 1 s for answers."""
    settings.EMAIL_BACKEND = "notifications.backends.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 1
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
