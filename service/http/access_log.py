"""One log line per request, and the request id that ties it to a client's report.

Every response carries `X-Request-Id`: the id a trusted proxy sent (`SIDENOTE_TRUSTED_PROXIES` > 0,
letters, digits, `.`, `_`, `-`, at most 64), else a new random one. Under `sidenote serve` each
request is logged, after its answer is built, as one line on stderr (docs/deploying.md, "Logs"):

    2026-12-06 04:20:01,123 request GET /api/v1/comments 200 3.1ms id=4f1c2a9e0b7d4e21

method, the path without its query string (the prefix the app is served under included), the
status, the time to build the answer in milliseconds, the request id. The query string is left
out: it may carry tokens (mail links) and addresses.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger("sidenote.access")

HEADER = "X-Request-Id"
LINE = "request %s %s %s %.1fms id=%s"
_WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{1,64}")
#: Visible ASCII, no space: a path made only of these is printed as it is.
_PLAIN = re.compile(r"[!-~]*")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def request_id(environ: dict[str, Any]) -> str:
    """The id this request is known by (set by `AccessLog`; a fresh one outside it)."""
    value = environ.get("sidenote.request_id")
    return value if isinstance(value, str) else os.urandom(8).hex()


class AccessLog:
    """WSGI middleware: assigns the request id, sets the header, logs the line."""

    def __init__(self, app: WSGIApp, *, trust_incoming_id: bool) -> None:
        self.app = app
        self.trust_incoming_id = trust_incoming_id

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        incoming = environ.get("HTTP_X_REQUEST_ID", "") if self.trust_incoming_id else ""
        rid = incoming if _WELL_FORMED.fullmatch(incoming) else os.urandom(8).hex()
        environ["sidenote.request_id"] = rid
        status = "-"

        def start(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            nonlocal status
            status = code.split(" ", 1)[0]
            headers.append((HEADER, rid))
            return start_response(code, headers, exc_info)

        try:
            return self.app(environ, start)
        finally:
            if log.isEnabledFor(logging.INFO):
                path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
                args = (
                    environ.get("REQUEST_METHOD", "-"),
                    _printable(path),
                    status,
                    (time.perf_counter() - started) * 1000,
                    rid,
                )
                handlers = log.handlers
                if len(handlers) == 1 and isinstance(handlers[0], AccessLineHandler):
                    # `sidenote serve`'s own handler: the line without a LogRecord.
                    handlers[0].write_line(LINE % args)
                else:
                    # `log.info` without its search of the stack for the caller (the line does
                    # not show it): a line per request is paid for by every request.
                    record = log.makeRecord(log.name, logging.INFO, __file__, 0, LINE, args, None)
                    log.handle(record)


def _printable(path: str) -> str:
    """A path as one safe token: no spaces or control characters can forge a log line."""
    if _PLAIN.fullmatch(path):  # nearly every path: checked at C speed, not per character
        return path
    return "".join(c if c.isprintable() and not c.isspace() else f"%{ord(c):02X}" for c in path)


class AccessLineHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes `%(asctime)s %(message)s` lines to stderr; `AccessLog` hands it each request's
    line as a string, skipping the LogRecord (its pid, thread and process lookups) and the
    formatter's `strftime` per line: the timestamp's seconds are formatted once a second.
    A line per request is paid for by every request, a 304 too."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        self._second = -1
        self._stamp = ""

    def write_line(self, message: str) -> None:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        line = f"{self._stamp},{int((now - second) * 1000):03d} {message}\n"
        with self.lock:  # type: ignore[union-attr]
            try:
                self.stream.write(line)
                self.stream.flush()
            except (OSError, ValueError):  # stderr closed or full: the request is not failed
                pass


def configure_logging() -> None:
    """What `sidenote serve` logs: the start line and the request lines, on stderr."""
    handler = AccessLineHandler()
    for name in ("sidenote.access", "sidenote.server"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False
