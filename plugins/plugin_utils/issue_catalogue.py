# -*- coding: utf-8 -*-
# Copyright: apigw.sysupgrade developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The documented sysupgrade messages and what an operator should do about each.

Patterns follow the message shapes of the vendor pages upgrade_errors.md and
upgrade_troubleshoot.md (the section is cited in each entry); the remediation is our own words.
A message that matches nothing is shown as it is, without advice (remediation_for returns None).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

_E = "upgrade_errors.md"
_T = "upgrade_troubleshoot.md"

# Ordered: the first match wins, so the more specific licence shapes come before the generic one.
CATALOGUE = (
    {"id": "jvm-customised", "severity": "warning", "step": "export",
     "pattern": r"jvm\.xml files? (are|is) not part of the standard|Migrating the following instance-specific jvm\.xml",
     "title": "Customised jvm.xml files",
     "remediation": "Check each listed jvm.xml on the new installation and keep only the settings still "
                    "needed. (%s, 'Check for customizations to jvm.xml and service.xml')" % _E},
    {"id": "inconsistent-group", "severity": "error", "step": "export",
     "pattern": r"Group '.*' \(.*\) is inconsistent",
     "title": "Inconsistent group",
     "remediation": "Deploy the same configuration to every gateway of the group in the old system "
                    "(Policy Studio or managedomain), then rerun export. (%s, 'Inconsistent groups'; "
                    "%s, 'Group inconsistency errors')" % (_E, _T)},
    {"id": "anm-host-invalid", "severity": "error", "step": "upgrade",
     "pattern": r"Host '.*' is not a valid host in the topology",
     "title": "Admin Node Manager host name is invalid",
     "remediation": "Set apigw_anm_host to one of the topology host names the message lists. "
                    "(%s, 'Admin Node Manager host name is invalid')" % _E},
    {"id": "anm-host-not-anm", "severity": "error", "step": "upgrade",
     "pattern": r"Host '.*' does not have an Admin Node Manager",
     "title": "Host is not an Admin Node Manager",
     "remediation": "Point apigw_anm_host at a host that runs an Admin Node Manager (one the message lists). "
                    "(%s, 'Admin Node Manager host name is invalid')" % _E},
    {"id": "apimgr-licence", "severity": "warning", "step": "upgrade",
     "pattern": r"feature \"apiportal\" not licensed",
     "title": "API Manager licence missing",
     "remediation": "Put a licence with the API Manager feature into the new conf/licenses folder, "
                    "or ignore if API Manager is not used. (%s, 'Check if API Manager license required')" % _E},
    {"id": "mcafee-licence", "severity": "warning", "step": "upgrade",
     "pattern": r"feature \"mcafee\" not licensed",
     "title": "McAfee licence missing",
     "remediation": "Add a McAfee-enabled licence to the new installation if the anti-virus filter is "
                    "used. (%s, 'Check if McAfee license required')" % _E},
    {"id": "fips-licence", "severity": "error", "step": "upgrade",
     "pattern": r"feature \"FIPS\" not licensed",
     "title": "FIPS licence missing",
     "remediation": "The old system runs in FIPS mode: add a FIPS licence to the new conf/licenses, or "
                    "leave FIPS mode on the old system first. (%s, 'Check for valid FIPS license')" % _E},
    {"id": "gateway-licence", "severity": "error", "step": "upgrade",
     "pattern": r"LicenseException \('(License not found|feature \"unrestricted\" not licensed)",
     "title": "No valid API Gateway licence",
     "remediation": "Copy a valid licence for the new version into the new installation's "
                    "conf/licenses, then rerun upgrade. (%s, 'Check for valid API Gateway license')" % _E},
    {"id": "rbac-modified", "severity": "warning", "step": "upgrade",
     "pattern": r"RBAC permissions file has been modified|must be manually merged",
     "title": "RBAC permissions file changed",
     "remediation": "Merge your acl.json changes into the new factory file by hand after upgrade. "
                    "(%s, 'Check if RBAC permissions file has changed')" % _E},
    {"id": "ssl-regenerated", "severity": "warning", "step": "upgrade",
     "pattern": r"SSL certificates used between Node Managers and API Gateways",
     "title": "Management SSL certificates regenerated",
     "remediation": "Custom management-traffic certificates are not kept: reconfigure them on the "
                    "upgraded system if you had any. (%s, 'SSL certificates for management traffic regenerated')" % _E},
    {"id": "jdbc-drivers", "severity": "warning", "step": "upgrade",
     "pattern": r"OAuth/KPS tables must be upgraded in the following external databases",
     "title": "Third-party JDBC drivers needed",
     "remediation": "Copy the database's JDBC driver JARs into the new upgrade/lib folder and rerun "
                    "upgrade. (%s, 'Third-party JDBC JARs')" % _E},
    {"id": "activemq-not-set", "severity": "warning", "step": "upgrade",
     "pattern": r"ActiveMQ directory is not configured correctly",
     "title": "ActiveMQ directory not set",
     "remediation": "Queued messages will not be exported; set the ActiveMQ directory in the old "
                    "configuration if they matter. (%s, 'ActiveMQ directory not set')" % _E},
    {"id": "activemq-missing", "severity": "warning", "step": "upgrade",
     "pattern": r"ActiveMQ directory '.*' does not exist",
     "title": "ActiveMQ directory does not exist",
     "remediation": "Create or correct the configured ActiveMQ directory if its data must move. "
                    "(%s, 'ActiveMQ directory does not exist')" % _E},
    {"id": "activemq-outside", "severity": "warning", "step": "upgrade",
     "pattern": r"ActiveMQ directory '.*' is NOT a directory under the old version install directory",
     "title": "ActiveMQ directory outside the installation",
     "remediation": "The new system shares this directory with the old one; stop the old gateways "
                    "before the new ones start. (%s, 'ActiveMQ directory not under API Gateway installation directory')" % _E},
    {"id": "kps-duplicates", "severity": "error", "step": "upgrade",
     "pattern": r"Found duplicate '.*' (users|organizations) in KPS table",
     "title": "Duplicate API Manager data",
     "remediation": "Remove the duplicate API Manager users or organisations on the old system, then "
                    "rerun export and upgrade with apigw_force=true. (%s, 'Check for duplicate API Manager data')" % _E},
    {"id": "kps-problem", "severity": "error", "step": "upgrade",
     "pattern": r"There is a KPS configuration problem on the old system",
     "title": "KPS configuration problem",
     "remediation": "Fix the KPS configuration of the old system with the vendor's support before "
                    "upgrading. (%s, 'Check for duplicate API Manager data')" % _E},
    {"id": "cassandra-collections", "severity": "error", "step": "upgrade",
     "pattern": r"contains KPS collections with Cassandra data source",
     "title": "Cassandra-backed KPS collections",
     "remediation": "Give the Cassandra host (apigw_cassandra_host) instead of apigw_no_cassandra, or "
                    "remove the collections' Cassandra dependency. (%s, 'Check for Apache Cassandra-backed collections')" % _E},
    {"id": "csr-sign", "severity": "error", "step": "apply",
     "pattern": r"Failed to sign CSR for service",
     "title": "Admin Node Manager could not sign the certificate",
     "remediation": "Apply the first Admin Node Manager (the one holding the domain CA key) first, "
                    "and check apigw_domain_passphrase. (%s, 'Incorrect Admin Node Manager host')" % _E},
    {"id": "out-of-memory", "severity": "error", "step": "upgrade",
     "pattern": r"OutOfMemoryError",
     "title": "Upgrade ran out of memory",
     "remediation": "Raise the maximum heap (-Xmx) in the new installation's upgrade jvm.xml and rerun "
                    "upgrade. (%s, 'Out of memory error when running upgrade')" % _T},
)

_COMPILED = tuple((entry, re.compile(entry["pattern"])) for entry in CATALOGUE)


def lookup(message):
    """The catalogue entry for a message, or None when it is not documented."""
    text = str(message or "")
    for entry, regex in _COMPILED:
        if regex.search(text):
            return entry
    return None


def remediation_for(message):
    """Our advice for a documented message, or None (the report then shows the message alone)."""
    entry = lookup(message)
    return entry["remediation"] if entry else None
