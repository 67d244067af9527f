"""Print the collection tarball the galaxy requirements of an execution environment's build context
name (ansible-builder create's _build/requirements.yml), after checking that the context holds it:
    python3 scripts/ee_tarball.py CONTEXT/_build
Used by scripts/check-awx."""
import os
import sys

import yaml


def main(build):
    with open(os.path.join(build, "requirements.yml")) as handle:
        collections = yaml.safe_load(handle)["collections"]
    wanted = [c["name"] for c in collections if c.get("type") == "file"]
    missing = [name for name in wanted if not os.path.isfile(os.path.join(build, name))]
    if len(wanted) != 1 or missing:
        sys.exit("the execution environment's galaxy requirements name the tarballs %s; not in its build "
                 "context %s: %s" % (wanted, build, missing))
    print(wanted[0])


if __name__ == "__main__":
    main(sys.argv[1])
