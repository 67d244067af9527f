"""An API Gateway instance: management port (HTTPS, default 8085) and its traffic port (HTTP,
8080), which serves the health check http://HOST:8080/healthchecklb and the site's test API.

Health check (manage_operations.md "Shut down an API Gateway using zero downtime shutdown"): 200
when healthy; once shutdown starts, "The Health Check LB policy returns a 503 Service Unavailable
response ... and the load balancer stops routing to it. After the specified delay before shutdown
..., the API Gateway is shut down." The lab's delay is DRAIN_SECONDS (DESIGN.md "Processes").

Test API (DESIGN.md "Load balancer and traffic"; a site's own API deployed on every instance, as
any site checks its gateways with): `GET /version` answers 200, `application/json`, body exactly
json.dumps({"version": <this installation's productVersion>, "host": <topology name>,
"instance": <instance name>}). It keeps answering 200 during the shutdown delay: only the health
check turns 503; traffic that still reaches the instance is served (the vendor page: the delay
exists "avoiding traffic loss").
"""
import json
import threading

from . import net
from .httpserve import Handler, Server

DRAIN_SECONDS = 1.0
# After the delay the instance stops accepting and waits this long at most for requests already
# being answered, so a stop does not cut a response in the middle (ASSUMED, DESIGN.md).
INFLIGHT_GRACE_SECONDS = 5.0


class GatewayState(object):
    def __init__(self, install, inst):
        self.install = install
        self.inst = inst
        self.info = install.host_info()
        self.draining = threading.Event()

    def version_body(self):
        return json.dumps({"version": self.info["productVersion"], "host": self.info["name"],
                           "instance": self.inst["name"]}).encode("utf-8")


class HealthHandler(Handler):
    """The traffic port: /healthchecklb and the test API /version."""

    def do_GET(self):
        path = self.path.split("?")[0]
        st = self.server.state
        if path == "/version":
            return self.send_raw(200, st.version_body())
        if path != "/healthchecklb":
            return self.send_json(404, {"error": "Not found"})
        if st.draining.is_set():
            return self.send_json(503, {"status": "Service Unavailable"})
        return self.send_json(200, {"status": "ok"})


class MgmtHandler(Handler):
    def do_GET(self):
        st = self.server.state
        if self.path == "/api/lab/info":
            return self.send_json(200, {"productVersion": st.info["productVersion"],
                                        "role": "gateway", "host": st.info["name"],
                                        "instance": st.inst["name"], "group": st.inst["group"]})
        return self.send_json(404, {"error": "Not found"})


def servers(install, inst):
    st = GatewayState(install, inst)
    mgmt = Server(("0.0.0.0", inst["management_port"]), MgmtHandler,
                  ssl_context=net.server_context(install), state=st)
    health = Server(("0.0.0.0", inst["healthcheck_port"]), HealthHandler, state=st)
    return st, [mgmt, health]
