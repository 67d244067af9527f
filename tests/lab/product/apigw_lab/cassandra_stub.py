"""A Cassandra stand-in: a TCP listener on the CQL native port (upgrade_steps_extcass.md: API
Gateway 7.7 talks to Cassandra on 9042). It accepts connections and answers nothing useful; the
lab only needs "is Cassandra running" to be true or false, which apply checks.

    python3 -m apigw_lab.cassandra_stub --port 9042 [--bind 0.0.0.0] [-d --pidfile F --log F]

-d detaches (setsid, stdio to --log) and returns once the port listens (lab-recipe.md: a daemon
started over ssh must be fully detached). Run with PYTHONPATH=INSTALL/system/lib/lab.
"""
import argparse
import os
import socket
import subprocess
import sys
import threading
import time


def serve(bind, port, pidfile):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((bind, port))
    srv.listen(64)
    if pidfile:
        with open(pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    while True:
        conn = srv.accept()[0]
        threading.Thread(target=_drain, args=(conn,), daemon=True).start()


def _drain(conn):
    try:
        conn.settimeout(30)
        while conn.recv(4096):
            pass
    except (socket.error, OSError):
        pass
    finally:
        conn.close()


def detach(args):
    cmd = [sys.executable, "-m", "apigw_lab.cassandra_stub", "--port", str(args.port),
           "--bind", args.bind] + (["--pidfile", args.pidfile] if args.pidfile else [])
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


def main(argv=None):
    p = argparse.ArgumentParser(prog="cassandra_stub")
    p.add_argument("--port", type=int, default=9042)
    p.add_argument("--bind", default="0.0.0.0")
    p.add_argument("--pidfile")
    p.add_argument("--log")
    p.add_argument("-d", action="store_true", help="detach; return once listening")
    args = p.parse_args(argv)
    if args.d:
        # Defaults so a detached stand-in can be found and diagnosed on the host.
        from . import paths
        args.pidfile = args.pidfile or os.path.join(paths.lab_root(), "cassandra.pid")
        args.log = args.log or os.path.join(paths.lab_root(), "cassandra.log")
        return detach(args)
    serve(args.bind, args.port, args.pidfile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
