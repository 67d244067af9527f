"""The opt-in checklist items on a real vendor-3-node lab made with labctl up --external-db
--duplicate-jar (upgrade_steps_extcass.md Task 4 "Move third-party JDBC JARs to the new
installation" and "Check that ext/lib customizations in the old installation are compatible";
upgrade_errors.md "Third-party JDBC JARs"; DESIGN.md "Manual checklist items"). Its own module:
the lab of test_product_checklist.py lives for that whole module, and only one lab can exist."""
import test_product_checklist as checklist
from test_product_support import NODES, Product

store_entities, stores = checklist.store_entities, checklist.stores


def test_external_db_needs_a_jdbc_driver_and_duplicate_jar(lab_factory):
    p = Product(lab_factory("vendor-3-node", external_db=True, duplicate_jar=True))
    assert p.lab.info["external_db"] == {"group": "GatewayGroup", "group_id": "group-2",
                                         "url": "jdbc:mysql://127.0.0.1:3306/testdb"}
    for node in ("node1", "node2"):
        dbs = [f for t, _n, f in store_entities(stores(p.old(node), "group-2")[0])
               if t == "DbConnection"]
        assert [f["url"] for f in dbs] == ["jdbc:mysql://127.0.0.1:3306/testdb"]
    assert not [e for e in store_entities(stores(p.old("node3"), "group-3")[0])
                if e[0] == "DbConnection"]
    # --duplicate-jar: the same artefact in OLD ext/lib and (another version) in NEW system/lib
    for node in NODES:
        assert p.old(node, "ext", "lib", "httpclient-4.5.2.jar").is_file()
        assert p.new(node, "system", "lib", "httpclient-4.5.13.jar").is_file()
    for node in ("node1", "node3"):
        p.export_upgrade(node)
    up_log = p.log("node1", "upgrade")
    assert "[WARNING] messages from [External Databases] :" in up_log
    assert ("WARN: OAuth/KPS tables must be upgraded in the following external databases: "
            "[u'jdbc:mysql://127.0.0.1:3306/testdb']. You should copy the required JDBC drivers "
            "to '%s/upgrade/lib'" % p.new_dir) in up_log
    assert "WARN: OAuth/KPS tables" not in p.log("node3", "upgrade")   # not NodeC's group
    p.stop_old_everywhere()
    r = p.apply("node1")
    assert r.returncode == 1
    log = p.log("node1", "apply")
    assert "[ERROR] messages from [Database Upgrade] :" in log
    assert "ERROR: No JDBC driver found in '%s/upgrade/lib'" % p.new_dir in log
    assert p.status("node1") == "export and upgrade complete"
    # the user copies a driver to NEW/upgrade/lib (Task 4) and reruns apply
    p.ok(p.lab.ssh("node1", "cp %s/ext/lib/lab-custom-filter.jar %s/upgrade/lib/"
                            "mysql-connector-java-5.1.49.jar" % (p.old_dir, p.new_dir)))
    p.ok(p.apply("node1"))
    assert "Upgraded OAuth/KPS tables in" in p.log("node1", "apply")
    p.ok(p.apply("node3"))           # no external database in NodeC's group: no driver needed
    assert "No external databases to upgrade." in p.log("node3", "apply")
    dbs = [f["url"] for t, _n, f in store_entities(stores(p.new("node1"), "group-2")[0])
           if t == "DbConnection"]
    assert dbs == ["jdbc:mysql://127.0.0.1:3306/testdb"]
    # apply copied the old ext/lib jars, the duplicate too (upgrade_steps_extcass.md Task 4)
    assert p.new("node1", "ext", "lib", "httpclient-4.5.2.jar").is_file()
