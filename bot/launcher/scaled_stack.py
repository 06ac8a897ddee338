"""The scaled-out topology on one machine: what a council runs when one process is not enough.

Two Rasa servers and two action servers behind nginx (Debian's package, with its
JavaScript module), Rasa's SQL tracker store on PostgreSQL, the Redis lock store, the
outbox and the council services on PostgreSQL. nginx keeps one conversation on one Rasa
process (a consistent hash of the conversation id, ``deploy/nginx/conversation.js``) and
passes it to the other process when that one is down; the shared tracker and lock stores
let the other process carry on where the first stopped.

``python -m bot run-scaled`` (``make run-scaled``) starts it; the failover test uses it.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from pathlib import Path
from string import Template

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.launcher.rasa_files import write_endpoints
from bot.launcher.stack import Service, Stack, action_server_service, rasa_service, settings_env
from bot.settings import REPO_ROOT, Settings

NGINX_DIR = REPO_ROOT / "deploy" / "nginx"
NGINX = "/usr/sbin/nginx"
NGINX_JS_MODULE = "/usr/lib/nginx/modules/ngx_http_js_module.so"


class ScaledStackError(RuntimeError):
    """The scaled topology cannot start (missing nginx, wrong database URLs...)."""


@dataclass(frozen=True)
class InternalPorts:
    """Ports of the processes behind nginx (the public port is ``settings.rasa_port``)."""

    rasa_a: int
    rasa_b: int
    actions_a: int
    actions_b: int

    @classmethod
    def after(cls, settings: Settings) -> InternalPorts:
        """The ports next to the configured ones (5006, 5007, 5056, 5057 by default)."""
        return cls(
            settings.rasa_port + 1,
            settings.rasa_port + 2,
            settings.action_server_port + 1,
            settings.action_server_port + 2,
        )


def check_scaled_settings(settings: Settings, council_services_db: str) -> None:
    """Refuse settings that would not survive a process going away.

    Raises:
        ScaledStackError: when a store is not shared (SQLite, in-memory locks) or nginx
            with its JavaScript module is missing.
    """
    problems = []
    for name, url in (
        ("TRACKER_STORE_URL", settings.tracker_store),
        ("DATABASE_URL", settings.database),
        ("COUNCIL_SERVICES_DATABASE_URL", council_services_db),
    ):
        if not url.startswith("postgresql"):
            problems.append(f"{name} must be a PostgreSQL URL")
    if not settings.redis_url:
        problems.append("REDIS_URL must name the Redis lock store")
    if not Path(NGINX).exists() or not Path(NGINX_JS_MODULE).exists():
        problems.append(
            "install nginx and its JavaScript module: apt-get install nginx-light "
            "libnginx-mod-http-js"
        )
    if problems:
        raise ScaledStackError("; ".join(problems))


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` if it does not exist yet."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
            ).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


def worker_user_directive() -> str:
    """The ``user`` line of nginx: its workers run as the launcher's own user.

    ``var/`` is owner-only (``lib/private_files.py``). Started by root, nginx would run its
    workers as ``nobody``, who could not reach the temporary files under ``var/nginx``;
    started by anyone else, nginx ignores ``user``, so none is written.
    """
    if os.geteuid() != 0:
        return ""
    return f"user {pwd.getpwuid(os.geteuid()).pw_name};"


def write_nginx_config(settings: Settings, ports: InternalPorts, var_dir: Path) -> Path:
    """Fill in the nginx template for these ports and return the config file's path."""
    nginx_var = var_dir / "nginx"
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (nginx_var / folder).mkdir(parents=True, exist_ok=True)
    (var_dir / "logs").mkdir(parents=True, exist_ok=True)
    template = Template((NGINX_DIR / "nginx.conf.template").read_text(encoding="utf-8"))
    config = template.safe_substitute(
        var_dir=var_dir,
        nginx_dir=NGINX_DIR,
        js_module=NGINX_JS_MODULE,
        rasa_host=settings.rasa_host,
        rasa_port=settings.rasa_port,
        rasa_port_a=ports.rasa_a,
        rasa_port_b=ports.rasa_b,
        action_port=settings.action_server_port,
        action_port_a=ports.actions_a,
        action_port_b=ports.actions_b,
        worker_user=worker_user_directive(),
    )
    path = nginx_var / "nginx.conf"
    path.write_text(config, encoding="utf-8")
    return path


class ScaledStack(Stack):
    """Council services, two action servers, the workers, two Rasa servers, nginx."""

    def __init__(
        self,
        settings: Settings,
        model: Path,
        council_services_db: str,
        ports: InternalPorts | None = None,
    ) -> None:
        check_scaled_settings(settings, council_services_db)
        for url in (settings.tracker_store, settings.database, council_services_db):
            ensure_database(url)
        super().__init__(settings, model, council_services_db=council_services_db)
        self.ports = ports or InternalPorts.after(settings)
        env = settings_env(settings)
        var = settings.var_dir
        # Rasa calls the actions through nginx (settings.action_server_port is nginx's).
        endpoints = write_endpoints(settings, var / "endpoints.yml")
        self.action_servers = [
            # Behind nginx, which listens on 127.0.0.1 for Rasa: loopback only.
            action_server_service("action-server-a", "127.0.0.1", self.ports.actions_a, env),
            action_server_service("action-server-b", "127.0.0.1", self.ports.actions_b, env),
        ]
        self.rasa_servers = [
            rasa_service("rasa-a", settings, model, "127.0.0.1", self.ports.rasa_a, endpoints, env),
            rasa_service("rasa-b", settings, model, "127.0.0.1", self.ports.rasa_b, endpoints, env),
        ]
        nginx_config = write_nginx_config(settings, self.ports, var)
        self.nginx = Service(
            "nginx",
            [NGINX, "-c", str(nginx_config), "-p", str(var / "nginx")],
            f"http://{settings.rasa_host}:{settings.rasa_port}/nginx-health",
            env,
        )

    @property
    def services(self) -> list[Service]:
        """All processes, in start order (nginx last, once its upstreams exist)."""
        return [
            self.council_services,
            *self.action_servers,
            self.outbox_worker,
            self.insight_worker,
            *self.retention_workers,
            *self.rasa_servers,
            self.nginx,
        ]

    def seed_free(self) -> list[Service]:
        """Both Rasa servers and both action servers load while the seed runs."""
        return [*self.action_servers, *self.rasa_servers]

    def bound_ports(self) -> list[tuple[str, int]]:
        """The public ports of nginx, and those of every process behind it."""
        internal = (
            self.ports.rasa_a,
            self.ports.rasa_b,
            self.ports.actions_a,
            self.ports.actions_b,
        )
        return [*super().bound_ports(), *(("127.0.0.1", port) for port in internal)]

    def rasa_on_port(self, port: int) -> Service:
        """The Rasa process listening on ``port``."""
        by_port = {self.ports.rasa_a: self.rasa_servers[0], self.ports.rasa_b: self.rasa_servers[1]}
        return by_port[port]

    def urls(self) -> dict[str, str]:
        """What a developer opens or calls."""
        urls = super().urls()
        urls["Rasa REST channel (nginx)"] = urls.pop("Rasa REST channel")
        urls["Action servers (nginx)"] = urls.pop("Action server")
        return urls
