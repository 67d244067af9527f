"""An API Gateway instance: management port (HTTPS, default 8085) and the health check
http://HOST:8080/healthchecklb (manage_operations.md "zero downtime shutdown": 200 when healthy,
503 once shutdown starts; DESIGN.md: the lab drains for 1 s)."""
import threading

from . import net
from .httpserve import Handler, Server

DRAIN_SECONDS = 1.0


class GatewayState(object):
    def __init__(self, install, inst):
        self.install = install
        self.inst = inst
        self.info = install.host_info()
        self.draining = threading.Event()


class HealthHandler(Handler):
    def do_GET(self):
        if self.path.split("?")[0] != "/healthchecklb":
            return self.send_json(404, {"error": "Not found"})
        if self.server.state.draining.is_set():
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
