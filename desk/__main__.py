"""Command line of the agent desk.

    python -m desk [serve]
    python -m desk add-agent <username> --name "Ana" --role "asesora de soporte" [--supervisor]
    python -m desk set-password <username>
    python -m desk set-access <username> agent|guardia|supervisor
    python -m desk check-replies            check the canned replies file and exit (0: valid)

add-agent and set-password prompt for the password twice, or read it from
DESK_NEW_PASSWORD (scripts and tests). ``--role`` is what customers read
("Le atiende Ana, asesora de soporte."); the access level (agent, or
supervisor for the supervision pages) is separate: ``--supervisor`` or set-access. The on-call
level "guardia" (``--guardia``) is an agent who may also declare, update and close known
incidents (desk/incidents.py keeps it). Run from the project root (the desk
imports helpdesk.desk_client for the webhook signature).
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import logging
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from desk.config import DEMO_AGENT, DEMO_PASSWORD, Config, ConfigError  # noqa: E402
from desk.config import ROOT as PROJECT  # noqa: E402
from desk.incidents import ONCALL, IncidentStore  # noqa: E402
from desk.security import (  # noqa: E402
    SafeLogFilter,  # noqa: E402
    check_new_password,
    hash_password,
)
from desk.store import ACCESS_LEVELS, Store  # noqa: E402

logger = logging.getLogger("desk")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,49}$")
ACCESS_LABELS = {"agent": "acceso de asesor", "supervisor": "acceso de supervisor",
                 ONCALL: "acceso de guardia (asesor que también declara incidentes)"}


def _db_path() -> Path:
    db = Path(os.environ.get("DESK_DB", "var/desk.db"))
    return db if db.is_absolute() else PROJECT / db


def _read_password() -> str:
    password = os.environ.get("DESK_NEW_PASSWORD")
    if password is not None:
        return password
    if not sys.stdin.isatty():
        raise SystemExit("No terminal to ask for the password: set DESK_NEW_PASSWORD.")
    first = getpass.getpass("Contraseña: ")
    if getpass.getpass("Repita la contraseña: ") != first:
        raise SystemExit("Las contraseñas no coinciden.")
    return first


def _new_password_hash() -> str | None:
    """The new password, read and checked, as its hash (None: refused, the reason printed)."""
    password = _read_password()
    problem = check_new_password(password)
    if problem:
        print(problem, file=sys.stderr)
        return None
    return hash_password(password)


def add_agent(args: argparse.Namespace) -> int:
    username = args.username.strip().lower()
    if not USERNAME.match(username):
        print("El usuario debe tener de 2 a 50 caracteres: letras minúsculas, números, punto, guion o guion bajo.",
              file=sys.stderr)
        return 2
    name, role = args.name.strip(), args.role.strip()
    if args.supervisor and args.guardia:
        print("Elija --supervisor o --guardia, no los dos (un supervisor ya puede declarar incidentes).",
              file=sys.stderr)
        return 2
    access = "supervisor" if args.supervisor else ONCALL if args.guardia else "agent"
    if not name or not role or len(name) > 100 or len(role) > 100:
        print("--name y --role no pueden estar vacíos (máximo 100 caracteres).", file=sys.stderr)
        return 2
    store = Store(_db_path())
    try:
        if store.agent(username) is not None:
            print(f"El usuario {username!r} ya existe (use set-password para cambiar su contraseña).", file=sys.stderr)
            return 1
        password_hash = _new_password_hash()
        if password_hash is None:
            return 2
        agent = store.add_agent(username, name, role, password_hash, access="agent" if access == ONCALL else access)
        if access == ONCALL:
            set_oncall(store, agent.id, True)
    finally:
        store.close()
    print(f"Cuenta {username!r} creada: {name}, {role}; {ACCESS_LABELS[access]}.")
    return 0


@contextlib.contextmanager
def existing_account(args: argparse.Namespace):
    """The desk's database and the account named on the command line (None: it does not exist,
    and the error is printed)."""
    store = Store(_db_path())
    try:
        username = args.username.strip().lower()
        if store.agent(username) is None:
            print(f"El usuario {username!r} no existe.", file=sys.stderr)
            yield store, None
        else:
            yield store, username
    finally:
        store.close()


def set_oncall(store: Store, agent_id: int, oncall: bool) -> None:
    """The on-call level lives in the incidents' tables (desk/incidents.py ``incident_oncall``)."""
    incidents = IncidentStore(store.path)
    try:
        incidents.set_oncall(agent_id, oncall)
    finally:
        incidents.close()


def set_access(args: argparse.Namespace) -> int:
    with existing_account(args) as (store, username):
        if username is None:
            return 1
        # "guardia" is an agent who may also manage incidents; the other two levels end it.
        store.set_access(username, "agent" if args.access == ONCALL else args.access)
        set_oncall(store, store.agent(username).id, args.access == ONCALL)
    print(f"{username!r} ahora tiene {ACCESS_LABELS[args.access]}; vale también para sus sesiones abiertas.")
    return 0


def set_password(args: argparse.Namespace) -> int:
    with existing_account(args) as (store, username):
        if username is None:
            return 1
        password_hash = _new_password_hash()
        if password_hash is None:
            return 2
        store.set_password(username, password_hash)
    print(f"Contraseña de {username!r} cambiada; sus sesiones abiertas se cerraron.")
    return 0


def prepare_demo(store: Store) -> None:
    """Demo mode: the agent "ana" with the fixed demo password, printed in the log."""
    agent, _ = store.agent_credentials(DEMO_AGENT["username"])
    if agent is None:
        store.add_agent(DEMO_AGENT["username"], DEMO_AGENT["name"], DEMO_AGENT["role"], hash_password(DEMO_PASSWORD),
                        demo=True)
    elif agent.demo:
        store.set_password(agent.username, hash_password(DEMO_PASSWORD))
    else:
        logger.warning("MODO DEMOSTRACIÓN: the account %r exists and is not a demo account; its password was "
                       "left unchanged", agent.username)
        return
    logger.warning("MODO DEMOSTRACIÓN: sign in as %r with password %r (demo only, loopback only)",
                   DEMO_AGENT["username"], DEMO_PASSWORD)


def check_replies() -> int:
    """The canned replies file, checked as the desk checks it at start-up."""
    from desk import canned

    path = canned.file_from_env()
    try:
        replies = canned.load(path)
    except ConfigError as exc:
        print(f"The canned replies are not valid: {exc}", file=sys.stderr)
        return 2
    print(f"{path}: {len(replies)} canned replies, valid.")
    return 0


def serve() -> int:
    from desk import canned
    from desk.incident_settings import IncidentSettings
    from desk.texts import DeskTexts
    from insights.traffic import TrafficError, prefixes_from_env

    try:
        config = Config.from_env()
        texts = DeskTexts.load(config.domain_file)
        replies = canned.load(config.canned_file)
        prefixes_from_env()  # the report's test traffic (REPORT_TEST_SENDERS): a mistyped list stops the start
        IncidentSettings.from_env()  # DESK_INCIDENT_ALERT and the on-call webhook (desk/incident_settings.py)
    except (ConfigError, TrafficError) as exc:
        print(f"The agent desk cannot start: {exc}", file=sys.stderr)
        return 2
    from desk.app import create_app  # imports sanic: only when serving

    store = Store(config.db)
    if config.demo:
        prepare_demo(store)
        if not os.environ.get("DESK_WEBHOOK_SECRET"):
            logger.warning("MODO DEMOSTRACIÓN: webhook secret %r (set DESK_WEBHOOK_SECRET to the same value for the "
                           "action server)", config.webhook_secret)
    app = create_app(config, store, texts=texts, replies=replies)
    app.run(host=config.host, port=config.port, access_log=False, motd=False, workers=1)
    return 0


def main(argv=None) -> int:
    # The desk's own logger (Sanic configures its own loggers; the root logger is left alone).
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SafeLogFilter())  # no control characters from user input in the log
    logger.addHandler(handler)
    logger.setLevel(os.environ.get("DESK_LOG_LEVEL", "INFO").upper())
    logger.propagate = False
    parser = argparse.ArgumentParser(prog="python -m desk", description="Mesa de asesores (agent desk).")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the desk (the default)")
    add = commands.add_parser("add-agent", help="create an agent account")
    add.add_argument("username")
    add.add_argument("--name", required=True, help='display name shown to customers, e.g. "Ana"')
    add.add_argument("--role", required=True, help='shown to customers, e.g. "asesora de soporte"')
    add.add_argument("--supervisor", action="store_true", help="may also open the supervision pages")
    add.add_argument("--guardia", action="store_true", help="on call: may also declare, update and close incidents")
    reset = commands.add_parser("set-password", help="change an agent's password (ends their sessions)")
    reset.add_argument("username")
    access = commands.add_parser("set-access", help="make an account an agent, on call (guardia) or a supervisor")
    access.add_argument("username")
    access.add_argument("access", choices=(*ACCESS_LEVELS, ONCALL))
    commands.add_parser("check-replies", help="check the canned replies file (DESK_CANNED_REPLIES) and exit")
    args = parser.parse_args(argv)
    if args.command == "add-agent":
        return add_agent(args)
    if args.command == "set-password":
        return set_password(args)
    if args.command == "set-access":
        return set_access(args)
    if args.command == "check-replies":
        return check_replies()
    return serve()


if __name__ == "__main__":
    sys.exit(main())
