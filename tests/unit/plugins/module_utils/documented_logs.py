# -*- coding: utf-8 -*-
"""Every message shape of the vendor's upgrade_errors.md (and the OutOfMemoryError of
upgrade_troubleshoot.md), copied verbatim into documented_logs/*.log, with what the log parser
must make of each.

Each case: (id, log text, expected findings [(severity, check, first line starts with, lines)], counts).
Texts without a section header are kept so, as the vendor page shows them; the lab's logwriter
wraps the same texts in "[WARNING]/[ERROR] messages from [Check] :" sections, which the
sectioned cases cover.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "documented_logs")


def sample(name):
    with io.open(os.path.join(HERE, name + ".log"), encoding="utf-8") as handle:
        return handle.read()


EXPORT_SYSTEM_CONFIG = sample("export_system_config")
INCONSISTENT_GROUP = sample("inconsistent_group")
ANM_HOST_INVALID = sample("anm_host_invalid")
ANM_HOST_NOT_ANM = sample("anm_host_not_anm")
APIMGR_LICENSE = sample("apimgr_license")
MCAFEE_LICENSE = sample("mcafee_license")
RBAC_MODIFIED = sample("rbac_modified")
LICENSE_MISSING = sample("license_missing")
LICENSE_FEATURE = sample("license_feature")
SSL_REGENERATED = sample("ssl_regenerated")
JDBC_DRIVERS = sample("jdbc_drivers")
ACTIVEMQ_NOT_SET = sample("activemq_not_set")
ACTIVEMQ_ABSOLUTE_MISSING = sample("activemq_absolute_missing")
ACTIVEMQ_RELATIVE_MISSING = sample("activemq_relative_missing")
ACTIVEMQ_OUTSIDE = sample("activemq_outside")
KPS_DUPLICATES = sample("kps_duplicates")
FIPS_LICENSE = sample("fips_license")
CASSANDRA_KPS = sample("cassandra_kps")
CSR_SIGN_FAILURE = sample("csr_sign_failure")
OUT_OF_MEMORY = sample("out_of_memory")
OUT_OF_MEMORY_BARE = sample("out_of_memory_bare")
ANM_HOST_BOTH = ANM_HOST_INVALID + ANM_HOST_NOT_ANM


def sectioned(kind, check, body):
    """Wrap a documented body the way the lab's logwriter (and contract §5) does."""
    return "[%s] : %s\n[%s] messages from [%s] :\n%s" % (
        check, "FAILED" if kind == "ERROR" else "OK", kind, check, body)


# (id, text, [(severity, check, first line starts with, lines in the message)], counts)
CASES = [
    ("export_system_config", EXPORT_SYSTEM_CONFIG,
     [("info", "System Config", "Not migrating the following instance-specific service.xml files:", 4),
      ("warning", "System Config", "Migrating the following instance-specific jvm.xml files", 3)],
     {"error": 0, "warning": 1, "info": 1}),
    ("inconsistent_group_plain_text", INCONSISTENT_GROUP, [], {"error": 0, "warning": 0, "info": 0}),
    ("inconsistent_group_in_error_section", sectioned("ERROR", "Topology", "ERROR: " + INCONSISTENT_GROUP),
     [("error", "Topology", "Group 'TestGroup' (group-2) is inconsistent.", 1)], {"error": 1, "warning": 0, "info": 0}),
    ("anm_host_invalid", ANM_HOST_INVALID,
     [("error", "sysupgrade", "Host 'XXX' is not a valid host in the topology.", 1)], {"error": 1, "warning": 0, "info": 0}),
    ("anm_host_not_anm", ANM_HOST_NOT_ANM,
     [("error", "sysupgrade", "Host 'nodec' does not have an Admin Node Manager.", 1)], {"error": 1, "warning": 0, "info": 0}),
    ("anm_host_both_lines_one_block", ANM_HOST_BOTH,
     [("error", "sysupgrade", "Host 'XXX' is not a valid host", 2)], {"error": 1, "warning": 0, "info": 0}),
    ("apimgr_license_plain_continuation", APIMGR_LICENSE,
     [("warning", "sysupgrade", "A LicenseException ('feature \"apiportal\" not licensed')", 2)], {"error": 0, "warning": 1, "info": 0}),
    ("mcafee_license", MCAFEE_LICENSE,
     [("warning", "sysupgrade", "A LicenseException ('feature \"mcafee\" not licensed')", 1)], {"error": 0, "warning": 1, "info": 0}),
    ("rbac_modified_two_warn_lines", RBAC_MODIFIED,
     [("warning", "sysupgrade", "RBAC permissions file has been modified on old system.", 2)], {"error": 0, "warning": 1, "info": 0}),
    ("rbac_modified_sectioned", sectioned("WARNING", "RBAC", RBAC_MODIFIED),
     [("warning", "RBAC", "RBAC permissions file has been modified on old system.", 2)], {"error": 0, "warning": 1, "info": 0}),
    ("license_missing_plain_continuation", LICENSE_MISSING,
     [("error", "sysupgrade", "A LicenseException ('License not found in", 2)], {"error": 1, "warning": 0, "info": 0}),
    ("license_feature", LICENSE_FEATURE,
     [("error", "sysupgrade", "A LicenseException ('feature \"unrestricted\" not licensed')", 1)], {"error": 1, "warning": 0, "info": 0}),
    ("license_missing_sectioned", sectioned("ERROR", "License", LICENSE_MISSING),
     [("error", "License", "A LicenseException ('License not found in", 2)], {"error": 1, "warning": 0, "info": 0}),
    ("ssl_regenerated_plain_text", SSL_REGENERATED, [], {"error": 0, "warning": 0, "info": 0}),
    ("ssl_regenerated_informational", "[INFORMATIONAL] messages from [SSL] :\n" + SSL_REGENERATED,
     [("info", "SSL", "SSL certificates used between Node Managers", 1)], {"error": 0, "warning": 0, "info": 1}),
    ("jdbc_drivers", JDBC_DRIVERS,
     [("warning", "sysupgrade", "OAuth/KPS tables must be upgraded", 1)], {"error": 0, "warning": 1, "info": 0}),
    ("activemq_not_set", ACTIVEMQ_NOT_SET,
     [("warning", "sysupgrade", "The ActiveMQ directory is not configured correctly", 1)], {"error": 0, "warning": 1, "info": 0}),
    ("activemq_absolute_missing", ACTIVEMQ_ABSOLUTE_MISSING,
     [("warning", "sysupgrade", "The absolute ActiveMQ directory '/home/user1/does-not-exist'", 1)], {"error": 0, "warning": 1, "info": 0}),
    ("activemq_relative_missing", ACTIVEMQ_RELATIVE_MISSING,
     [("warning", "sysupgrade", "The ActiveMQ directory '/home/user1/AxwayInstalls", 1)], {"error": 0, "warning": 1, "info": 0}),
    ("activemq_outside", ACTIVEMQ_OUTSIDE,
     [("warning", "sysupgrade", "The absolute ActiveMQ directory '/home/user1/activemq/data' is NOT", 1)], {"error": 0, "warning": 1, "info": 0}),
    ("kps_duplicates_three_error_lines", KPS_DUPLICATES,
     [("error", "API Manager", "Found duplicate 'apiadmin' users in KPS table", 3)], {"error": 1, "warning": 0, "info": 0}),
    ("fips_license", FIPS_LICENSE,
     [("error", "sysupgrade", "A LicenseException ('feature \"FIPS\" not licensed')", 1)], {"error": 1, "warning": 0, "info": 0}),
    ("cassandra_kps", CASSANDRA_KPS,
     [("error", "sysupgrade", "Group 'Default Group' contains KPS collections", 1)], {"error": 1, "warning": 0, "info": 0}),
    ("csr_sign_failure", CSR_SIGN_FAILURE,
     [("error", "sysupgrade", "Node Manager error: Failed to sign CSR for service.", 1)], {"error": 1, "warning": 0, "info": 0}),
    ("out_of_memory_with_stack", OUT_OF_MEMORY,
     [("error", "java", "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space", 1)], {"error": 1, "warning": 0, "info": 0}),
    ("out_of_memory_bare", OUT_OF_MEMORY_BARE,
     [("error", "java", "java.lang.OutOfMemoryError: Java heap space", 1)], {"error": 1, "warning": 0, "info": 0}),
]
