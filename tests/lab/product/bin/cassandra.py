"""Cassandra stand-in launcher, run through the shell wrapper bin/cassandra next to it
(DESIGN.md "Processes"):  tests/lab/product/bin/cassandra -d --port 9042
Uses the apigw_lab package next to this file (the controller's copy; /work is shared)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))

from apigw_lab import cassandra_stub  # noqa: E402

sys.exit(cassandra_stub.main())
