"""Non-API pages: the widget's static files and, in development, the demo article."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_from_directory,
)

from service.security import settings

web = Blueprint("web", __name__)

WIDGET_FILES = ("embed.js", "count.js")
STRICT_CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@web.get("/embed.js")
@web.get("/count.js")
def widget_script() -> Response:
    name = request.path.lstrip("/")
    static_folder = current_app.static_folder
    assert static_folder is not None
    response = send_from_directory(static_folder, name, max_age=300)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@web.get("/")
def demo_article() -> str:
    if not settings().is_development:
        abort(404)
    return render_template("demo.html", strict=False)


@web.get("/csp")
def demo_article_strict_csp() -> Response:
    if not settings().is_development:
        abort(404)
    response = Response(render_template("demo.html", strict=True))
    response.headers["Content-Security-Policy"] = STRICT_CSP
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(web)

    @app.after_request
    def _static_is_public(response: Response) -> Response:
        if request.endpoint == "static":
            response.headers["Access-Control-Allow-Origin"] = "*"
        return response
