"""GraphiQL served by Tally itself, so it works offline and behind a firewall.

Strawberry's GraphiQL page loads React, GraphiQL and its explorer plugin from a CDN. The very
files it pins (same versions, same bytes: the page's ``integrity`` hashes still check them) are
vendored here, gzipped, from the npm registry — React 18.2.0, React DOM 18.2.0, js-cookie
3.0.5, GraphiQL 3.8.3, @graphiql/plugin-explorer 1.0.2 (all MIT, see LICENSES.txt). ``page``
is Strawberry's page with each CDN address replaced by ``/graphql/ide/<file>``; ``asset``
serves the files (gzip as stored when the browser accepts it, else unpacked), cached for a
year since a file's name carries its version. An upgrade of Strawberry that pins other
versions leaves a CDN address in the page, and ``page`` refuses to start.
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from importlib import resources

from starlette.requests import Request
from starlette.responses import Response
from strawberry.http.ides import get_graphql_ide_html

PREFIX = "/graphql/ide/"
CDN = "https://unpkg.com/"
FILES = {
    "react@18.2.0/umd/react.production.min.js": "react-18.2.0.production.min.js",
    "react-dom@18.2.0/umd/react-dom.production.min.js": "react-dom-18.2.0.production.min.js",
    "js-cookie@3.0.5/dist/js.cookie.min.js": "js-cookie-3.0.5.min.js",
    "graphiql@3.8.3/graphiql.min.css": "graphiql-3.8.3.min.css",
    "graphiql@3.8.3/graphiql.min.js": "graphiql-3.8.3.min.js",
    "@graphiql/plugin-explorer@1.0.2/dist/style.css": "graphiql-plugin-explorer-1.0.2.css",
    "@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": "graphiql-plugin-explorer-1.0.2.umd.js",
}
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
CACHED = "public, max-age=31536000, immutable"


@cache
def page() -> str:
    """Strawberry's GraphiQL page, every asset served from ``PREFIX``."""
    html = get_graphql_ide_html("graphiql")
    for address, name in FILES.items():
        html = html.replace(CDN + address, PREFIX + name)
    left = re.findall(r"""(?:src|href)="(https?://[^"]+)""", html)
    if left:
        raise RuntimeError(f"GraphiQL would load {left[0]}: vendor it in graphql_schema/ide")
    return html


@cache
def packed(name: str) -> bytes:
    return (resources.files(__package__) / f"{name}.gz").read_bytes()


async def asset(request: Request) -> Response:
    """One vendored file; 404 for any other name."""
    name = str(request.path_params["name"])
    if name not in FILES.values():
        return Response("not found", status_code=404, media_type="text/plain")
    body, headers = packed(name), {"cache-control": CACHED, "vary": "accept-encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["content-encoding"] = "gzip"
    else:
        body = gzip.decompress(body)
    return Response(body, headers=headers, media_type=TYPES[name[name.rindex(".") :]])
