"""Secrets at rest: salted SHA-256 only, never the value (DESIGN.md "Files on one lab host").

The admin user store (INSTALL/conf/lab-admin-users.json) and the Cassandra stand-in's user store
(/opt/apigw-lab/cassandra-users.json, with labctl up --cassandra-auth) hold a salt and a digest,
so the lab can check a password without ever writing it down. The domain CA key is a real
PKCS#12 file (pki.py).
"""
import binascii
import hashlib
import hmac
import os

from . import jsonfile


def digest(secret, salt):
    return hashlib.sha256((salt + ":" + secret).encode("utf-8")).hexdigest()


def new_salt():
    return binascii.hexlify(os.urandom(16)).decode("ascii")


def matches(secret, record):
    if not record or secret is None:
        return False
    return hmac.compare_digest(digest(secret, record["salt"]), record["sha256"])


def write_users(path, username, password):
    salt = new_salt()
    jsonfile.save(path, {"users": [{"username": username, "salt": salt,
                                    "sha256": digest(password, salt)}]}, mode=0o600)


def check_login(path, username, password):
    for user in (jsonfile.load(path, {}) or {}).get("users", []):
        if user.get("username") == username and matches(password, user):
            return True
    return False
