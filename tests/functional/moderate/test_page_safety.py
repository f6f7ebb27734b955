"""Every page of /moderate is locked down (strict CSP, no inline script or style, CSRF token in
every form) and renders hostile reader text inert: the whole XSS corpus in every field a reader
controls yields no element, attribute or URL that could run script."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.kernel.rendering import ALLOWED_TAGS, render_markdown
from service.models import Comment, CommentAnchor, Report, Site, Thread
from service.moderation.ui import CONTENT_SECURITY_POLICY
from tests import corpora
from tests.factories import Factories
from tests.functional.moderate.conftest import UI

#: Elements the UI's own templates use; anything else on a page came from a reader.
UI_TAGS = {
    "html", "head", "meta", "title", "link", "script", "body", "header", "nav", "main", "section",
    "article", "div", "span", "p", "a", "ul", "li", "h1", "h2", "h3", "h4", "form", "input",
    "button", "select", "option", "label", "textarea", "fieldset", "legend", "details",
    "summary", "dl", "dt", "dd", "code", "kbd", "time", "strong", "figure", "figcaption",
    "blockquote", "dialog", "table", "caption", "thead", "tbody", "tr", "th", "td", "pre",
    "svg", "desc", "line", "text", "g", "rect",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}
SAFE_URL_STARTS = ("/", "#", "https://", "http://", "mailto:")


class Audit(HTMLParser):
    """Collects what would be dangerous on a page, and forms that post without a CSRF token."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts: list[str] = []
        self.forms_without_csrf: list[str] = []
        self._form: dict[str, str] | None = None
        self._form_has_token = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag not in UI_TAGS | ALLOWED_TAGS:
            self.problems.append(f"element <{tag}>")
        if tag == "style":
            self.problems.append("a <style> element")
        if tag == "script":
            self.scripts.append(values.get("src", "<inline>"))
        for name, value in values.items():
            if name.startswith("on") or name in {"style", "srcdoc"}:
                self.problems.append(f"attribute {name}={value[:40]!r} on <{tag}>")
            if name in URL_ATTRIBUTES:
                url = "".join(value.split()).lower()
                allowed = url.startswith(SAFE_URL_STARTS) or (tag == "link" and url == "data:,")
                if not allowed:
                    self.problems.append(f"URL {name}={value[:60]!r} on <{tag}>")
        if tag == "form":
            self._form, self._form_has_token = values, False
        if tag == "input" and values.get("name") in ("csrf_token", "login_token"):
            self._form_has_token = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            method = self._form.get("method", "get").lower()
            if method == "post" and not self._form_has_token:
                self.forms_without_csrf.append(self._form.get("action", "?"))
            self._form = None


def audit(html: str) -> Audit:
    parser = Audit()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture
def pages(make: Factories, site: Site) -> list[str]:
    comment = make.comment(site, status="pending", email="a@example.org")
    return [
        "/moderate/queue",
        "/moderate/queue?tab=approved",
        f"/moderate/cards/{comment.id}",
        "/moderate/dashboard",
        "/moderate/audit",
        "/moderate/bans",
        "/moderate/settings",
        "/moderate/sites/blog/settings",
        "/moderate/sites/blog/rules",
        "/moderate/moderators",
        "/moderate/tokens",
        "/moderate/webhooks",
        "/moderate/sites/blog/webhooks",
    ]


def test_every_page_is_sent_with_the_strict_policy(ui: UI, pages: list[str]) -> None:
    for path in [*pages, "/moderate/login", "/moderate/queue?tab=nope"]:
        response = ui.get(path) if path != "/moderate/login" else ui.client.get(path)
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
        assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"


def test_the_login_page_is_locked_down_too(ui: UI) -> None:
    response = ui.client.application.test_client().get("/moderate/login")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    found = audit(response.get_data(as_text=True))
    assert found.problems == [] and found.forms_without_csrf == []


def test_no_page_has_inline_script_or_style_and_every_form_has_its_token(
    ui: UI, pages: list[str]
) -> None:
    for path in pages:
        found = audit(ui.page(path).html)
        assert found.problems == [], path
        assert found.forms_without_csrf == [], path
        if path.startswith("/moderate/cards/") or path == "/moderate/sites/blog/webhooks":
            assert found.scripts == []  # plain server-rendered forms
        else:
            assert found.scripts == ["/static/moderate/moderate.js"], path


@pytest.mark.skipif(not corpora.available(), reason="the shared corpora are not beside the repo")
def test_the_xss_corpus_renders_inert_in_every_reader_field(
    ui: UI, site: Site, session: Session
) -> None:
    payloads = corpora.xss_payloads()
    short = [p for p in payloads if len(p) <= 100]
    size = len(payloads) // 24 + 1
    batches = [payloads[i : i + size] for i in range(0, len(payloads), size)]
    for n, batch in enumerate(batches):
        pick = short[n * 7 : n * 7 + 7]
        thread = Thread(site_id=site.id, key=pick[0][:500], url=pick[1][:2000], title=pick[2][:300])
        session.add(thread)
        session.flush()
        source = "\n\n".join(batch)
        comment = Comment(
            site_id=site.id,
            thread_id=thread.id,
            status="pending",
            author_name=pick[3],
            author_email=pick[4],
            author_website=pick[5],
            author_key=pick[6][:64],
            ip_hash=pick[0][:64],
            body_source=source,
            body_html=render_markdown(source, "bleach"),
            moderation_reasons=[{"code": p[:64], "message": p, "verdict": p[:8]} for p in batch],
            report_count=1,
        )
        session.add(comment)
        session.flush()
        session.add(
            CommentAnchor(
                comment_id=comment.id,
                thread_id=thread.id,
                kind="quote",
                exact=source[:5000],
                quote_len=10,
                pos_start=0,
                pos_end=10,
                doc_len=100,
                doc_fp="0" * 16,
            )
        )
        for r, note in enumerate(p for p in batch if len(p) <= 500):
            if r >= 20:
                break
            session.add(
                Report(comment_id=comment.id, reporter_key=f"r{r}", reason="abuse", note=note)
            )
    session.commit()

    for path in ("/moderate/queue", "/moderate/queue?tab=reported"):
        page = ui.page(path)
        assert len(page.cards()) == len(batches)
        found = audit(page.html)
        assert found.problems == []
        assert found.scripts == ["/static/moderate/moderate.js"]
        assert "<script>alert" not in page.html.lower()

    hostile = page.cards()[0]
    ui.post(f"/moderate/comments/{hostile}/ban", {"kind": "ip_hash", "reason": short[9]})
    ui.post(
        f"/moderate/comments/{hostile}/edit", {"body": "\n".join(short[:50]), "note": short[10]}
    )
    rules = {"banned_words": "script\nalert", "max_links": "0", "intent": "dry-run"}
    for path in ("/moderate/bans", "/moderate/audit"):
        assert audit(ui.page(path).html).problems == [], path
    dry_run = ui.post("/moderate/sites/blog/rules", rules)
    assert dry_run.status_code == 200
    assert audit(dry_run.get_data(as_text=True)).problems == []


JUNK = {
    "action": "explode",
    "ids": ["x", "-1", "99999999999999999999"],
    "kind": "everything",
    "duration_days": "-5",
    "body": "",
    "pinned": "maybe",
    "locked": "2",
    "moderation": "never",
    "batch": "z" * 40,
    "next": "//evil.example",
    "value": "",
    "site": "no-such-site",
    "role": "emperor",
    "scope": "all",
    "sites": "no-such-site",
    "password": "x",
    "username": "\u0000",
    "max_links": "many",
    "spam_score_threshold": "nan",
    "edit_window_minutes": "-1",
    "max_depth": "1e9",
    "origins": "javascript:alert(1)",
    "intent": "save",
    "checked": "forged",
}
JUNK_QUERIES = (
    "?tab=x&site=%00&cursor=%FF%FF&reason=a%20b&thread=" + "x" * 600 + "&since=2026-13-45",
    "?thread=%25_%5C&author=%C3%A9%27--&q=%25%25&cursor=QUFB&reason=spam_score&since=2026-01-01",
    "?cursor=" + "9" * 30 + "&site=blog&tab=approved&until=1999-12-31",
)


def test_no_route_answers_junk_with_a_server_error(ui: UI, make: Factories, site: Site) -> None:
    make.comment(site, status="pending")
    rules = [
        r for r in ui.client.application.url_map.iter_rules() if r.endpoint.startswith("moderate.")
    ]
    assert len(rules) > 20
    failures = []
    for rule in rules:
        path = re.sub(r"<[^>]+>", "1", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if rule.endpoint == "moderate.logout":
                continue
            if method == "GET":
                answers = [(query, ui.get(path + query)) for query in JUNK_QUERIES]
            else:
                answers = [("", ui.post(path, JUNK))]
            failures += [
                (method, path + q, r.status_code) for q, r in answers if r.status_code >= 500
            ]
    assert failures == []


def test_every_ui_route_with_real_ids_refuses_a_stranger(client: FlaskClient) -> None:
    """Like the shared route-guard test, with `<int(max=…):id>` rules filled in as well."""
    leaks = []
    for rule in client.application.url_map.iter_rules():
        if not rule.endpoint.startswith("moderate.") or "login" in rule.endpoint:
            continue
        path = re.sub(r"<[^>]+>", "1", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(
                path, method=method, data={"action": "approve"}, headers={"Accept": "text/html"}
            )
            to_login = response.status_code == 303 and response.headers["Location"].startswith(
                "/moderate/login?next="
            )
            if response.status_code != 401 and not to_login:
                leaks.append((method, path, response.status_code))
    assert leaks == []
