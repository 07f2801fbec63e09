"""A small threaded HTTP/1.1 WSGI server with keep-alive (and optional TLS).

werkzeug's development server closes every connection (``Connection: close``); real
AWS endpoints keep them open and clients (libcurl, urllib3) reuse them, so the
emulator serves WSGI itself: one thread per connection, any number of requests per
connection, ``Content-Length`` on every answer.

The application may ask for the connection to be cut:
* ``environ["emulator.drop"] = "before"``: nothing is sent, the socket is shut down;
* ``environ["emulator.drop"] = "after"``: the request was handled, its answer is thrown
  away and the socket is shut down (a lost answer).
Only that connection is closed; the others go on.

Each answer leaves in one write (status line, headers and body together) on a socket
with TCP_NODELAY, as a production server sends it. Written as two sends (headers, then
body) without TCP_NODELAY, the body waited for the client's delayed ACK of the headers
(Nagle's algorithm against Linux's 40 ms delayed ACK): every answer came 40 ms late, and
a benchmark's "30 ms per request" was really 70 (docs/benchmarks.md).
"""
from __future__ import annotations

import io
import socket
import ssl
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AmazonEmulator"
    sys_version = ""
    disable_nagle_algorithm = True  # TCP_NODELAY on every accepted connection

    def log_message(self, format, *args):  # noqa: A002 (base class signature)
        pass

    def setup(self) -> None:
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.settimeout(30)
            self.connection.do_handshake()
            self.connection.settimeout(None)

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionError, socket.timeout, ssl.SSLError, OSError):
            pass

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _run(self) -> None:
        body = self._body()
        if self.headers.get("Expect", "").lower() == "100-continue":
            pass  # the body was already read (clients send it after a short wait)
        path, _, query = self.path.partition("?")
        host = self.headers.get("Host", f"127.0.0.1:{self.server.server_address[1]}")
        environ = {
            "REQUEST_METHOD": self.command, "SCRIPT_NAME": "",
            "PATH_INFO": urllib.parse.unquote(path, "latin-1"), "QUERY_STRING": query,
            "RAW_URI": self.path, "REQUEST_URI": self.path,
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": str(self.server.server_address[1]),
            "SERVER_PROTOCOL": self.request_version, "REMOTE_ADDR": self.client_address[0],
            "REMOTE_PORT": str(self.client_address[1]),
            "CONTENT_LENGTH": str(len(body)), "HTTP_HOST": host,
            "wsgi.version": (1, 0), "wsgi.url_scheme": "https" if self.server.tls else "http",
            "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
            "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
        }
        if self.headers.get("Content-Type") is not None:
            environ["CONTENT_TYPE"] = self.headers["Content-Type"]
        for k, v in self.headers.items():
            key = "HTTP_" + k.upper().replace("-", "_")
            if key in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                continue
            environ[key] = f"{environ[key]},{v}" if key in environ and key != "HTTP_HOST" else v
        latency = 0.0 if path.startswith("/_emulator/") else self.server.latency_seconds()
        if latency > 0:
            time.sleep(latency)  # no lock held: concurrent requests overlap
        status_headers: dict = {}

        def start_response(status, headers, exc_info=None):
            status_headers["status"], status_headers["headers"] = status, headers
            return lambda data: None

        try:
            chunks = b"".join(self.server.app(environ, start_response))
        except Exception:  # noqa: BLE001 (a bug in the app must not kill the server)
            import traceback
            traceback.print_exc(file=sys.stderr)
            status_headers = {"status": "500 Internal Server Error", "headers": []}
            chunks = b""
        if environ.get("emulator.drop"):
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        code, _, reason = status_headers["status"].partition(" ")
        lines = [f"{self.protocol_version} {int(code)} {reason}"]
        sent = set()
        for k, v in status_headers["headers"]:
            if k.lower() in ("content-length", "connection", "transfer-encoding"):
                continue
            lines.append(f"{k}: {v}")
            sent.add(k.lower())
        if "date" not in sent:
            lines.append(f"Date: {self.date_time_string()}")
        lines.append(f"Content-Length: {len(chunks)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "strict")
        self.wfile.write(head + (chunks if self.command != "HEAD" else b""))  # one write
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _run


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, port: int, app, ssl_context: ssl.SSLContext | None = None,
                 latency=lambda: 0.0):
        self.app = app
        self.tls = ssl_context is not None
        self._ctx = ssl_context
        self.latency_seconds = latency
        self.connections = 0  # accepted so far: how many connections clients opened
        super().__init__(("127.0.0.1", port), _Handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        self.connections += 1  # only the accepting thread writes it
        if self._ctx is not None:  # handshake in the connection's thread, not here
            sock = self._ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        pass
