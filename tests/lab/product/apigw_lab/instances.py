"""Gateway instances registered in one installation: INSTALL/groups/<group-id>/<instance-id>/
conf/service.xml (contract §1, upgrade_errors.md "Check for customizations to jvm.xml and
service.xml"). The lab's service.xml carries the instance's identity and ports as attributes."""
import glob
import os
import xml.etree.ElementTree as ET

TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<!-- API Gateway instance settings (apigw lab stand-in for VINSTDIR/conf/service.xml) -->
<Service name="{name}" id="{id}" group="{group}" groupId="{group_id}"
         managementPort="{management_port}" healthcheckPort="{healthcheck_port}">
  <SystemSettings tracelevel="INFO"/>
  <ConnectToURL url="https://localhost:{management_port}/"/>
</Service>
"""


def service_xml(install, group_id, instance_id):
    return install.p("groups", group_id, instance_id, "conf", "service.xml")


def write(install, inst):
    path = service_xml(install, inst["group_id"], inst["id"])
    d = os.path.dirname(path)
    if not os.path.isdir(d):
        os.makedirs(d)
    with open(path, "w") as f:
        f.write(TEMPLATE.format(**inst))
    return path


def read(path):
    a = ET.parse(path).getroot().attrib
    return {"name": a["name"], "id": a["id"], "group": a["group"], "group_id": a["groupId"],
            "management_port": int(a["managementPort"]),
            "healthcheck_port": int(a["healthcheckPort"]), "service_xml": path}


def all_of(install):
    found = []
    for path in sorted(glob.glob(install.p("groups", "group-*", "instance-*", "conf",
                                           "service.xml"))):
        try:
            found.append(read(path))
        except (ET.ParseError, KeyError, ValueError, IOError):
            continue
    return found


def find(install, group, name):
    for inst in all_of(install):
        if inst["name"] == name and inst["group"] == group:
            return inst
    return None


def component(inst):
    return "gateway-%s-%s" % (inst["group_id"], inst["id"])
