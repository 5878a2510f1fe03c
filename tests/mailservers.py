"""Real mail servers on 127.0.0.1 for the mail tests: aiosmtpd for SMTP, Debian's dovecot for IMAP.

Each is started by a test fixture and stopped after it; nothing is patched. A certificate made here for
127.0.0.1 is the servers' own CA, so the client verifies it as it would a company's mail server.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

USER, PASSWORD = "hr", "Zq9-very-secret-password"


def require(available: bool, what: str) -> None:
    """Skip the test when `what` is missing here; with $CI set, fail instead: CI installs it (.ci/run)."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not installed; CI is set, so the mail tests must run", pytrace=False)
    pytest.skip(f"{what} is not installed")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Certificate:
    cert: Path  # also the CA the client is given: it is self-signed
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context


def make_certificate(folder: Path) -> Certificate:
    """A self-signed certificate for 127.0.0.1 and localhost, valid for two days."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "matrixkit test mail server")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    paths = Certificate(folder / "cert.pem", folder / "key.pem")
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


@dataclass
class Recorder:
    """An aiosmtpd handler keeping every message; it refuses each address in `refuse_once` the first time,
    and drops the connection at the DATA of each address in `drop_once` the first time."""

    refuse_once: set[str] = field(default_factory=set)
    drop_once: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse_once:
            self.refuse_once.discard(address)
            return "550 5.2.1 Mailbox temporarily disabled"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        dropped = self.drop_once.intersection(envelope.rcpt_tos)
        if dropped:
            self.drop_once -= dropped
            server.transport.close()
            return "421 closing"
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


@contextmanager
def smtp_server(
    recorder: Recorder, *, certificate: Certificate | None = None, login: bool = False, implicit_tls: bool = False
) -> Iterator[int]:
    """aiosmtpd on 127.0.0.1: plain, or with STARTTLS required (`certificate`) or TLS from the first byte
    (`implicit_tls` too), and a login required (`login`)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login == USER.encode() and data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)

    options: dict[str, Any] = {}
    if certificate is not None and implicit_tls:
        options.update(ssl_context=certificate.server_context())
    elif certificate is not None:
        options.update(tls_context=certificate.server_context(), require_starttls=True)
    if login:
        options.update(authenticator=authenticate, auth_required=True, auth_require_tls=True)
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)


@contextmanager
def dovecot(certificate: Certificate, *, plain: bool = False) -> Iterator[int]:
    """Dovecot serving IMAP (STARTTLS; with `plain`, no TLS at all and passwords in the clear) on
    127.0.0.1 from a config, passwd-file and maildir of its own, as a child process in the foreground
    (`-F`), stopped afterwards. Root cannot own mail (dovecot refuses uid 0), so under root the mail
    belongs to `nobody`, in a folder it can reach."""
    assert DOVECOT is not None
    root = Path(tempfile.mkdtemp(prefix="matrixkit-dovecot-"))
    os.chmod(root, 0o755)
    try:
        uid, gid = os.getuid(), os.getgid()
        if uid == 0:
            nobody = pwd.getpwnam("nobody")
            uid, gid = nobody.pw_uid, nobody.pw_gid
        home = root / "home"
        (home / USER).mkdir(parents=True)
        os.chown(home / USER, uid, gid)
        (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        port = free_port()
        tls = (
            "ssl = no\ndisable_plaintext_auth = no"
            if plain
            else f"ssl = required\nssl_cert = <{certificate.cert}\nssl_key = <{certificate.key}"
        )
        config = root / "dovecot.conf"
        config.write_text(
            f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
{tls}
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={home}/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
"""
        )
        process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            _wait_for(port, process, root / "dovecot.log")
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            raise RuntimeError(f"dovecot exited: {output} {log.read_text() if log.exists() else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("dovecot did not start listening")


def append_messages(port: int, certificate: Certificate, messages: list[bytes], folder: str = "INBOX") -> None:
    """Deliver `messages` into the mailbox the way a mail client files them: IMAP APPEND."""
    import imaplib

    connection = imaplib.IMAP4("127.0.0.1", port, timeout=10)
    if "STARTTLS" in connection.capabilities:
        connection.starttls(ssl_context=ssl.create_default_context(cafile=certificate.cert))
    connection.login(USER, PASSWORD)
    if folder != "INBOX":
        connection.create(f'"{folder}"')
    for message in messages:
        status, _ = connection.append(f'"{folder}"', None, None, message)
        assert status == "OK"
    connection.logout()
