"""A local stand-in for Microsoft SNDS's automated data access (issue 19): data.aspx and ipStatus.aspx on
loopback, answering the documented CSV lines (shared/facts/reputation.md) with the quirks a real export
has: a byte-order mark, CRLF line ends, blank lines at the end. A key it does not know gets a 401; the
statuses queued in ``fail`` are answered first (a 503, then the data)."""

import http.server
import threading
from urllib.parse import parse_qs, urlsplit

from tests.deliverability.snds.factories import KEY

# Acme's IPs 192.0.2.10 (green) and .11 (red, trap hits, a hostile HELO and MAIL FROM); 203.0.113.5 is in
# Acme's SNDS ranges but not monitored in the portal; .12's colour is one nobody documented, its line cut
# before the trap columns, its complaint rate written with a decimal comma.
DATA = (
    "\ufeff192.0.2.10,11/30/2026 12:00 AM,12/1/2026 12:00 AM,1200,1180,1175,GREEN,< 0.1%,,,0,"
    "mta1.acme.example,bounce@acme.example\r\n"
    "192.0.2.11,11/30/2026 12:00 AM,12/1/2026 12:00 AM,5400,5300,5290,RED,2.3%,11/30/2026 3:10 AM,"
    '11/30/2026 9:45 PM,14,<script>alert("helo")</script>,"""x""<img src=x onerror=alert(1)>@evil.example"\r\n'
    "203.0.113.5,11/30/2026 12:00 AM,12/1/2026 12:00 AM,300,300,298,YELLOW,0.5%,,,0,other.example,a@other.example\r\n"
    '192.0.2.12,11/30/2026 12:00 AM,12/1/2026 12:00 AM,100,100,100,PURPLE,"0,5%"\r\n'
    "\r\n\r\n"
).encode()
STATUS = b"192.0.2.11,192.0.2.11,Yes,Blocked due to user complaints or other evidence of spamming\r\n\r\n"


class SndsServer:
    def __init__(self):
        self.data = {KEY: DATA}
        self.status = {KEY: STATUS}
        self.dated: dict[str, bytes] = {}  # data.aspx?date=MMDDYY (a day asked for again)
        self.fail: list[int] = []
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the stdlib's name
                parts = urlsplit(self.path)
                key = parse_qs(parts.query).get("key", [""])[0]
                server.requests.append(parts.path.rsplit("/", 1)[-1])
                if server.fail:
                    self._answer(server.fail.pop(0), b"Service Unavailable")
                elif key not in server.data:
                    self._answer(401, b"Unauthorized")
                elif parts.path.endswith("/data.aspx") and "date" in parse_qs(parts.query):
                    server.requests[-1] += "?date=" + parse_qs(parts.query)["date"][0]
                    self._answer(200, server.dated.get(parse_qs(parts.query)["date"][0], b""))
                elif parts.path.endswith("/data.aspx"):
                    self._answer(200, server.data[key])
                elif parts.path.endswith("/ipStatus.aspx"):
                    self._answer(200, server.status[key])
                else:
                    self._answer(404, b"Not Found")

            def _answer(self, status: int, body: bytes):
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/snds/"
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.http.shutdown()
        self.http.server_close()
