"""Secrets at rest: salted SHA-256 only, never the value (DESIGN.md "Files on one lab host").

The admin user store (INSTALL/conf/adminUsers.json, config_files_reference.md "Admin users"),
the Cassandra stand-in's user store (/opt/apigw-lab/cassandra-users.json, with labctl up
--cassandra-auth) and the API Manager's (/opt/apigw-lab/apimanager/users.json) hold a salt and a
digest, so the lab can check a password without ever writing it down. The domain CA key is a real
PKCS#12 file (pki.py).

adminUsers.json (ASSUMED shape; the page names the file only): {"productVersion": V,
"adminUsers": [{"id": "user-1", "name": "admin", "roles": [...], "passwordHash": {"salt",
"sha256"}}]}: the names (and roles) are readable without any secret.
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


ADMIN_ROLES = ["API Server Administrator", "KPS Administrator", "Policy Developer"]
OPERATOR_ROLES = ["API Server Operator"]


def admin_record(number, name, password, roles):
    salt = new_salt()
    return {"id": "user-%d" % number, "name": name, "roles": list(roles),
            "passwordHash": {"salt": salt, "sha256": digest(password, salt)}}


def write_admin_users(path, version, records):
    """conf/adminUsers.json with these records (admin_record dicts)."""
    jsonfile.save(path, {"productVersion": version, "adminUsers": list(records)}, mode=0o600)


def admin_users(path):
    """The records of an adminUsers.json ([] when absent)."""
    data = jsonfile.load(path, {}) or {}
    return list(data.get("adminUsers", [])) if isinstance(data, dict) else []


def admin_names(path):
    return [u.get("name") for u in admin_users(path)]


def check_login(path, username, password):
    """A users file (cassandra-users.json, apimanager users) or an adminUsers.json."""
    data = jsonfile.load(path, {}) or {}
    for user in data.get("users", []):
        if user.get("username") == username and matches(password, user):
            return True
    for user in data.get("adminUsers", []):
        if user.get("name") == username and matches(password, user.get("passwordHash")):
            return True
    return False
