"""The web console (NiceGUI) and the customer portal.

Every read and write goes through the GraphQL schema, executed in-process with the caller's
principal (an operator's role, or a portal link's customer), so the console and API clients
share one code path and one set of permissions. Only logging in asks ``app.operators``
directly: before it there is no principal to run the schema with.

One module or package per domain (``console.site`` lists the pages): ``customers``,
``wallets``, ``invoices``, ``plans``, ``usage_events``, ``webhooks``, ``emails``, ``api_keys``,
``operators``, ``audit``, ``dashboard``, ``portal``, ``login``. Every action runs in one dialog
pattern (``console.dialog``) and tells a failure with one error helper (``console.errors``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from app.runtime import Runtime
    from console.api import Console

MOUNT_PATH = "/console"


def setup(runtime: Runtime) -> Console:
    """Register the console's and the portal's pages with NiceGUI (``ui.run`` or
    ``ui.run_with`` serves them)."""
    from console import site
    from console.api import Console
    from graphql_schema.limits import Limits
    from graphql_schema.schema import build_schema

    console = Console(runtime, build_schema(Limits.of(runtime.settings)))
    site.register(console)
    return console


def mount(app: Starlette, runtime: Runtime) -> Console:
    """Serve the console at /console and the portal at /portal/<token> on ``app``.

    NiceGUI is mounted at "/" after every other route of ``app`` (GraphQL, /health, …), which
    it therefore never shadows; it answers only the paths nothing else claimed.
    """
    from nicegui import ui
    from nicegui.storage import Storage

    from console.origins import protect_socket

    settings = runtime.settings
    Storage.path = settings.data_dir / "console-sessions"
    console = setup(runtime)
    target: Any = app  # NiceGUI is typed for FastAPI; it needs only Starlette's mount/lifespan
    ui.run_with(
        target,
        mount_path="/",
        title="Tally",
        favicon="🧮",
        storage_secret=settings.signing_secret(),
        # The browser-id cookie: `Secure` when the console is served over https (public_url's
        # scheme, or TALLY_CONSOLE_SECURE_COOKIES), never sent by other sites' requests.
        session_middleware_kwargs={"https_only": settings.secure_cookies, "same_site": "lax"},
        show_welcome_message=False,
    )
    protect_socket(settings)
    return console
