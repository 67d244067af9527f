"""The command line of the scripts that generate a file of the repository from its one source
(inventory_table.py, troubleshooting_doc.py): rewrite it, or with --check say it is stale."""
import argparse
import sys


def main(argv, description, path, wanted, what, command):
    """Rewrite ``path`` with ``wanted`` (or, with --check, exit 1 when it differs); ``what`` names
    the file in messages, ``command`` is how to regenerate it."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help="exit 1 when %s is stale" % what)
    args = parser.parse_args(argv)
    current = path.read_text() if path.exists() else ""
    if args.check:
        if wanted != current:
            print("%s is stale: run %s" % (what, command), file=sys.stderr)
            return 1
        return 0
    if wanted != current:
        path.write_text(wanted)
        print("%s rewritten" % what)
    return 0
