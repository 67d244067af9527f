"""API Manager on an API Manager-enabled gateway instance: its REST API on HTTPS port 8075
(upgrade_steps_extcass.md Step 6 "Verify the multi-node upgrade": "Connect to the API Manager web
console (for example, on https://HOST:8075/). Log in as an administrator user and view the
organizations, application developers, and applications"; config_files_reference.md names
GET /api/portal/v1.3/proxies).

Endpoints (HTTP basic auth as an API Manager administrator; 401 otherwise):
  GET /api/portal/v1.3/organizations   [{"id", "name", "description", "email", "enabled",
                                         "development"}]
  GET /api/portal/v1.3/applications    [{"id", "name", "organizationId", "description",
                                         "enabled", "state"}]
  GET /api/portal/v1.3/proxies         [{"id", "name", "organizationId", "path", "version",
                                         "state", "apiRoutingKey"}] (the published APIs)

The data is shared data: the vendor's sample keeps API Manager data in Cassandra, outside both
installations, so the old and the new API Manager read the same records (ASSUMED place:
/opt/apigw-lab/apimanager/data.json on the API Manager host, seeded by install_host). The API
Manager administrators are in /opt/apigw-lab/apimanager/users.json (salted hash, 0600; labctl
generates user apiadmin and its password; inventory apigw_apimanager_username/_password).
The server presents the installation's Node Manager certificate (signed by the domain CA), like
the other management ports. Python 3.6, stdlib only.
"""
import base64
import os
import uuid

from . import jsonfile, net, paths, secrets_store
from .httpserve import Handler, Server

PORT = 8075
DATA_DIR = "apimanager"          # under /opt/apigw-lab
PREFIX = "/api/portal/v1.3/"
KINDS = ("organizations", "applications", "proxies")

SEED_ORGS = [("API Development", "Internal API team"), ("Acme Partners", "Partner company"),
             ("Globex Mobile", "Mobile app developers")]
SEED_APPS = [("Orders Portal", 0), ("Acme Integration", 1), ("Acme Reporting", 1),
             ("Globex iOS", 2)]
SEED_APIS = [("Customer Orders", "/orders", 0), ("Stock Quotes", "/quotes", 0),
             ("Partner Catalogue", "/partners/catalogue", 1)]


def data_dir():
    return os.path.join(paths.lab_root(), DATA_DIR)


def seed():
    orgs = [{"id": str(uuid.uuid4()), "name": n, "description": d,
             "email": "contact@%s.example.com" % n.split()[0].lower(), "enabled": True,
             "development": i == 0} for i, (n, d) in enumerate(SEED_ORGS)]
    apps = [{"id": str(uuid.uuid4()), "name": n, "organizationId": orgs[o]["id"],
             "description": "%s application" % n, "enabled": True, "state": "approved"}
            for n, o in SEED_APPS]
    apis = [{"id": str(uuid.uuid4()), "name": n, "organizationId": orgs[o]["id"], "path": p,
             "version": "1.0", "state": "published", "apiRoutingKey": None}
            for n, p, o in SEED_APIS]
    return {"organizations": orgs, "applications": apps, "proxies": apis}


def install_data(directory, cfg):
    """Seed data.json and users.json (called by install_host on the API Manager host)."""
    if not os.path.isdir(directory):
        os.makedirs(directory)
    jsonfile.save(os.path.join(directory, "data.json"), seed(), mode=0o644)
    secrets_store.write_users(os.path.join(directory, "users.json"), cfg["username"],
                              cfg["password"])


class ApiManagerHandler(Handler):
    def do_GET(self):
        path = self.path.split("?")[0].rstrip("/")
        if not path.startswith(PREFIX.rstrip("/")):
            return self.send_json(404, {"errors": [{"code": 404, "message": "Not found"}]})
        if not self.logged_in():
            return self.send_json(401, {"errors": [{"code": 401, "message": "Unauthorized"}]})
        kind = path[len(PREFIX):]
        if kind not in KINDS:
            return self.send_json(404, {"errors": [{"code": 404, "message": "Not found"}]})
        data = jsonfile.load(os.path.join(data_dir(), "data.json"))
        if not isinstance(data, dict):
            return self.send_json(500, {"errors": [{"code": 500, "message":
                                                    "API Manager data store not available"}]})
        return self.send_json(200, data.get(kind, []))

    def logged_in(self):
        header = self.headers.get("Authorization") or ""
        if not header.startswith("Basic "):
            return False
        try:
            user, _sep, pw = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return secrets_store.check_login(os.path.join(data_dir(), "users.json"), user, pw)


def is_api_manager(install, group_id):
    """The group's configuration enables API Manager (groups/<group-id>/lab-config.json)."""
    cfg = jsonfile.load(install.p("groups", group_id, "lab-config.json"), {}) or {}
    return bool(cfg.get("api_manager"))


def servers(install, inst):
    """[] or [the 8075 HTTPS server] for one gateway instance."""
    if not is_api_manager(install, inst["group_id"]):
        return []
    return [Server(("0.0.0.0", PORT), ApiManagerHandler, ssl_context=net.server_context(install))]
