"""The texts of upgrade_errors.md "upgrade command errors and warnings", verbatim apart from the
paths and names, which are the lab's real ones. A tuple (first, [raw]) is a message whose
continuation lines carry no WARN:/ERROR: prefix in the doc (logwriter.StepLog._emit)."""


def _names(anms):
    return ", ".join("'%s'" % n for n in anms)


def anm_invalid(host, anms):
    return ("Host '%s' is not a valid host in the topology. Retry with --anm_host <hostname>, "
            "where hostname is one of: %s" % (host, _names(anms)))


def anm_not_anm(host, anms):
    # "where where" is in the documented text.
    return ("Host '%s' does not have an Admin Node Manager. Retry with a valid --anm_host "
            "<hostname> parameter, where where hostname is one of: %s" % (host, _names(anms)))


def anm_required(anms):
    # ASSUMED: the docs give no text for a missing --anm_host with several ANMs.
    return ("The topology has more than one Admin Node Manager. Retry with --anm_host "
            "<hostname>, where hostname is one of: %s" % _names(anms))


def license_missing(old_dir, new_dir):
    return ("A LicenseException ('License not found in %s') occurred while checking licenses "
            "in directory '%s'." % (old_dir, new_dir),
            ["A license may not exist in this directory, or all licenses in this directory may "
             "be invalid. Please contact support to acquire a new license. Place the new license "
             "in directory '%s'. Run sysupgrade again without the --clean option." % new_dir])


def license_feature(new_dir):
    return ("A LicenseException ('feature \"unrestricted\" not licensed') occurred while "
            "checking for a server license in directory '%s'. Please contact support to acquire "
            "a new license. Place the new license in directory '%s'. Run sysupgrade again "
            "without the --clean option." % (new_dir, new_dir))


def fips(new_dir):
    return ("A LicenseException ('feature \"FIPS\" not licensed') occurred while checking for a "
            "FIPS license in directory '%s'. Please contact support to acquire a new license. "
            "Place the new license in directory '%s'." % (new_dir, new_dir))


def apimgr_license(new_dir):
    return ("A LicenseException ('feature \"apiportal\" not licensed') occurred while checking "
            "for a API Manager license in directory '%s'." % new_dir,
            ["Please contact support to acquire a new license. Place the new license in "
             "directory '%s'." % new_dir])


def mcafee(new_root):
    return ("A LicenseException ('feature \"mcafee\" not licensed') occurred while checking for "
            "a McAfee License '%s'. Please contact support to acquire a new license. Place the "
            "new license in directory '%s'." % (new_root, new_root))


def rbac(factory, exported):
    return ("RBAC permissions file has been modified on old system.\n"
            "Differences between original file (%s) and active file (%s) must be manually "
            "merged into apigateway/conf/acl.json on new system." % (factory, exported))


def corrupt_jar(path):
    # ASSUMED wording: upgrade_errors.md says a warning is logged and the JAR is not copied.
    return ("The JAR file '%s' is corrupt and will not be copied to the new installation." % path)


def jdbc(upgrade_lib, sql_dir, urls=("jdbc:mysql://127.0.0.1:3306/testdb",)):
    found = ", ".join("u'%s'" % u for u in urls)
    return ("OAuth/KPS tables must be upgraded in the following external databases: "
            "[%s]. You should copy the required JDBC drivers " % found +
            "to '%s', so that 'sysupgrade apply' can perform the database upgrades. "
            "Alternatively, you can upgrade OAuth/KPS tables manually using the SQL scripts at "
            "'%s', then run 'sysupgrade apply' with argument --skip_db_upgrade." % (
                upgrade_lib, sql_dir))


AMQ_NOT_SET = ("The ActiveMQ directory is not configured correctly, it is set to '', sysupgrade "
               "will NOT export the data.")


def amq_missing(path):
    kind = "absolute ActiveMQ directory" if not path.startswith("/opt/Axway") else \
        "ActiveMQ directory"
    return "The %s '%s' does not exist, sysupgrade will NOT export the data." % (kind, path)


def amq_outside(path, old, backup):
    return ("The absolute ActiveMQ directory '%s' is NOT a directory under the old version "
            "install directory '%s'. The new version system will use the same directory. When "
            "the new version API Gateway uses the data in this directory it may become unusable "
            "by the old system. You should take a manual backup of the contents of this "
            "directory before proceeding in case you need to run the old version API Gateway "
            "again. Sysupgrade will keep a backup of the ActiveMQ data in '%s' but this may be "
            "removed as a result of a clean command, or export --force." % (path, old, backup))


def kps_duplicates(backup_dir):
    return [
        "Found duplicate 'apiadmin' users in KPS table: %s/"
        "sysexport_api_portal_portaluserstoreldap_json" % backup_dir,
        "Found duplicate 'Community' organizations in KPS table: %s/"
        "sysexport_api_portal_portalorganizationstoreldap_json" % backup_dir,
        "There is a KPS configuration problem on the old system. This must be resolved before "
        "upgrade can proceed. Please contact Axway support for assistance."]


def cassandra_kps(group, collections):
    return ("Group '%s' contains KPS collections with Cassandra data source: %s. Either run "
            "sysupgrade without '--no_cassandra' option, or remove Cassandra dependency from "
            "source system by deleting collections or moving them to a non-Cassandra data "
            "source." % (group, repr([str(c) for c in collections])))


SSL_REGENERATED = (
    "SSL certificates used between Node Managers and API Gateways for management traffic will be "
    "regenerated in the upgraded system. Please consult documentation if you wish to manually "
    "reconfigure the upgraded system to use the SSL certificates from the old version after "
    "upgrade.")


def cass_login_required(host, port):
    # ASSUMED wording: the docs give no text for a Cassandra that refuses the login.
    return ("Failed to log in to Apache Cassandra at %s:%s: the server requires authentication. "
            "Specify the Apache Cassandra user name and password with --cass_username and "
            "--cass_password." % (host, port))


def cass_login_failed(host, port, username):
    # ASSUMED wording, as above.
    who = "as user '%s'" % username if username is not None else "without a user name"
    return ("Failed to log in to Apache Cassandra at %s:%s %s: the user name or password is "
            "incorrect. Check --cass_username and --cass_password." % (host, port, who))
