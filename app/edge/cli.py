"""The ``tally`` command: the composition root for running Tally from a shell."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from app.clock import Clock
from app.config import Settings

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from app.live import Bus
    from workers.system import JobSystem

cli = typer.Typer(
    help="Tally: prepaid credits and progressive billing.",
    no_args_is_help=True,
    add_completion=False,
)

DataDir = Annotated[
    Path | None,
    typer.Option(help="Folder of the embedded PostgreSQL (default: a per-user data folder)."),
]


def _settings(data_dir: Path | None) -> Settings:
    settings = Settings()
    if data_dir is not None:
        settings.data_dir = data_dir
    return settings


def _exit_cleanly_on_sigterm() -> None:
    """Uvicorn stops gracefully on SIGTERM, then raises the signal again with the handler that
    was in place before it started: by default that ends the process on the spot, skipping
    ``finally`` blocks and ``atexit`` (which stops the embedded PostgreSQL). Exit normally
    instead, as Ctrl-C does."""

    def leave(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, leave)


def database_url(settings: Settings) -> str:
    """DATABASE_URL when set; otherwise start the embedded PostgreSQL in the data folder."""
    if settings.database_url:
        return settings.database_url
    from app.db.embedded import start_embedded_postgres

    typer.echo(f"Starting the embedded PostgreSQL in {settings.data_dir / 'pgdata'} …")
    return start_embedded_postgres(settings.data_dir)


def _migrate(url: str) -> None:
    from app.db.migrate import upgrade

    upgrade(url)


async def _with_database(url: str, work: Any) -> Any:
    from app.db.engine import Database

    database = Database(url, pool_size=2)
    try:
        async with database.transaction() as session:
            return await work(session)
    finally:
        await database.dispose()


async def _mint_key(url: str, name: str, scopes: list[str]) -> str:
    from app import access
    from app.clock import SystemClock

    async def work(session):  # type: ignore[no-untyped-def]
        _, secret = await access.create(session, name, scopes, SystemClock().now())
        return secret

    secret: str = await _with_database(url, work)
    return secret


async def _seed(settings: Settings, url: str, key: str) -> bool:
    """The demo's customers, then its four weeks of history played on a moved clock."""
    from datetime import timedelta

    from app.clock import FrozenClock, SystemClock
    from app.edge.demo import seed
    from app.edge.demo_story import DAYS, Story
    from app.edge.server import build_runtime
    from workers.system import JobSystem

    start = SystemClock().now() - timedelta(days=DAYS + 1)
    created: bool = await _with_database(url, lambda session: seed(session, start))
    if not created:
        return False
    clock = FrozenClock(start)
    runtime = build_runtime(settings, url, clock)
    jobs = JobSystem(settings, url, clock, redis_url=None, bus=runtime.bus)
    jobs.start_worker(threads=2, delivery_threads=1)
    try:
        story = Story(runtime, clock, jobs, url)
        await story.act_as(key)
        await story.play(start)
    finally:
        jobs.stop()
        await runtime.close()
    return True


async def _demo_key(settings: Settings, url: str) -> str:
    """The demo admin key: minted once, kept in the data folder (``demo-admin-key``, readable
    by its owner only) and printed at every start; minted again only if it was revoked."""
    from app import access

    path = settings.data_dir / "demo-admin-key"
    if path.exists():
        key = path.read_text().strip()

        async def valid(session: AsyncSession) -> bool:
            return await access.is_active(session, key)

        if await _with_database(url, valid):
            return key
    key = await _mint_key(url, "demo admin", ["admin"])
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(key + "\n")
    return key


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Seed demo data and print an admin key.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Start Tally: migrations, GraphQL at /graphql (GraphiQL in a browser), /health, /ready.

    Without REDIS_URL, jobs run on an in-process worker and the scheduler runs here too.
    """
    import uvicorn

    from app.edge.server import build_runtime, create_app, mount_console, settle_heap

    settings = _settings(data_dir)
    url = database_url(settings)
    _migrate(url)
    if demo:
        key = asyncio.run(_demo_key(settings, url))
        created = asyncio.run(_seed(settings, url, key))
        typer.echo("Demo data seeded." if created else "Demo data already present.")
        typer.echo(f"Admin API key (demo, kept in {settings.data_dir / 'demo-admin-key'}): {key}")
        typer.echo('In GraphiQL, set the header {"Authorization": "Bearer <key>"}.')
        email, password = asyncio.run(_demo_operator(url))
        typer.echo(f"Console login (demo admin): {email} / {password}")
    runtime = build_runtime(settings, url)
    jobs = _job_system(settings, url, runtime.clock, runtime.bus)
    background = [_relay(settings, url, jobs, runtime.clock)]
    if not settings.redis_url:
        from workers.scheduler import Scheduler

        jobs.start_worker(settings.embedded_threads, settings.embedded_delivery_threads)
        background.append(Scheduler(runtime).run)
    listen_host, listen_port = host or settings.host, port or settings.port
    typer.echo(f"GraphiQL: http://{listen_host}:{listen_port}/graphql")
    typer.echo(f"Console:  http://{listen_host}:{listen_port}/console")
    try:
        app = create_app(runtime, background)
        mount_console(app, runtime)
        settle_heap()
        _exit_cleanly_on_sigterm()
        uvicorn.run(
            app,
            host=listen_host,
            port=listen_port,
            log_level="info",
            log_config=None,
            # Live frames are a few hundred bytes of JSON: compressing each one costs both
            # ends more CPU than it saves bytes.
            ws_per_message_deflate=False,
        )
    finally:
        jobs.stop()


@cli.command()
def worker(
    threads: Annotated[int, typer.Option(help="Threads of the jobs pool.")] = 4,
    delivery_threads: Annotated[
        int, typer.Option(help="Threads of the deliveries pool (webhook POSTs, SMTP sends).")
    ] = 4,
    queues: Annotated[
        str,
        typer.Option(help="Which pools to run: jobs, deliveries, or both (comma-separated)."),
    ] = "jobs,deliveries",
    data_dir: DataDir = None,
) -> None:
    """Run jobs from Redis (REDIS_URL) and relay the outbox. Run as many as you like.

    Each queue has its own pool of threads, so slow webhook receivers never hold a thread a
    payment needs; run dedicated delivery workers with --queues deliveries.
    """
    from workers.broker import QUEUES

    settings = _settings(data_dir)
    if not settings.redis_url:
        typer.echo("tally worker needs REDIS_URL (without it, `tally serve` runs jobs).", err=True)
        raise typer.Exit(2)
    chosen = [q.strip() for q in queues.split(",") if q.strip()]
    unknown = sorted(set(chosen) - set(QUEUES))
    if unknown or not chosen:
        typer.echo(
            f"--queues: unknown queue {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(QUEUES)}",
            err=True,
        )
        raise typer.Exit(2)
    url = database_url(settings)
    _migrate(url)
    from app.clock import SystemClock

    clock = SystemClock()
    jobs = _job_system(settings, url, clock)
    jobs.start_worker(threads, delivery_threads, chosen)
    sizes = {"jobs": threads, "deliveries": delivery_threads}
    described = ", ".join(f"{queue} ({sizes[queue]} threads)" for queue in chosen)
    typer.echo(f"Worker running: {described}; Ctrl-C to stop.")
    try:
        asyncio.run(_relay(settings, url, jobs, clock)())
    except KeyboardInterrupt:
        pass
    finally:
        jobs.stop()


@cli.command()
def scheduler(data_dir: DataDir = None) -> None:
    """Run the periodic work (expiry, sweeps) on the clock. Run exactly one."""
    from app.edge.server import build_runtime
    from workers.scheduler import Scheduler

    settings = _settings(data_dir)
    url = database_url(settings)
    _migrate(url)

    async def run() -> None:
        runtime = build_runtime(settings, url)
        try:
            await Scheduler(runtime).run()
        finally:
            await runtime.close()

    typer.echo("Scheduler running; Ctrl-C to stop.")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


def _job_system(settings: Settings, url: str, clock: Clock, bus: Bus | None = None) -> JobSystem:
    from workers.system import JobSystem

    return JobSystem(settings, url, clock, redis_url=settings.redis_url, bus=bus)


def _relay(
    settings: Settings, url: str, jobs: JobSystem, clock: Clock
) -> Callable[[], Coroutine[Any, Any, None]]:
    from app.db.engine import plain_url
    from app.outbox.relay import Relay

    relay = Relay(
        plain_url(url),
        jobs.dispatch,
        clock,
        poll_seconds=settings.outbox_poll_seconds,
        policy=jobs.policy,
    )
    return relay.run


@cli.command()
def migrate(data_dir: DataDir = None) -> None:
    """Apply database migrations (DATABASE_URL, or the embedded PostgreSQL)."""
    _migrate(database_url(_settings(data_dir)))
    typer.echo("Database is up to date.")


@cli.command("create-api-key")
def create_api_key(
    name: Annotated[str, typer.Option(help="A name to recognise the key by.")],
    scope: Annotated[
        list[str] | None, typer.Option(help="admin, ingest or read; repeat for several.")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Create an API key and print it once (only its digest is stored)."""
    from app.errors import DomainError

    url = database_url(_settings(data_dir))
    _migrate(url)
    try:
        key = asyncio.run(_mint_key(url, name, scope or ["admin"]))
    except DomainError as error:
        typer.echo(f"{error.field}: {error.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(key)


async def _demo_operator(url: str) -> tuple[str, str]:
    from app.clock import SystemClock
    from app.edge.demo import demo_operator

    result: tuple[str, str] = await _with_database(
        url, lambda session: demo_operator(session, SystemClock().now())
    )
    return result


async def _create_admin(url: str, email: str, password: str) -> str:
    from app import audit, operators
    from app.audit import Action, Actor, ActorKind
    from app.clock import SystemClock

    async def work(session):  # type: ignore[no-untyped-def]
        now = SystemClock().now()
        operator = await operators.create(session, email, password, "admin", now)
        summary = f"tally create-admin (command line) created the admin {operator.email}"
        await audit.record(
            session,
            Actor(ActorKind.SYSTEM, "tally create-admin"),
            Action("createOperator", summary, details={"email": operator.email, "role": "admin"}),
            now,
        )
        return operator.email

    created: str = await _with_database(url, work)
    return created


@cli.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(prompt=True, help="The admin's email (their login).")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="At least 10 characters (prompted, hidden, when left out).",
        ),
    ],
    data_dir: DataDir = None,
) -> None:
    """Create a console admin (the first one, or another). Log in at /console."""
    from app.errors import DomainError

    url = database_url(_settings(data_dir))
    _migrate(url)
    try:
        created = asyncio.run(_create_admin(url, email, password))
    except DomainError as error:
        typer.echo(f"{error.field}: {error.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Admin {created} created. Log in at /console.")


@cli.command()
def demo(data_dir: DataDir = None) -> None:
    """Seed the demo customers, wallets, grants and history (once)."""
    settings = _settings(data_dir)
    url = database_url(settings)
    _migrate(url)
    created = asyncio.run(_seed(settings, url, asyncio.run(_demo_key(settings, url))))
    typer.echo("Demo data seeded." if created else "Demo data already present.")
    email, password = asyncio.run(_demo_operator(url))
    typer.echo(f"Console login (demo admin): {email} / {password}")


def main() -> None:
    from app.logs import configure

    configure(json=Settings().environment == "production")
    cli()
