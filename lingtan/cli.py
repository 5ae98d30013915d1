"""The `lingtan` command: serve the platform, migrate databases, register clients, verify proofs."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Sequence

from lingtan.processes import worker_count
from shared.settings import DEFAULT_PORTS


def _cmd_serve(args: argparse.Namespace) -> int:
    from lingtan import serve

    if args.processes:
        if args.service or args.demo:
            raise SystemExit("lingtan serve --processes starts every service; it takes neither SERVICE nor --demo")
        from lingtan.processes import serve_processes

        return serve_processes(args.host, args.port or DEFAULT_PORTS["gateway"], dict(args.workers))
    if args.service:
        serve.serve_one(args.service, args.host, args.port)
    else:
        serve.serve_platform(args.host, args.port or DEFAULT_PORTS["gateway"], demo=args.demo)
    return 0


def _cmd_db_upgrade(args: argparse.Namespace) -> int:
    from lingtan.platform import ALL, migrate, open_database
    from services.gateway.settings import GatewaySettings

    settings = GatewaySettings()
    for service in [args.service] if args.service else ALL:
        database = open_database(service, settings)
        migrate(service, database)
        database.dispose()
        print(json.dumps({"service": service, "migrated": "head"}))
    return 0


def _cmd_db_revision(args: argparse.Namespace) -> int:
    from alembic import command

    from lingtan.platform import open_database
    from services.gateway.settings import GatewaySettings
    from shared.db.migrations import alembic_config

    database = open_database(args.service, GatewaySettings())
    config = alembic_config(args.service, database)
    ruff = shutil.which("ruff", path=os.path.dirname(sys.executable)) or shutil.which("ruff")
    if ruff:
        # New revisions come out lint-clean and formatted like the rest of the code.
        config.set_section_option("post_write_hooks", "hooks", "fix, format")
        for hook, options in (("fix", "check --fix -q REVISION_SCRIPT_FILENAME"),
                              ("format", "format -q REVISION_SCRIPT_FILENAME")):
            config.set_section_option("post_write_hooks", f"{hook}.type", "exec")
            config.set_section_option("post_write_hooks", f"{hook}.executable", ruff)
            config.set_section_option("post_write_hooks", f"{hook}.options", options)
    command.revision(config, message=args.message, autogenerate=True)
    return 0


def _cmd_client_create(args: argparse.Namespace) -> int:
    from lingtan.platform import migrate, open_database
    from services.gateway.audit import service as audit
    from services.gateway.clients.service import create_client
    from services.gateway.settings import GatewaySettings

    database = open_database("gateway", GatewaySettings())
    migrate("gateway", database)
    with database.writes() as session, session.begin():
        new = create_client(session, name=args.name, owner=args.owner, scopes=args.scope.split())
        audit.record(session, actor="cli", action="client.created", target=new.client_id, source="cli",
                     owner=new.owner, scopes=new.scopes)
    print(json.dumps(new.__dict__, ensure_ascii=False))
    return 0


def _cmd_keys_rotate(_args: argparse.Namespace) -> int:
    from lingtan.platform import migrate, open_database
    from services.gateway.audit import service as audit
    from services.gateway.keys.service import KeyRing
    from services.gateway.settings import GatewaySettings

    settings = GatewaySettings()
    database = open_database("gateway", settings)
    migrate("gateway", database)
    kid = KeyRing(database.writes, settings.secret_key, settings.gateway_token_ttl_seconds,
                  settings.clock_leeway_seconds, activation_delay=2 * settings.jwks_min_refresh_seconds).rotate()
    with database.writes() as session, session.begin():
        audit.record(session, actor="cli", action="keys.rotated", target=kid, source="cli")
    print(json.dumps({"active_kid": kid}))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `lingtan`."""
    parser = argparse.ArgumentParser(prog="lingtan", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the whole platform, or one service with SERVICE")
    serve.add_argument("service", nargs="?", choices=["gateway", "accounting", "registry", "certification",
                                                      "disclosure"])
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--demo", action="store_true", help="fill an empty platform with realistic events")
    serve.add_argument("--processes", action="store_true",
                       help="each service and the gateway as its own uvicorn process on loopback ports")
    serve.add_argument("--workers", action="append", default=[], metavar="SERVICE=N", type=worker_count,
                       help="with --processes: uvicorn workers of one service (repeatable; gateway and disclosure 2)")
    serve.set_defaults(func=_cmd_serve)

    db = sub.add_parser("db", help="database migrations").add_subparsers(dest="db_command", required=True)
    up = db.add_parser("upgrade", help="migrate every service's database (or one) to head")
    up.add_argument("service", nargs="?")
    up.set_defaults(func=_cmd_db_upgrade)
    rev = db.add_parser("revision", help="autogenerate a migration for one service (developers)")
    rev.add_argument("service")
    rev.add_argument("-m", "--message", required=True)
    rev.set_defaults(func=_cmd_db_revision)

    client = sub.add_parser("client", help="OAuth clients").add_subparsers(dest="client_command", required=True)
    create = client.add_parser("create", help="register a client and print its id and secret as JSON")
    create.add_argument("--name", required=True)
    create.add_argument("--owner", required=True)
    create.add_argument("--scope", required=True, help='space-separated scopes, e.g. "events:read events:write"')
    create.set_defaults(func=_cmd_client_create)

    keys = sub.add_parser("keys", help="token signing keys").add_subparsers(dest="keys_command", required=True)
    keys.add_parser("rotate", help="start signing tokens with a new key").set_defaults(func=_cmd_keys_rotate)

    from lingtan.verify import add_registry_commands

    verify = sub.add_parser("verify", help="check registry proofs and the log (and certificates) as an auditor")
    verify_commands = verify.add_subparsers(dest="verify_command", required=True)
    # The registry's checks: proof, consistency, log. The certificate check registers on this same group.
    add_registry_commands(verify_commands)
    from lingtan.verify_certificate import add_certificate_command

    add_certificate_command(verify_commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `lingtan` command."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except Exception as exc:  # noqa: BLE001 - a CLI reports one clear line, not a traceback
        from shared.problems import Problem

        if isinstance(exc, Problem):
            print(json.dumps(exc.body(), ensure_ascii=False), file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
