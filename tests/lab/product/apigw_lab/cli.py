"""sysupgrade's command line (upgrade_script.md; contract §4-§5).

Exit status (contract §5 ASSUMED): 0 when the step succeeded (warnings allowed), 1 when it
failed or was refused, 2 on a usage error (argparse). Fault `exit_code_lies` makes a failed step
exit 0. Every call is audited (audit.py).
"""
import argparse
import os
import shutil
import traceback

from . import audit, creds, faults, logwriter, process_cli, state
from .steps import apply as apply_step
from .steps import clean as clean_step
from .steps import export as export_step
from .steps import upgrade as upgrade_step
from .steps.common import Ctx, StepFailed

TRACE = ("DEBUG", "INFO", "VERBOSE")
SIGN_ALGS = ("sha1", "sha256", "sha384", "sha512")  # ASSUMED list, from the doc's examples
RUNNERS = {"export": export_step.run, "upgrade": upgrade_step.run, "apply": apply_step.run}
NEEDS = {"export": ("username", "password"),
         "apply": ("username", "password", "domain_passphrase")}


def parser():
    p = argparse.ArgumentParser(prog="sysupgrade", allow_abbrev=False,
                                description="Upgrade an API Gateway system to version 7.7.")
    sub = p.add_subparsers(dest="command", metavar="{export,upgrade,apply,status,clean}")
    sub.required = True
    e = sub.add_parser("export", allow_abbrev=False, help="export data from the old installation")
    e.add_argument("--old_install_dir", required=True, help="Old API Gateway installation "
                   "directory. For example: /home/axway/Axway-7.4.1/apigateway")
    e.add_argument("--anm_host", help="topology host name of the first Admin Node Manager")
    _force(e, "export")
    _login(e)
    u = sub.add_parser("upgrade", allow_abbrev=False, help="validate and upgrade exported data")
    _force(u, "upgrade")
    _trace(u)
    u.add_argument("--cass_host", help="Apache Cassandra host (default localhost)")
    u.add_argument("--cass_port", type=int, help="Apache Cassandra client port (default 9042)")
    u.add_argument("--cass_username", help="Apache Cassandra user name")
    u.add_argument("--cass_password", help="Apache Cassandra password")
    u.add_argument("--no_cassandra", action="store_true", help="fail on Cassandra-backed KPS")
    a = sub.add_parser("apply", allow_abbrev=False, help="apply upgraded data to the new system")
    a.add_argument("--anm_host", help="topology host name of the first Admin Node Manager")
    a.add_argument("--domain_passphrase", help="domain CA private key passphrase")
    a.add_argument("--sign_alg", choices=SIGN_ALGS, help="signing algorithm (default sha256)")
    a.add_argument("--subj_alt_name", action="append", help="subject alternative name "
                   "(repeatable), e.g. DNS.0=node1.example.com")
    _force(a, "apply")
    _login(a)
    a.add_argument("--skip_db_upgrade", action="store_true", help="skip KPS/OAuth DB upgrade")
    _trace(a)
    sub.add_parser("status", allow_abbrev=False, help="show the local sysupgrade status")
    c = sub.add_parser("clean", allow_abbrev=False, help="reset the new installation")
    _trace(c)
    return p


def _force(p, step):
    p.add_argument("--force", action="store_true", help="run %s again after it succeeded" % step)


def _login(p):
    p.add_argument("--username", help="Admin Node Manager user name (prompted if not given)")
    p.add_argument("--password", help="Admin Node Manager password (prompted if not given)")


def _trace(p):
    p.add_argument("--tracelevel", choices=TRACE, default="INFO", help="log level")


def refusal(install, step, force):
    """Rules 1 and 3: the step before must have succeeded; a succeeded step needs --force.
    ASSUMED wording (upgrade_faq.md: "you are prompted to rerun with the --force option")."""
    steps = state.STEPS
    i = steps.index(step)
    if i > 0 and state.last_done(install) not in steps[i - 1:]:
        return ("You must run 'sysupgrade %s' successfully before running 'sysupgrade %s'." %
                (steps[i - 1], step))
    if state.succeeded(install, step) and not force:
        return ("'sysupgrade %s' has already run successfully on this node. Rerun with --force "
                "to run %s again." % (step, step))
    return None


def new_processes(install, step):
    """upgrade_faq.md: before export, and before apply (--force), the new installation's
    processes must be stopped; checked before --force clears anything, so a refused rerun on the
    first ANM does not wipe the domain."""
    if step not in ("export", "apply"):
        return None
    running = process_cli.any_running(install)
    if not running:
        return None
    return ("The following processes of the new installation are running on this node: %s. "
            "Stop them before running %s." % (", ".join(running), step))


def prepare(install, step):
    """Clear this step's and later outputs (rule 3); clearing apply output also wipes the
    new topology and, on the first ANM, the domain CA (rule 7; upgrade_faq.md)."""
    had_apply = os.path.isdir(os.path.join(install.out, "apply"))
    state.clear_from(install, step)
    if had_apply and os.path.isdir(install.groups):
        shutil.rmtree(install.groups)


def run_step(install, args, au):
    step, flt = args.command, faults.Faults()
    state.ensure_originals(install)
    why = refusal(install, step, args.force) or new_processes(install, step)
    if why:
        print("ERROR: " + why)
        return 1
    prepare(install, step)
    ctx = Ctx(install, args, flt, step)
    if step == "upgrade":  # never prompted (upgrade_script.md: defaults to Cassandra's own)
        au.secrets["cass_password"] = "argv" if args.cass_password is not None else "absent"
    try:
        for what in NEEDS.get(step, ()):
            ctx.creds[what] = creds.obtain(what, getattr(args, what), au.secrets)
    except creds.NoValue as e:
        print("ERROR: %s" % e)
        return 0 if flt.on("exit_code_lies") else 1
    ctx.log = logwriter.StepLog(ctx.log_path(), getattr(args, "tracelevel", "INFO"))
    ctx.log.trace("INFO", "sysupgrade %s started" % step)
    ctx.log.trace("VERBOSE", "Arguments: %s" % " ".join(au.record["argv"]))  # masked
    ctx.log.trace("DEBUG", "Installation %s, working folder %s" % (install.root, os.getcwd()))
    try:
        ctx.maybe_prompt()
        RUNNERS[step](ctx)
        state.mark(install, step)
        ok = True
    except StepFailed:
        ok = False
    except Exception:  # a lab bug must still end as a failed step with its trace in the log
        for line in traceback.format_exc().splitlines():
            ctx.log.line(line)
        ctx.log.check("Internal", errors=["Unexpected error, see the trace above."])
        ok = False
    return summary(ctx, ok, flt)


def summary(ctx, ok, flt):
    log, step = ctx.log, ctx.step
    log.trace("INFO", "sysupgrade %s %s" % (step, "completed" if ok else "failed"))
    log.close()
    for check, msg in log.errors:
        text = msg[0] if isinstance(msg, tuple) else msg
        print("ERROR: [%s] %s" % (check, text.split("\n")[0]))
    if not ok:
        print("sysupgrade %s failed. Please examine the log file: %s" % (step, log.path))
        return 0 if flt.on("exit_code_lies") else 1
    if log.warnings:
        print("sysupgrade %s completed with warnings. Please examine the log file: %s" % (
            step, log.path))
    else:
        print("sysupgrade %s completed successfully. Log file: %s" % (step, log.path))
    return 0


def run_clean(install, args):
    state.ensure_originals(install)
    info = clean_step.run(install, None)
    log = logwriter.StepLog(os.path.join(install.out, "logs", "clean.log"), args.tracelevel)
    log.check("Clean", info=info)
    log.close()
    print("sysupgrade clean completed. Log file: %s" % log.path)
    return 0


def main(install, argv):
    au = audit.Audit(["sysupgrade"] + list(argv))
    au.start()
    code = 2
    try:
        args = parser().parse_args(argv)
        if args.command == "status":
            print(state.status_text(install))
            code = 0
        elif args.command == "clean":
            code = run_clean(install, args)
        else:
            code = run_step(install, args, au)
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    finally:
        au.end(code)
    return code
