# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Point the API Gateway service scripts at the new installation (vendor: "Upgrade services").

upgrade_steps_extcass.md, "After you upgrade", "Upgrade services": ``sysupgrade`` leaves the service
scripts of the old installation alone; in each ``/etc/init.d/vshell-*`` script ``VDISTDIR`` (the
``apigateway`` folder) and, for a gateway, ``VINSTDIR`` (its instance folder) must be changed from
the old installation to the new one, for example ``VDISTDIR="/opt/Axway-7.2.2/apigateway`` to
``VDISTDIR="/opt/Axway-7.7/apigateway``. Hosts run by systemd may have unit files (written by hand or
by ``managedomain``) naming the old folder in ``ExecStart=`` or ``Environment=VDISTDIR=``: they are
rewritten the same way.

A path is moved only on a path boundary: the old folder itself or something under it
(``OLD`` or ``OLD/...``), never ``OLDX`` (``/opt/Axway-7.5.3/apigatewayX`` is another folder).

Shell and unit files are line-oriented text, so this is text processing, line by line; every other
byte of the file (other lines, quoting, comments, line endings) is kept. Python 3.6+, standard
library only (runs on the node).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import os
import re

from ansible_collections.apigw.sysupgrade.plugins.module_utils import safe_write

VARIABLES = ("VDISTDIR", "VINSTDIR")
INIT_PATTERN = "vshell-*"
SYSTEMD_PATTERNS = ("*.service",)
# A drop-in (NAME.service.d/*.conf) can set Environment= for a unit as well as the unit itself.
SYSTEMD_DROPIN_DIR_SUFFIX = ".service.d"
SYSTEMD_DROPIN_PATTERN = "*.conf"

# An assignment at the start of a shell line: optional indentation and "export ", the variable,
# "=", an optional quote, then the value up to the matching quote (or, with the vendor's own
# unterminated example `VDISTDIR="/opt/Axway-7.2.2/apigateway`, up to the end of the line), or
# unquoted up to a blank or a shell separator.
ASSIGNMENT = re.compile(
    r"""^(?P<lead>[ \t]*(?:export[ \t]+)?)(?P<var>VDISTDIR|VINSTDIR)=
        (?:(?P<q>["'])(?P<qval>[^"'\r\n]*)|(?P<val>[^\s;&|#"'`]*))""",
    re.X)

# Characters that may continue a path name: a match of OLD followed by one of them is another
# folder (OLDX, OLD-backup, OLD.1). "/" is the boundary that makes OLD/... a match.
PATH_CHARS = r"\w.+\-~@%"


class ServiceScriptError(Exception):
    """Bad input, with a message naming the option and the path."""


def normalise(path):
    return path.rstrip("/") or "/"


def check_dirs(old_install_dir, new_install_dir):
    """An error text naming the option, or None."""
    for option, value in (("old_install_dir", old_install_dir), ("new_install_dir", new_install_dir)):
        if not os.path.isabs(value):
            return "%s: %s is not an absolute path" % (option, value)
    old, new = normalise(old_install_dir), normalise(new_install_dir)
    if old == new:
        return "new_install_dir: %s is the same folder as old_install_dir" % new
    # Rewriting OLD to NEW where NEW is under OLD would match its own result on every later run.
    if under(new, old):
        return "new_install_dir: %s is inside old_install_dir %s; a second run would move it again" % (new, old)
    return None


def under(value, folder):
    """True when ``value`` is ``folder`` or a path under it (path boundary)."""
    folder = normalise(folder)
    return value == folder or value.startswith(folder.rstrip("/") + "/")


def moved(value, old, new):
    """``value`` with the ``old`` prefix replaced by ``new`` (only on a path boundary), else unchanged."""
    old, new = normalise(old), normalise(new)
    if value == old:
        return new
    if value.startswith(old.rstrip("/") + "/"):
        return new.rstrip("/") + value[len(old.rstrip("/")):]
    return value


def points_at(values, old, new):
    """``old``, ``new``, ``mixed`` or ``neither`` for the values of VDISTDIR/VINSTDIR found."""
    places = set()
    for value in values:
        if under(value, old):
            places.add("old")
        elif under(value, new):
            places.add("new")
        else:
            places.add("neither")
    if not places or places == {"neither"}:
        return "neither"
    places.discard("neither")
    return places.pop() if len(places) == 1 else "mixed"


def _split_eol(line):
    stripped = line.rstrip("\r\n")
    return stripped, line[len(stripped):]


def rewrite_init_script(text, old, new):
    """(new text, {var: value before}, {var: value after}, lines still naming OLD outside them).

    Only ``VDISTDIR=`` / ``VINSTDIR=`` assignments at the start of a line change; the value found
    last wins in the maps, as it would in the shell."""
    before, after, out, others = {}, {}, [], 0
    for line in text.splitlines(True):
        body, eol = _split_eol(line)
        match = ASSIGNMENT.match(body)
        if not match:
            if not body.lstrip().startswith("#") and find_old(body, old):
                others += 1
            out.append(line)
            continue
        quoted = match.group("q") is not None
        value = match.group("qval") if quoted else match.group("val")
        new_value = moved(value, old, new)
        before[match.group("var")] = value
        after[match.group("var")] = new_value
        start, end = match.span("qval" if quoted else "val")
        out.append(body[:start] + new_value + body[end:] + eol)
        if find_old(body[end:], old):
            others += 1
    return "".join(out), before, after, others


def _boundary_pattern(old):
    old = re.escape(normalise(old).rstrip("/"))
    return re.compile(r"(?<![%s/])%s(?![%s])" % (PATH_CHARS, old, PATH_CHARS))


def find_old(text, old):
    """True when ``text`` names ``old`` on a path boundary."""
    return _boundary_pattern(old).search(text) is not None


def names_folder(text, folder):
    """True when a non-comment line of ``text`` names ``folder`` on a path boundary."""
    pattern = _boundary_pattern(folder)
    return any(pattern.search(line) for line in text.splitlines()
               if not line.lstrip().startswith(("#", ";")))


def rewrite_unit(text, old, new):
    """New text: every reference to OLD on a path boundary in a non-comment line becomes NEW."""
    pattern = _boundary_pattern(old)
    new_prefix = normalise(new).rstrip("/")
    out = []
    for line in text.splitlines(True):
        stripped = line.lstrip()
        if stripped.startswith("#") or stripped.startswith(";"):
            out.append(line)
            continue
        out.append(pattern.sub(lambda _m: new_prefix, line))
    return "".join(out)


def unit_settings(text, folders):
    """{name: value} of the unit lines that name one of ``folders`` (path boundary), to report them:
    each ``VAR=value`` of an ``Environment=`` line under its variable name (VDISTDIR, VINSTDIR),
    any other ``Key=value`` under its key (ExecStart, WorkingDirectory...). The last one wins."""
    patterns = [_boundary_pattern(f) for f in folders]
    found = {}
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("#", ";")) or "=" not in stripped \
                or not any(p.search(stripped) for p in patterns):
            continue
        key, value = [part.strip() for part in stripped.split("=", 1)]
        if key == "Environment":
            for var, val in ENVIRONMENT_ITEM.findall(value):
                val = val.strip("\"'")
                if any(p.search(val) for p in patterns):
                    found[var] = val
        else:
            found[key] = value
    return found


# One VAR=value item of an Environment= line: quoted as a whole ("VAR=value with blanks"), or not.
ENVIRONMENT_ITEM = re.compile(r"""["']?([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s"']*)""")


def init_scripts(init_dir):
    """Sorted paths of the ``vshell-*`` files of ``init_dir`` (none when it does not exist)."""
    if not os.path.isdir(init_dir):
        return []
    return sorted(os.path.join(init_dir, name) for name in os.listdir(init_dir)
                  if fnmatch.fnmatchcase(name, INIT_PATTERN) and not safe_write.is_ours(name)
                  and os.path.isfile(os.path.join(init_dir, name)))


def unit_files(systemd_dir):
    """Sorted paths of the ``*.service`` files of ``systemd_dir`` and of their drop-ins
    (``NAME.service.d/*.conf``). Links into ``*.wants/`` folders are not listed: they are the same
    units, seen through their link in the top folder or in the unit path systemd reads them from."""
    if not os.path.isdir(systemd_dir):
        return []
    found = []
    for name in sorted(os.listdir(systemd_dir)):
        full = os.path.join(systemd_dir, name)
        if safe_write.is_ours(name):
            continue
        if any(fnmatch.fnmatchcase(name, p) for p in SYSTEMD_PATTERNS) and os.path.isfile(full):
            found.append(full)
        elif name.endswith(SYSTEMD_DROPIN_DIR_SUFFIX) and os.path.isdir(full):
            for conf in sorted(os.listdir(full)):
                path = os.path.join(full, conf)
                if fnmatch.fnmatchcase(conf, SYSTEMD_DROPIN_PATTERN) and not safe_write.is_ours(conf) \
                        and os.path.isfile(path):
                    found.append(path)
    return found


def read_text(path):
    """The file's text. Bytes that are not UTF-8 are kept as they are through surrogateescape."""
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "surrogateescape")


def encode(text):
    return text.encode("utf-8", "surrogateescape")


def plan(init_dir, systemd_dir, old, new):
    """One entry per script: {path, real_path, kind, before, after, points_at, text, new_text,
    other_old_references}. ``text``/``new_text`` are for the caller to write and diff; a script
    whose ``new_text`` equals ``text`` needs nothing. Every ``vshell-*`` script is listed; a unit
    only when it names the old or the new folder (the others are not the gateway's)."""
    entries, seen = [], set()
    for kind, paths in (("init.d", init_scripts(init_dir)), ("systemd", unit_files(systemd_dir))):
        for path in paths:
            # A link is followed and its target edited (the link stays); two links to one file
            # are one script.
            real = os.path.realpath(path)
            if real in seen:
                continue
            seen.add(real)
            text = read_text(real)
            if kind == "init.d":
                new_text, before, after, others = rewrite_init_script(text, old, new)
                where = points_at(before.values(), old, new)
            else:
                if not (names_folder(text, old) or names_folder(text, new)):
                    continue
                new_text, others = rewrite_unit(text, old, new), 0
                before, after = unit_settings(text, (old, new)), unit_settings(new_text, (old, new))
                where = "old" if names_folder(text, old) else "new"
            entries.append(dict(path=path, real_path=real, kind=kind, before=before, after=after,
                                points_at=where, text=text, new_text=new_text,
                                other_old_references=others))
    return entries
