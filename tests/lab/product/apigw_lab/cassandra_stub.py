"""A Cassandra stand-in: a TCP listener on the CQL native port (upgrade_steps_extcass.md: API
Gateway 7.7 talks to Cassandra on 9042; earlier versions used the Thrift port 9160, which labctl
starts a second stand-in process on). It accepts connections and answers nothing useful; the
lab only needs "is Cassandra running" to be true or false, which apply checks, and, when started
with --auth-file (labctl up --cassandra-auth), "does this login work", which upgrade checks.

    python3 -m apigw_lab.cassandra_stub --port 9042 [--bind 0.0.0.0] [-d --pidfile F --log F]
                                        [--auth-file /opt/apigw-lab/cassandra-users.json]
    python3 -m apigw_lab.cassandra_stub --port 9042 -k      (stop the one of that pid file)

-d detaches (setsid, stdio to --log) and returns once the port listens (lab-recipe.md: a daemon
started over ssh must be fully detached). Default pid and log files: /opt/apigw-lab/cassandra.
{pid,log} for port 9042, cassandra-<port>.{pid,log} for another port. -k stops the process of the
pid file and returns once it has exited. Run with PYTHONPATH=INSTALL/system/lib/lab.

Login (lab-internal, not CQL): the client sends one line ``LAB-LOGIN {"username": U,
"password": P}`` (keys absent when not given) and reads one line back: ``OK`` (no login required,
or a matching one), ``AUTH-REQUIRED`` (a login is required and none was given) or ``AUTH-FAILED``.
The auth file holds salted hashes (secrets_store.write_users), never the password; a stand-in
given --auth-file requires a login even if the file cannot be read. Anything else a client sends
is read and ignored, as before.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time

LOGIN = b"LAB-LOGIN"


def login(host, port, username=None, password=None, timeout=3.0):
    """Ask the stand-in at host:port whether this login works: "OK", "AUTH-REQUIRED",
    "AUTH-FAILED", or None when nothing (or something else) answered."""
    creds = {}
    if username is not None:
        creds["username"] = username
    if password is not None:
        creds["password"] = password
    try:
        conn = socket.create_connection((host, int(port)), timeout=timeout)
    except (socket.error, OSError, ValueError):
        return None
    try:
        conn.settimeout(timeout + 2)
        conn.sendall(LOGIN + b" " + json.dumps(creds).encode("utf-8") + b"\n")
        answer = b""
        while b"\n" not in answer and len(answer) < 256:
            chunk = conn.recv(256)
            if not chunk:
                break
            answer += chunk
    except (socket.error, OSError):
        return None
    finally:
        conn.close()
    answer = answer.split(b"\n", 1)[0].strip().decode("ascii", "replace")
    return answer if answer in ("OK", "AUTH-REQUIRED", "AUTH-FAILED") else None


def check(line, auth_file):
    """The stand-in's answer to one LAB-LOGIN line."""
    if not auth_file:
        return "OK"
    try:
        creds = json.loads(line[len(LOGIN):].decode("utf-8") or "{}")
    except ValueError:
        creds = {}
    if not isinstance(creds, dict) or ("username" not in creds and "password" not in creds):
        return "AUTH-REQUIRED"
    from . import secrets_store
    ok = secrets_store.check_login(auth_file, creds.get("username"), creds.get("password"))
    return "OK" if ok else "AUTH-FAILED"


def serve(bind, port, pidfile, auth_file=None):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((bind, port))
    srv.listen(64)
    if pidfile:
        with open(pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    while True:
        conn = srv.accept()[0]
        threading.Thread(target=_drain, args=(conn, auth_file), daemon=True).start()


def _drain(conn, auth_file=None):
    try:
        conn.settimeout(30)
        first = b""
        while b"\n" not in first and len(first) < 4096:
            chunk = conn.recv(4096)
            if not chunk:
                return
            first += chunk
        line = first.split(b"\n", 1)[0].strip()
        if line.startswith(LOGIN):
            conn.sendall((check(line, auth_file) + "\n").encode("ascii"))
            return
        while conn.recv(4096):
            pass
    except (socket.error, OSError):
        pass
    finally:
        conn.close()


def detach(args):
    cmd = [sys.executable, "-m", "apigw_lab.cassandra_stub", "--port", str(args.port),
           "--bind", args.bind] + (["--pidfile", args.pidfile] if args.pidfile else []) + (
               ["--auth-file", os.path.abspath(args.auth_file)] if args.auth_file else [])
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    with open(args.log or os.devnull, "a") as out, open(os.devnull) as devnull:
        subprocess.Popen(cmd, stdin=devnull, stdout=out, stderr=subprocess.STDOUT, env=env,
                         close_fds=True, start_new_session=True)
    deadline = time.time() + 15
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1" if args.bind == "0.0.0.0" else args.bind,
                                      args.port), timeout=1).close()
            return 0
        except (socket.error, OSError):
            time.sleep(0.1)
    sys.stderr.write("Cassandra stand-in did not listen on %d within 15 s\n" % args.port)
    return 1


def stop(pidfile, timeout=10.0):
    """SIGTERM the stand-in of pidfile (if it runs) and wait until it has exited."""
    import signal
    try:
        pid = int(open(pidfile).read().strip())
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            if b"cassandra_stub" not in f.read():
                return 0
        os.kill(pid, signal.SIGTERM)
    except (IOError, OSError, ValueError):
        return 0
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with open("/proc/%d/stat" % pid) as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    break
        except (IOError, OSError):
            break
        time.sleep(0.05)
    else:
        sys.stderr.write("Cassandra stand-in %d did not stop\n" % pid)
        return 1
    try:
        os.unlink(pidfile)
    except OSError:
        pass
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(prog="cassandra_stub")
    p.add_argument("--port", type=int, default=9042)
    p.add_argument("--bind", default="0.0.0.0")
    p.add_argument("--pidfile")
    p.add_argument("--log")
    p.add_argument("--auth-file", help="require a login: users file (salted hashes)")
    p.add_argument("-d", action="store_true", help="detach; return once listening")
    p.add_argument("-k", action="store_true", help="stop the stand-in of the pid file")
    args = p.parse_args(argv)
    if args.d or args.k:
        # Defaults so a detached stand-in can be found and diagnosed on the host.
        from . import paths
        base = "cassandra" if args.port == 9042 else "cassandra-%d" % args.port
        args.pidfile = args.pidfile or os.path.join(paths.lab_root(), base + ".pid")
        args.log = args.log or os.path.join(paths.lab_root(), base + ".log")
        return stop(args.pidfile) if args.k else detach(args)
    serve(args.bind, args.port, args.pidfile, args.auth_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
