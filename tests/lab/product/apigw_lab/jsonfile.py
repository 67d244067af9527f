"""Small JSON file helpers: atomic writes so a killed process never leaves half a file."""
import json
import os


def load(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (IOError, OSError, ValueError):
        return default


def save(path, data, mode=None):
    d = os.path.dirname(path)
    if d and not os.path.isdir(d):
        os.makedirs(d)
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.write("\n")
    if mode is not None:
        os.chmod(tmp, mode)
    os.rename(tmp, path)
