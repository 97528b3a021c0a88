"""Run a command beside a throwaway PostgreSQL server: ``python tests/pg_server.py -- CMD …``.

The server is the machine's own (the binaries where ``pg_config --bindir`` says), made with
initdb in a temporary folder as a non-root user, listening on loopback only, on a free port,
with password authentication. The command runs with ``SSCP_TEST_PG`` set to a URL of the
server's superuser (the tests make a database of their own for each test from it); the
server is stopped and its folder removed when the command ends, however it ends.

Missing binaries are a failure, never a skip: CI must not pass without the server.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PASSWORD = "throwaway-test-password"
USER = "sscp_test"


def bindir() -> Path:
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        sys.exit("make test-pg needs PostgreSQL's server binaries, and pg_config is not on PATH.")
    found = Path(
        subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
    )
    if not (found / "initdb").exists() or not (found / "postgres").exists():
        sys.exit(f"make test-pg needs PostgreSQL's server binaries; {found} has no initdb or postgres.")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_account() -> tuple[int, int] | None:
    """initdb refuses root: as root, run the server as the postgres account (or nobody)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            account = pwd.getpwnam(name)
        except KeyError:
            continue
        return account.pw_uid, account.pw_gid
    sys.exit("make test-pg runs as root and finds no postgres or nobody account to run the server as.")


@contextmanager
def throwaway_server() -> Iterator[str]:
    """Start a server; yield its superuser's URL; stop it and remove its folder at the end."""
    binaries = bindir()
    account = server_account()
    uid = account[0] if account else None
    as_account: dict[str, Any] = (
        {"user": account[0], "group": account[1], "extra_groups": []} if account else {}
    )
    folder = Path(tempfile.mkdtemp(prefix="sscp-pg-"))
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    password_file = folder / "password"
    password_file.write_text(PASSWORD + "\n")
    if uid is not None:
        for path in (folder, sockets, password_file):
            os.chown(path, uid, -1)
    port = free_port()
    log = folder / "server.log"
    server: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run(
            [str(binaries / "initdb"), "-D", str(data), "-U", USER, "--auth=scram-sha-256",
             f"--pwfile={password_file}", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            check=True, stdout=subprocess.DEVNULL, cwd=folder, **as_account,
        )  # fmt: skip
        with log.open("wb") as out:
            if uid is not None:
                os.chown(log, uid, -1)
            server = subprocess.Popen(
                [str(binaries / "postgres"), "-D", str(data), "-p", str(port), "-h", "127.0.0.1",
                 "-k", str(sockets), "-c", "fsync=off", "-c", "synchronous_commit=off",
                 "-c", "full_page_writes=off", "-c", "max_connections=200"],
                stdout=out, stderr=subprocess.STDOUT, cwd=folder, **as_account,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            ready = subprocess.run(
                [str(binaries / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)], capture_output=True
            )
            if ready.returncode == 0:
                break
            if server.poll() is not None or time.monotonic() > deadline:
                sys.stderr.write(log.read_text(errors="replace"))
                sys.exit("The throwaway PostgreSQL server did not start.")
            time.sleep(0.2)
        version = subprocess.run(
            [str(binaries / "postgres"), "--version"], capture_output=True, text=True
        ).stdout.strip()
        print(f"Throwaway server: {version} on 127.0.0.1:{port}", flush=True)
        yield f"postgresql+psycopg://{USER}:{PASSWORD}@127.0.0.1:{port}/postgres"
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGINT)  # PostgreSQL's fast shutdown
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(folder, ignore_errors=True)


def main(command: list[str]) -> int:
    with throwaway_server() as url:
        env = dict(os.environ)
        env["SSCP_TEST_PG"] = url
        return subprocess.run(command, env=env).returncode


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[:1] == ["--"]:
        arguments = arguments[1:]
    if not arguments:
        sys.exit("usage: python tests/pg_server.py -- COMMAND …")
    sys.exit(main(arguments))
