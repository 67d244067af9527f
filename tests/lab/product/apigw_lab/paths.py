"""Where things live in one apigateway installation (contract §1, DESIGN.md "Files on one lab host").

An Install is built from the installation's own folder, which the launchers find from their own
path, so every tree (OLD or NEW) only ever reads and writes inside itself.
"""
import json
import os

# DESIGN.md: fault switches and the audit log live in /opt/apigw-lab on each host. The variable
# exists only so the suite can run the product outside a lab host; labctl never sets it.
LAB_ROOT_ENV = "APIGW_LAB_ROOT"


def lab_root():
    return os.environ.get(LAB_ROOT_ENV, "/opt/apigw-lab")


def faults_file():
    return os.path.join(lab_root(), "faults.json")


def audit_file():
    return os.path.join(lab_root(), "audit.log")


def install_of_launcher(launcher):
    """INSTALL/posix/bin/X and INSTALL/upgrade/bin/X both sit two levels below INSTALL."""
    here = os.path.dirname(os.path.realpath(launcher))
    return os.path.dirname(os.path.dirname(here))


class Install(object):
    """One apigateway folder (OLD such as /opt/Axway-7.5.3/apigateway, or NEW)."""

    def __init__(self, root):
        self.root = os.path.abspath(root)

    def p(self, *parts):
        return os.path.join(self.root, *parts)

    # contract §1 table
    @property
    def conf(self):
        return self.p("conf")

    @property
    def licenses(self):
        return self.p("conf", "licenses")

    @property
    def acl(self):
        return self.p("conf", "acl.json")

    @property
    def users_file(self):
        # config_files_reference.md "Admin users" (shape ASSUMED: secrets_store.py)
        return self.p("conf", "adminUsers.json")

    @property
    def system_conf(self):
        return self.p("system", "conf")

    @property
    def jvm_xml(self):
        return self.p("system", "conf", "jvm.xml")

    @property
    def host_file(self):
        return self.p("system", "conf", "lab-host.json")

    @property
    def ext_lib(self):
        return self.p("ext", "lib")

    @property
    def groups(self):
        return self.p("groups")

    @property
    def topology_file(self):
        return self.p("groups", "topology.json")

    @property
    def domain_p12(self):
        # upgrade_faq.md "Which is the first Admin Node Manager?": the domain CA private key and
        # certificate, on the first Admin Node Manager only (a real PKCS#12, pki.py)
        return self.p("groups", "certs", "private", "domain.p12")

    # ASSUMED names (the docs are silent): this Node Manager's TLS key and certificate (signed
    # by the domain CA) and the domain CA certificate it checks its peers with. OLD: written by
    # install.py; NEW: by apply (upgrade_errors.md "SSL certificates ... regenerated").
    @property
    def certs_dir(self):
        return self.p("groups", "certs")

    @property
    def domain_cert(self):
        return self.p("groups", "certs", "domaincert.pem")

    @property
    def topology_cert(self):
        return self.p("groups", "certs", "topology-cert.pem")

    @property
    def topology_key(self):
        return self.p("groups", "certs", "private", "topology-key.pem")

    @property
    def lib_dir(self):
        return self.p("system", "lib", "lab")

    @property
    def pid_dir(self):
        return self.p("logs", "lab")

    # NEW only (upgrade_script.md)
    @property
    def upgrade_bin(self):
        return self.p("upgrade", "bin")

    @property
    def out(self):
        return self.p("upgrade", "bin", "out")

    @property
    def upgrade_lib(self):
        return self.p("upgrade", "lib")

    @property
    def rbac_factory(self):
        # upgrade_errors.md names this file in the RBAC warning.
        return self.p("upgrade", "scripts", "rbac", "factory", "acl6.json")

    @property
    def backup(self):
        return self.p("upgrade_backup")

    def host_info(self):
        """{"name", "host_id", "inventory_name", "address", "productVersion"} written by install."""
        with open(self.host_file) as f:
            return json.load(f)

    def version(self):
        return self.host_info()["productVersion"]

    def is_install(self):
        return os.path.isfile(self.host_file) and os.path.isdir(self.p("posix", "bin"))
