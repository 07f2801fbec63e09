"""The emulator's fork server: imports server.py and all it needs (moto, botocore, yaml)
once, then forks one emulator per request. Starting an emulator is mostly those imports,
about 2 CPU-seconds on the CI machine, and the test command starts one per e2e test
class (over a hundred) and per emulator test class; forked from here each start costs a
fork. Nothing else changes: each emulator is still its own process, on its own port,
with its own state, stopped by its PID (tests/emulator/README.md "Fork server").

    python3 zygote.py --start DIR   start one in the background (socket DIR/sock, PID in
                                    DIR/pid, its log DIR/zygote.log); exits once it serves;
                                    joins the running one of another live run instead
    python3 zygote.py --stop DIR    the last run using it stops it by its PID, and every
                                    emulator it forked
    python3 zygote.py --serve SOCK  serve in the foreground (what --start runs)

tests/CMakeLists.txt starts one per build directory as a CTest fixture for the tests that
start emulators and stops it after them; emulator.py uses it when TPD_EMULATOR_ZYGOTE
names its socket and the socket answers, and otherwise runs server.py as before.

The protocol, one connection per emulator: the client sends one JSON line
{"argv": [server.py's flags], "env": {...}, "cwd": "..."} with its standard error as
an SCM_RIGHTS file descriptor. The zygote forks; the child makes the connection its
standard output and the passed descriptor its standard error, takes the client's
environment and directory, and runs server.main(argv), whose first line is server.py's
"EMULATOR READY ... pid=CHILD". When the child exits, the zygote writes "EXITED STATUS"
on the connection and closes it. A child whose client goes away (its test process died
without stopping it) stops itself, as a pipe's reader would have been killed with it.
"""
from __future__ import annotations

import argparse
import array
import json
import os
import signal
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# The longest AF_UNIX path Linux takes (sun_path is 108 bytes with its terminating NUL);
# a longer build directory gets no fork server and its tests start server.py themselves.
MAX_SOCKET_PATH = 107


def _preload() -> None:
    """Everything an emulator imports before it serves, imported here once."""
    import logging
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    import ddb_ext
    import emu_cfn  # noqa: F401
    import httpd  # noqa: F401
    import ratelimit  # noqa: F401
    import server  # noqa: F401
    import tlscert  # noqa: F401
    import validator  # noqa: F401
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication  # noqa: F401
    from moto.sts.models import sts_backends  # noqa: F401
    ddb_ext.patch_moto()  # idempotent: server.main calls it again in the child


def _child(conn: socket.socket, request: dict, stderr_fd: int | None) -> None:
    """In the forked child: become an ordinary emulator, never return to the loop."""
    code = 1
    try:
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_DFL)
        os.dup2(conn.fileno(), 1)
        if stderr_fd is not None:
            os.dup2(stderr_fd, 2)
            os.close(stderr_fd)
        os.environ.clear()
        os.environ.update(request.get("env") or {})
        if request.get("cwd"):
            os.chdir(request["cwd"])
        # A fresh process would have fresh random state; forked ones share the zygote's.
        import random
        random.seed()
        from moto.moto_api._internal import mock_random
        mock_random.seed()
        import threading
        import server

        def watch_client():  # the test process went away without stopping us
            try:
                while conn.recv(256):
                    pass
            except OSError:
                pass
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=watch_client, daemon=True).start()
        sys.argv = [os.path.join(HERE, "server.py")] + list(request["argv"])
        code = server.main(list(request["argv"]))
    except SystemExit as e:  # argparse's errors: status 2, its message on stderr
        code = e.code if isinstance(e.code, int) else 1
    except BaseException:
        import traceback
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def serve(path: str) -> int:
    _preload()
    import threading
    if threading.active_count() != 1:  # fork() copies only the calling thread
        print(f"zygote: {threading.active_count()} threads after the imports; not serving", file=sys.stderr)
        return 1
    children: dict[int, socket.socket] = {}

    def reap(signum=None, frame=None):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = children.pop(pid, None)
            if conn is not None:
                try:
                    conn.sendall(f"EXITED {os.waitstatus_to_exitcode(status)}\n".encode())
                except OSError:
                    pass
                conn.close()

    stopping = []

    def on_term(signum, frame):
        stopping.append(signum)
        listener.close()

    if os.path.exists(path):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(64)
    signal.signal(signal.SIGCHLD, reap)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    print(f"ZYGOTE READY pid={os.getpid()}", flush=True)
    while not stopping:
        try:
            conn, _ = listener.accept()
        except OSError:
            break
        try:
            conn.settimeout(10)  # a client that never sends holds up no other
            msg, fds, _, _ = socket.recv_fds(conn, 1 << 16, 1)
            buf = msg
            while not buf.endswith(b"\n") and msg:
                msg = conn.recv(1 << 16)
                buf += msg
            request = json.loads(buf)
            conn.settimeout(None)  # blocking again: it becomes the child's standard output
        except (OSError, ValueError):
            conn.close()
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        # SIGCHLD held while the child is entered in the table, so a child that exits at
        # once is not reaped before its connection is known.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
        try:
            pid = os.fork()
        except OSError as e:  # no process to be had: the client sees the end, no line
            print(f"zygote: fork: {e}", file=sys.stderr, flush=True)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
            for fd in fds:
                os.close(fd)
            conn.close()
            continue
        if pid == 0:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
            listener.close()
            for other in children.values():
                other.close()
            _child(conn, request, fds[0] if fds else None)
        children[pid] = conn
        for fd in fds:
            os.close(fd)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
    # Stopping: every emulator still running goes with the zygote.
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for pid in list(children):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.time() + 10
    while children and time.time() < deadline:
        reap()
        time.sleep(0.05)
    for pid in list(children):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if os.path.exists(path):
        os.unlink(path)
    return 0


def _pid_of(d: str) -> int | None:
    """The zygote recorded in D, if that PID is still a zygote (not a reused PID)."""
    try:
        with open(os.path.join(d, "pid")) as f:
            pid = int(f.read().strip())
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            if b"zygote.py" not in f.read():
                return None
        return pid
    except (OSError, ValueError):
        return None


def _gone(pid: int) -> bool:
    """True once PID has exited (reaped here when it is this process's child, as when a
    test started it; a zombie counts as gone)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def _kill(d: str) -> None:
    """Stop the zygote recorded in D by its PID, and forget it."""
    pid = _pid_of(d)
    if pid is not None:
        os.kill(pid, signal.SIGTERM)
        deadline = time.time() + 30
        while time.time() < deadline and not _gone(pid):
            time.sleep(0.05)
        if not _gone(pid):
            os.kill(pid, signal.SIGKILL)
    for name in ("pid", "sock"):
        try:
            os.unlink(os.path.join(d, name))
        except FileNotFoundError:
            pass


class _Users:
    """The runs using D's zygote, by PID, under a lock on D/lock: two CTest runs in one
    build directory at once (scripts/test.sh runs the plain build's tests and its safety
    tests side by side) share one zygote, and the last to stop stops it. The user is the
    CTest process (the parent of the fixture tests); one that died without stopping (a
    killed run) is dropped at the next start or stop."""

    def __init__(self, d: str):
        self.path = os.path.join(d, "users")
        self.lock = open(os.path.join(d, "lock"), "w")

    def __enter__(self):
        import fcntl
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        try:
            with open(self.path) as f:
                pids = {int(x) for x in f.read().split()}
        except (OSError, ValueError):
            pids = set()
        self.pids = {p for p in pids if not _gone(p)}
        return self

    def __exit__(self, *exc):
        with open(self.path, "w") as f:
            f.write("".join(f"{p}\n" for p in sorted(self.pids)))
        self.lock.close()  # and with it the lock


def stop(d: str, user: int | None = None) -> int:
    """One run is done with D's zygote (USER: its PID, default the parent's, CTest's); the
    zygote stops with the last."""
    if not os.path.isdir(d):
        return 0
    with _Users(d) as users:
        users.pids.discard(user or os.getppid())
        if not users.pids:
            _kill(d)
    return 0


def start(d: str, user: int | None = None) -> int:
    """A run starts using D's zygote (USER as for stop): it joins a zygote another live run
    uses, or starts one (stopping any left by a run that was killed)."""
    os.makedirs(d, exist_ok=True)
    with _Users(d) as users:
        if users.pids and _pid_of(d) is not None:
            users.pids.add(user or os.getppid())
            print(f"zygote: joined the one of runs {sorted(users.pids)}")
            return 0
        _kill(d)
        if _spawn(d):
            users.pids = {user or os.getppid()}
    return 0


def _spawn(d: str) -> bool:
    sock = os.path.join(d, "sock")
    if len(sock) > MAX_SOCKET_PATH:
        print(f"zygote: {sock} is too long for a unix socket; the tests start server.py themselves")
        return False
    import subprocess
    with open(os.path.join(d, "zygote.log"), "wb") as log:
        proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--serve", sock],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                                start_new_session=True)
    line = proc.stdout.readline().decode()
    proc.stdout.close()
    if not line.startswith("ZYGOTE READY"):
        print(f"zygote: did not start ({line!r}; see {d}/zygote.log); the tests start server.py themselves")
        return False
    with open(os.path.join(d, "pid"), "w") as f:
        f.write(f"{proc.pid}\n")
    print(line.strip())
    return True


def connect(path: str, argv: list[str], timeout: float) -> socket.socket | None:
    """The client side (emulator.py): a connection whose first line is the child's READY
    line, or None when no zygote answers at PATH."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
    except OSError:
        s.close()
        return None
    msg = json.dumps({"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}).encode() + b"\n"
    try:
        s.sendmsg([msg], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [2]))])
    except OSError:
        s.close()
        return None
    return s


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--start", metavar="DIR")
    g.add_argument("--stop", metavar="DIR")
    g.add_argument("--serve", metavar="SOCK")
    a = p.parse_args()
    if a.start:
        return start(a.start)
    if a.stop:
        return stop(a.stop)
    return serve(a.serve)


if __name__ == "__main__":
    sys.exit(main())
