"""Measure the streaming log parser on a large sysupgrade log, and print it (a benchmark, not a test).

Usage: python3 tests/benchmarks/log_parser.py [--mb 300] [--max-issues 50]

Writes a log of about --mb megabytes in the shapes of upgrade_errors.md (sections, multi-line WARN
and ERROR messages, informational text, trace lines, one very long line), parses it with
plugins/module_utils/log_parser.parse_log_file in a fresh Python process, and prints the time, the
peak resident memory of that process (Linux: VmHWM) and what the parser counted. The claim it
measures: memory stays bounded whatever the log's size (issue 3), so the step modules can read logs
of hundreds of MB on a gateway node and still hand AWX a small result.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BLOCK = (
    "2026-11-30 10:00:00,000 INFO  [main] sysupgrade: checking group configuration\n"
    "[System Config] : OK\n"
    "[INFORMATIONAL] messages from [System Config] : Not migrating the following instance-specific service.xml files:\n"
    "/opt/Axway-7.5.3/apigateway/groups/group-2/instance-1/conf/service.xml\n"
    "[WARNING] messages from [System Config] :\n"
    "WARN: Migrating the following instance-specific jvm.xml files from the old system:\n"
    "WARN:     /opt/Axway-7.5.3/apigateway/groups/group-2/instance-1/conf/jvm.xml\n"
    "\n"
    "[ERROR] messages from [API Manager] :\n"
    "ERROR: Found duplicate 'apiadmin' users in KPS table: /opt/Axway-7.7/apigateway/upgrade/bin/out/upgrade/kps/x_json\n"
    "ERROR: There is a KPS configuration problem on the old system.\n"
    "\n"
)

# The child's peak resident memory is read from /proc/self/status (VmHWM): unlike ru_maxrss, which
# Linux carries over from the parent across fork and exec, it belongs to this process alone.
CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import log_parser
def hwm_kib():
    with open("/proc/self/status") as status:
        return int([l for l in status if l.startswith("VmHWM:")][0].split()[1])
before = hwm_kib()
start = time.monotonic()
parsed = log_parser.parse_log_file(sys.argv[2], max_issues=int(sys.argv[3]))
elapsed = time.monotonic() - start
peak = hwm_kib()
kept = {s: sum(1 for i in parsed["issues"] if i["severity"] == s) for s in ("error", "warning", "info")}
print(json.dumps({"seconds": elapsed, "peak_kib": peak, "start_kib": before, "counts": parsed["counts"],
                  "kept": kept, "result_bytes": len(json.dumps(parsed))}))
"""


def write_log(path, megabytes):
    target = megabytes * 1024 * 1024
    with open(path, "w") as handle:
        written = 0
        chunk = BLOCK * 2000
        while written < target:
            handle.write(chunk)
            written += len(chunk)
        handle.write("x" * (8 * 1024 * 1024) + "\n")  # one 8 MB line: cut, not held
    return os.path.getsize(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=300)
    parser.add_argument("--max-issues", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        log = os.path.join(scratch, "upgrade.log")
        size = write_log(log, args.mb)
        module_utils = os.path.join(REPO, "plugins", "module_utils")
        started = time.monotonic()
        out = subprocess.run([sys.executable, "-c", CHILD, module_utils, log, str(args.max_issues)],
                             check=True, capture_output=True, text=True).stdout
        wall = time.monotonic() - started
    data = json.loads(out)
    print("log: %.0f MB, %d errors, %d warnings, %d info findings (counted)" % (
        size / 1e6, data["counts"]["error"], data["counts"]["warning"], data["counts"]["info"]))
    print("kept in the result: %s (max_issues %d); result %d bytes as JSON" % (data["kept"], args.max_issues, data["result_bytes"]))
    print("parse: %.1f s (%.0f MB/s); process wall %.1f s" % (data["seconds"], size / 1e6 / data["seconds"], wall))
    print("peak resident memory of the parsing process: %.1f MiB (%.1f MiB before parsing)" % (
        data["peak_kib"] / 1024.0, data["start_kib"] / 1024.0))


if __name__ == "__main__":
    main()
