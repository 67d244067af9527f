"""Accounts on lab hosts (labctl up --owner NAME [--operator NAME]; DESIGN.md "Accounts").

A real installation belongs to a service account and operators log in with their own account
and sudo (upgrade_steps_extcass.md "Upgrade services": the operator switches to root only to
edit /etc/init.d). Lab hosts share the machine's /etc, so the accounts are NOT added to the
machine: each host gets its own copies of /etc/passwd, group, shadow and gshadow (the machine's
lines plus ours), its own /etc/sudoers.d and its own /home, bind-mounted by hosts.INNER. Nothing
outside $LAB_DIR changes, two labs never share an account, and down removes them with the folder.

The owner is a system account (uid below 1000, shell /bin/bash so that it can log in); the
operator an ordinary one with passwordless sudo. Their ids are free in the machine's files, so a
number seen from the controller (ps, ls -n) never names one of the machine's own accounts.
"""
import os
import re
import shutil

from .util import LabError, write_file

ETC_FILES = ("passwd", "group", "shadow", "gshadow")
NAME_RE = r"[a-z_][a-z0-9_-]{0,30}"
OWNER_IDS = range(999, 899, -1)     # system accounts (Debian: 100-999), from the top down
OPERATOR_IDS = range(2000, 3000)    # ordinary accounts, away from the machine's 1000+
SUDOERS_FILE = "apigw-lab-operator"
DEFAULT_OPERATOR = "ops"


def _names_and_ids(path):
    """{name: id} of /etc/passwd or /etc/group (field 3 is the uid / gid)."""
    out = {}
    with open(path) as handle:
        for line in handle:
            fields = line.rstrip("\n").split(":")
            if len(fields) > 2 and fields[2].isdigit():
                out[fields[0]] = int(fields[2])
    return out


def plan(owner, operator, etc="/etc"):
    """{"owner": {...}, "operator": {...}} with name, uid, gid, home; LabError names the option."""
    if owner is None:
        if operator is not None:
            raise LabError("--operator %s needs --owner (the account that owns the installation)"
                           % operator)
        return None
    operator = operator or DEFAULT_OPERATOR
    users, groups = _names_and_ids(etc + "/passwd"), _names_and_ids(etc + "/group")
    for option, name in (("--owner", owner), ("--operator", operator)):
        if not re.fullmatch(NAME_RE, name):
            raise LabError("%s %r: use a user name like axway (lower-case letters, digits, _ -)"
                           % (option, name))
        if name in users or name in groups:
            raise LabError("%s %s: this machine already has a user or group %s (%s/passwd, "
                           "%s/group); pick another name" % (option, name, name, etc, etc))
    if owner == operator:
        raise LabError("--owner and --operator are both %s: the operator is a second account"
                       % owner)
    taken = set(users.values()) | set(groups.values())
    out = {}
    for role, name, ids in (("owner", owner, OWNER_IDS), ("operator", operator, OPERATOR_IDS)):
        number = next(i for i in ids if i not in taken)
        taken.add(number)
        out[role] = {"name": name, "uid": number, "gid": number, "home": "/home/" + name}
    return out


def lab_json(accounts):
    """lab.json "accounts": {"owner": NAME, "operator": NAME, "ids": {NAME: {uid, gid, home}}}."""
    if not accounts:
        return None
    return {"owner": accounts["owner"]["name"], "operator": accounts["operator"]["name"],
            "ids": {a["name"]: {"uid": a["uid"], "gid": a["gid"], "home": a["home"]}
                    for a in accounts.values()}}


def passwd_lines(accounts):
    lines = {"passwd": [], "group": [], "shadow": [], "gshadow": []}
    for role, a in sorted(accounts.items()):
        comment = "apigw lab %s" % role
        lines["passwd"].append("%s:x:%d:%d:%s:%s:/bin/bash" % (a["name"], a["uid"], a["gid"],
                                                               comment, a["home"]))
        lines["group"].append("%s:x:%d:" % (a["name"], a["gid"]))
        # '*': no password, but not locked ('!'): sshd without PAM refuses locked accounts
        lines["shadow"].append("%s:*:19000:0:99999:7:::" % a["name"])
        lines["gshadow"].append("%s:!::" % a["name"])
    return lines


def prepare_host(hdir, accounts, public_key, etc="/etc"):
    """$hdir/etc/{passwd,group,shadow,gshadow,sudoers.d/} and $hdir/home/<name>/.ssh."""
    if not os.path.isdir(etc + "/sudoers.d") or not os.path.exists("/usr/bin/sudo"):
        raise LabError("--owner: sudo is not installed on this machine (/usr/bin/sudo, "
                       "%s/sudoers.d); run scripts/bootstrap" % etc)
    mine = hdir / "etc"
    (mine / "sudoers.d").mkdir(parents=True, exist_ok=True)
    for name, extra in passwd_lines(accounts).items():
        shutil.copy2(os.path.join(etc, name), str(mine / name))   # keeps mode (shadow 0640)
        st = os.stat(os.path.join(etc, name))
        os.chown(str(mine / name), st.st_uid, st.st_gid)
        with open(str(mine / name), "a") as handle:
            handle.write("".join(line + "\n" for line in extra))
    for name in os.listdir(etc + "/sudoers.d"):
        shutil.copy2(os.path.join(etc, "sudoers.d", name), str(mine / "sudoers.d" / name))
    os.chmod(str(mine / "sudoers.d"), 0o755)
    # sudo ignores sudoers.d files that are group/world-writable or not root's: 0440 root
    write_file(mine / "sudoers.d" / SUDOERS_FILE,
               "# apigw lab operator (labctl up --owner): passwordless, no terminal needed\n"
               "%s ALL=(ALL:ALL) NOPASSWD: ALL\n" % accounts["operator"]["name"], 0o440)
    (hdir / "home").mkdir(exist_ok=True)
    os.chmod(str(hdir / "home"), 0o755)
    for a in accounts.values():
        home = hdir / a["home"].lstrip("/")
        (home / ".ssh").mkdir(parents=True, exist_ok=True)
        write_file(home / ".ssh" / "authorized_keys", public_key + "\n", 0o600)
        chown_tree(home, a["uid"], a["gid"])
        os.chmod(str(home), 0o750)
        os.chmod(str(home / ".ssh"), 0o700)


def bind_files(hdir):
    """[(source, target)] hosts.INNER binds when the host has accounts (made by prepare_host)."""
    mine = hdir / "etc"
    if not (mine / "passwd").exists():
        return []
    out = [(mine / name, "/etc/" + name) for name in ETC_FILES]
    return out + [(mine / "sudoers.d", "/etc/sudoers.d"), (hdir / "home", "/home")]


def chown_tree(path, uid, gid):
    """path and everything below it to uid:gid (symlinks themselves, never their targets)."""
    os.lchown(str(path), uid, gid)
    for top, dirs, files in os.walk(str(path)):
        for name in dirs + files:
            os.lchown(os.path.join(top, name), uid, gid)


def owned_roots(lab):
    """What the installations consist of, as host paths: each tree's /opt/<top> folder (the
    vendor installs under /opt/Axway-<version>; apigateway is one component of it)."""
    tops = []
    for tree in (lab["old_dir"], lab["new_dir"]):
        top = "/".join(tree.split("/")[:3])
        if top not in tops:
            tops.append(top)
    return tops


def chown_install(opt_root, lab, accounts):
    """Both trees and the lab's /opt/apigw-lab (faults, audit log, API Manager data, which the
    owner's processes write) to the owner; the audit log exists first so that a root sysupgrade
    cannot create it root-only."""
    owner = accounts["owner"]
    lab_root = opt_root / "apigw-lab"
    lab_root.mkdir(exist_ok=True)
    (lab_root / "audit.log").touch()
    for top in owned_roots(lab) + ["/opt/apigw-lab"]:
        path = opt_root / top[len("/opt/"):]
        if path.exists():
            chown_tree(path, owner["uid"], owner["gid"])


def run_as(lab, argv):
    """argv run as the installation's owner inside a host (setpriv: no PAM, no terminal), or
    argv itself when the lab has no accounts. HOME/USER as a login would set them."""
    accounts = lab.get("accounts")
    if not accounts:
        return list(argv)
    owner = dict(accounts["ids"][accounts["owner"]], name=accounts["owner"])
    return ["setpriv", "--reuid", str(owner["uid"]), "--regid", str(owner["gid"]),
            "--init-groups", "env", "HOME=" + owner["home"], "USER=" + owner["name"],
            "LOGNAME=" + owner["name"]] + list(argv)
