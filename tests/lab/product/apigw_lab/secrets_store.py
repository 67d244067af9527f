"""Secrets at rest: salted SHA-256 only, never the value (DESIGN.md "Files on one lab host").

The admin user store (INSTALL/conf/lab-admin-users.json) and the fake domain CA keystore
(groups/certs/private/domain.p12, contract §1 / upgrade_faq.md "Which is the first Admin Node
Manager?") both hold a salt and a digest, so the lab can check a password or passphrase without
ever writing it down.
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


def domain_key_record(passphrase):
    """Content of the fake domain.p12: proves the passphrase without holding it."""
    salt = new_salt()
    return {"format": "apigw-lab fake PKCS#12 (domain CA)", "salt": salt,
            "sha256": digest(passphrase, salt)}


def write_domain_key(path, record):
    jsonfile.save(path, record, mode=0o600)


def unlocks(path_or_record, passphrase):
    record = path_or_record
    if not isinstance(record, dict):
        record = jsonfile.load(record)
    return matches(passphrase, record)
