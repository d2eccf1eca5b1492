"""The local broker's secured mode: a SASL_SSL listener (SCRAM-SHA-512/256 users created when
storage is formatted, and OAUTHBEARER with Kafka's built-in unsecured JWS validator), an SSL
listener that requires a client certificate (mTLS), a TLS controller listener, and the
StandardAuthorizer with no access unless an ACL grants it.

Everything is throwaway: a fresh CA, random passwords, unencrypted keys, kept under the
broker's home (mode 0600). For tests and local trials of the production settings."""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from newswire.config import Settings
from newswire.connection import client_options
from newswire.kafka_local.launcher import LocalKafkaError
from newswire.security.acls import AclRule

ADMIN = "admin"
# The broker's own identity on the controller listener (its certificate's common name).
BROKER = "broker"
ROLES = ("worker", "ingest", "subscriber", "operator")
SCRAM_MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256")
STATE_FILE = "security.json"


@dataclass(frozen=True, slots=True)
class LocalSecurity:
    """The secured broker's credentials and TLS material, all under `folder`."""

    folder: Path
    ssl_port: int
    passwords: dict[str, str] = field(default_factory=dict)

    @property
    def ca_file(self) -> Path:
        """The PEM certificate of the throwaway CA: what clients must trust."""
        return self.folder / "ca.pem"

    @property
    def keystore(self) -> Path:
        return self.folder / "broker-keystore.pem"

    @classmethod
    def create(cls, folder: Path, ssl_port: int, users: tuple[str, ...] = ROLES) -> LocalSecurity:
        """Generate a CA, the broker's keystore, a client certificate and a random password
        for `admin` and each of `users`; written under `folder` with `security.json` (the
        passwords and the SSL port, so a later `load` finds them)."""
        from newswire.kafka_local.certs import LocalCA  # noqa: PLC0415 - needs `cryptography`

        ca = LocalCA(folder)
        ca.broker_keystore()
        names = (ADMIN, *users)
        for name in names:
            ca.issue(name, server=False)
        passwords = {name: secrets.token_urlsafe(18) for name in names}
        state = folder / STATE_FILE
        state.write_bytes(
            orjson.dumps({"ssl_port": ssl_port, "passwords": passwords}, option=orjson.OPT_INDENT_2)
        )
        state.chmod(0o600)
        return cls(folder, ssl_port, passwords)

    @classmethod
    def load(cls, folder: Path) -> LocalSecurity | None:
        """The security material `create` left in `folder`, None if there is none."""
        try:
            state = orjson.loads((folder / STATE_FILE).read_bytes())
        except FileNotFoundError:
            return None
        return cls(folder, int(state["ssl_port"]), dict(state["passwords"]))

    def server_properties(self, port: int, controller_port: int) -> str:
        """Lines appended to server.properties (later keys win) that secure every listener."""
        admin = self.passwords[ADMIN]
        scram = "org.apache.kafka.common.security.scram.ScramLoginModule"
        oauth = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"
        lines = [
            "# --- secured mode (newswire.kafka_local.secure) ---",
            f"listeners=SASL_SSL://127.0.0.1:{port},SSL://127.0.0.1:{self.ssl_port},"
            f"CONTROLLER://127.0.0.1:{controller_port}",
            f"advertised.listeners=SASL_SSL://127.0.0.1:{port},SSL://127.0.0.1:{self.ssl_port}",
            "listener.security.protocol.map=SASL_SSL:SASL_SSL,SSL:SSL,CONTROLLER:SSL",
            "inter.broker.listener.name=SASL_SSL",
            "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
            "sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,OAUTHBEARER",
            *(
                f"listener.name.sasl_ssl.{m.lower()}.sasl.jaas.config={scram} required "
                f'username="{ADMIN}" password="{admin}";'
                for m in SCRAM_MECHANISMS
            ),
            # No server callback handler configured: Kafka's unsecured JWS validator checks
            # OAUTHBEARER tokens (alg 'none'; 'sub' is the principal). Never in production.
            f"listener.name.sasl_ssl.oauthbearer.sasl.jaas.config={oauth} required "
            f'unsecuredLoginStringClaim_sub="{ADMIN}";',
            "ssl.keystore.type=PEM",
            f"ssl.keystore.location={self.keystore}",
            "ssl.truststore.type=PEM",
            f"ssl.truststore.location={self.ca_file}",
            "ssl.endpoint.identification.algorithm=https",
            "listener.name.ssl.ssl.client.auth=required",
            "listener.name.controller.ssl.client.auth=required",
            # A certificate's principal is its common name: CN=subscriber is User:subscriber.
            "ssl.principal.mapping.rules=RULE:^CN=([^,]+)$/$1/,DEFAULT",
            "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            f"super.users=User:{ADMIN};User:{BROKER}",
            "allow.everyone.if.no.acl.found=false",
        ]
        return "\n".join(lines) + "\n"

    def scram_format_args(self) -> list[str]:
        """`kafka-storage format` arguments creating every user for both SCRAM mechanisms."""
        args: list[str] = []
        for name, password in self.passwords.items():
            for mechanism in SCRAM_MECHANISMS:
                args += ["--add-scram", f"{mechanism}=[name={name},password={password}]"]
        return args

    def tls_settings(self) -> dict[str, Any]:
        """Settings every client of this broker needs: trust the throwaway CA."""
        return {"kafka_ssl_cafile": self.ca_file}

    def scram_settings(
        self, user: str, bootstrap: str, mechanism: str = "SCRAM-SHA-512"
    ) -> dict[str, Any]:
        """Settings overrides that connect as `user` with SCRAM over SASL_SSL."""
        return {
            **self.tls_settings(),
            "bootstrap_servers": bootstrap,
            "kafka_security_protocol": "SASL_SSL",
            "kafka_sasl_mechanism": mechanism,
            "kafka_sasl_username": user,
            "kafka_sasl_password": self.passwords[user],
        }

    def mtls_settings(self, user: str) -> dict[str, Any]:
        """Settings overrides that connect as `user` with its client certificate (SSL)."""
        return {
            **self.tls_settings(),
            "bootstrap_servers": f"127.0.0.1:{self.ssl_port}",
            "kafka_security_protocol": "SSL",
            "kafka_ssl_certfile": self.folder / f"{user}.pem",
            "kafka_ssl_keyfile": self.folder / f"{user}.key",
        }

    def oauth_settings(self, user: str, bootstrap: str, lifetime_s: int = 3600) -> dict[str, Any]:
        """Settings overrides that connect as `user` with an unsecured JWS OAUTHBEARER token
        written to a file (what a token sidecar would keep fresh)."""
        token_file = self.folder / f"{user}.token"
        token_file.write_text(unsecured_jws(user, lifetime_s))
        token_file.chmod(0o600)
        return {
            **self.tls_settings(),
            "bootstrap_servers": bootstrap,
            "kafka_security_protocol": "SASL_SSL",
            "kafka_sasl_mechanism": "OAUTHBEARER",
            "kafka_oauth_token_file": token_file,
        }

    def environment(self, user: str, bootstrap: str) -> dict[str, str]:
        """The NEWSWIRE_ variables that connect as `user` with SCRAM (for a shell)."""
        values = self.scram_settings(user, bootstrap)
        return {f"NEWSWIRE_{k.upper()}": str(v) for k, v in values.items()}

    def admin_settings(self, bootstrap: str) -> Settings:
        """Settings of the super user (creates topics, sets ACLs)."""
        return Settings(**self.scram_settings(ADMIN, bootstrap), _env_file=None)


def unsecured_jws(subject: str, lifetime_s: int) -> str:
    """An unsigned JWT ('alg': 'none') for `subject`, as Kafka's unsecured validator accepts."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(data)).decode().rstrip("=")

    now = int(time.time())
    return f"{part({'alg': 'none'})}.{part({'sub': subject, 'iat': now, 'exp': now + lifetime_s})}."


async def apply_acls(admin: Settings, rules: list[AclRule]) -> None:
    """Create `rules` on the broker as the super user `admin`; raises on any refusal.

    aiokafka's admin client has no ACL call, so the CreateAcls request goes through its
    generic request path, one rule a request."""
    from aiokafka.admin import AIOKafkaAdminClient  # noqa: PLC0415
    from aiokafka.errors import for_code  # noqa: PLC0415
    from aiokafka.protocol.admin import CreateAclsRequest  # noqa: PLC0415

    client = AIOKafkaAdminClient(**client_options(admin))
    await client.start()
    try:
        for rule in rules:
            request = CreateAclsRequest(
                rule.resource, rule.name, rule.pattern, rule.principal, "*", rule.operation, 3
            )
            response = await client._send_request(request)
            for code, message in response.creation_responses:
                if code != 0:
                    raise for_code(code)(f"could not create ACL {rule}: {message}")
    finally:
        await client.close()


def local_security(kafka_home: Path, *, create: bool) -> LocalSecurity | None:
    """The secured mode of the broker under `kafka_home`: what an earlier secured start left
    there, else new material when `create` is asked (and the storage is not yet formatted
    in PLAINTEXT mode), else None."""
    folder = kafka_home / "security"
    found = LocalSecurity.load(folder)
    if found is not None or not create:
        return found
    if (kafka_home / "data" / "meta.properties").exists():
        raise LocalKafkaError(
            f"{kafka_home} already holds a PLAINTEXT broker; stop it and remove {kafka_home} "
            "(or set NEWSWIRE_KAFKA_HOME elsewhere) to start a secured one"
        )
    from newswire.kafka_local.launcher import free_port  # noqa: PLC0415

    return LocalSecurity.create(folder, ssl_port=free_port())
