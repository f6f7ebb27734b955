"""The one normaliser of page URLs (a thread's `thread_url`, a guest's page to come back to, an
imported page): read as a browser reads it (the WHATWG URL standard), then made strict.

Python's `urlsplit` and a browser disagree on hostile URLs: `http://evil.example\\@blog.example/a`
is on `blog.example` for Python and on `evil.example` for a browser (backslashes are slashes in
http(s) URLs). A check that reads a URL one way and a link that a browser follows the other way
sent verification codes to other hosts (issue 19). So every page URL is parsed here, the way a
browser would, and refused unless it is exactly `scheme://host[:port]/path[?query]`:

- the scheme is `http` or `https` (lower-cased), followed by exactly two slashes (backslashes
  count as slashes, as in browsers);
- leading and trailing C0 controls and spaces are stripped and tabs and line breaks removed, as
  browsers do; any other control character (C0, DEL, C1) refuses the URL;
- no user name or password (`user@`, `user:pass@`): refused;
- the host is lower-cased; an internationalised name becomes its punycode (UTS 46, as browsers);
  IPv6 addresses are written compressed; a host ending in a number must be a canonical IPv4
  address (browsers read `0x7f.1` as `127.0.0.1`; we refuse such forms);
- the port is dropped when it is the scheme's default;
- path and query are percent-encoded where browsers encode them (spaces, quotes, angle brackets,
  non-ASCII as UTF-8), escapes are upper-cased and those of unreserved characters decoded, and
  `.`/`..` segments resolved;
- the fragment is dropped (a page is the same page whatever its anchor); the query is kept,
  since some sites tell pages apart by it (`?p=42`).
"""

from __future__ import annotations

import ipaddress
import re
import string

import idna

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_LENGTH = 2000

_STRIPPED = "".join(chr(code) for code in range(0x21))  # C0 controls and space
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_HEX = frozenset(string.hexdigits)
#: What browsers percent-encode in a path, and in a query of an http(s) URL (besides non-ASCII).
_PATH_ENCODE = frozenset(' "<>`{}')
_QUERY_ENCODE = frozenset(" \"<>'")
_ASCII_HOST = re.compile(r"[a-z0-9._-]+")
_NUMERIC_LABEL = re.compile(r"(0x[0-9a-f]*|[0-9]+)")


class BadUrl(ValueError):
    """Why a URL is refused, as the end of "The page URL …"."""


def normalize_page_url(raw: str) -> str:
    """`raw` as `scheme://host[:port]/path[?query]`, normalised (see the module docstring)."""
    url = raw.strip(_STRIPPED)
    url = url.replace("\t", "").replace("\n", "").replace("\r", "")
    if any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in url):
        raise BadUrl("contains control characters")
    try:
        url.encode("utf-8")
    except UnicodeEncodeError:
        raise BadUrl("is not valid text") from None
    if len(url) > MAX_LENGTH:
        raise BadUrl(f"is longer than {MAX_LENGTH} characters")
    scheme, colon, rest = url.partition(":")
    scheme = scheme.lower()
    if not colon or scheme not in DEFAULT_PORTS:
        raise BadUrl("must be an http or https URL")
    rest = rest.replace("\\", "/")
    if not rest.startswith("//") or rest.startswith("///"):
        raise BadUrl("must be scheme://host/path")
    rest = rest[2:].partition("#")[0]
    end = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    authority, tail = rest[:end], rest[end:]
    if "@" in authority:
        raise BadUrl("must not contain a user name or password")
    host, port = _host_and_port(authority)
    path, question, query = tail.partition("?")
    result = f"{scheme}://{_host(host)}"
    if port is not None and port != DEFAULT_PORTS[scheme]:
        result += f":{port}"
    result += _path(path)
    query = _encode(query, _QUERY_ENCODE)
    if question and query:
        result += "?" + query
    return result


def page_origin(url: str) -> str:
    """`scheme://host[:port]` of a URL `normalize_page_url` returned."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def _host_and_port(authority: str) -> tuple[str, int | None]:
    host, port_text = authority, ""
    if authority.startswith("["):
        close = authority.find("]")
        if close < 0:
            raise BadUrl("has an invalid IPv6 address")
        host, after = authority[: close + 1], authority[close + 1 :]
        if after and not after.startswith(":"):
            raise BadUrl("has an invalid host")
        port_text = after[1:]
    elif ":" in authority:
        host, _, port_text = authority.rpartition(":")
    if not port_text:
        return host, None
    if not port_text.isascii() or not port_text.isdigit() or int(port_text) > 65535:
        raise BadUrl("has an invalid port")
    return host, int(port_text)


def _host(host: str) -> str:
    if not host:
        raise BadUrl("has no host")
    if host.startswith("["):
        try:
            return f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]"
        except ValueError:
            raise BadUrl("has an invalid IPv6 address") from None
    try:
        host = _percent_decode(host).decode("utf-8")
    except UnicodeDecodeError:
        raise BadUrl("has an invalid host") from None
    if host.isascii():
        host = host.lower()
    else:
        try:
            host = idna.encode(host, uts46=True, transitional=False).decode("ascii")
        except idna.IDNAError:
            raise BadUrl("has an invalid host") from None
    if not _ASCII_HOST.fullmatch(host) or ".." in host or host.startswith("."):
        raise BadUrl("has an invalid host")
    last = host.rstrip(".").rpartition(".")[2]
    if _NUMERIC_LABEL.fullmatch(last):
        try:
            return str(ipaddress.IPv4Address(host))
        except ValueError:
            raise BadUrl("has a host that is not a canonical IPv4 address") from None
    return host


def _path(path: str) -> str:
    segments: list[str] = []
    parts = _encode(path or "/", _PATH_ENCODE).split("/")[1:]
    for index, segment in enumerate(parts):
        last = index == len(parts) - 1
        if segment in {".", ".."}:
            if segment == ".." and segments:
                segments.pop()
            if last:
                segments.append("")
            continue
        segments.append(segment)
    return "/" + "/".join(segments)


def _encode(text: str, extra: frozenset[str]) -> str:
    """Percent-encode what browsers encode; upper-case escapes; decode unreserved escapes."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        escape = text[index + 1 : index + 3]
        if char == "%" and len(escape) == 2 and set(escape) <= _HEX:
            decoded = chr(int(escape, 16))
            out.append(decoded if decoded in _UNRESERVED else "%" + escape.upper())
            index += 3
            continue
        if char in extra or not char.isascii():
            out.append("".join(f"%{byte:02X}" for byte in char.encode("utf-8")))
        else:
            out.append(char)
        index += 1
    return "".join(out)


def _percent_decode(text: str) -> bytes:
    out = bytearray()
    index = 0
    while index < len(text):
        escape = text[index + 1 : index + 3]
        if text[index] == "%" and len(escape) == 2 and set(escape) <= _HEX:
            out.append(int(escape, 16))
            index += 3
        else:
            out += text[index].encode("utf-8")
            index += 1
    return bytes(out)
