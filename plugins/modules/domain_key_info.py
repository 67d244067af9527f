#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: domain_key_info
short_description: Prove that a passphrase opens the domain CA key store (domain.p12) of an API Gateway domain
version_added: 0.2.0
description:
  - The first Admin Node Manager holds the domain CA private key and certificate in
    C(INSTALL_DIR/groups/certs/private/domain.p12) (vendor upgrade FAQ, "Which is the first Admin Node
    Manager?"). C(sysupgrade apply) needs its passphrase to sign the new topology certificates, and
    fails with "Failed to sign CSR" when the passphrase is wrong, after the old installation was
    stopped everywhere.
  - This module opens that PKCS#12 file with C(openssl pkcs12 -noout) on the node, so that a playbook
    can prove the passphrase before anything stops. The passphrase goes to openssl on standard
    input, never on a command line.
  - Never changes anything; works the same in check mode.
  - Fails when the file is missing, when the passphrase does not open it (RV(failure_kind)
    C(passphrase)), or when openssl cannot read it at all.
options:
  install_dir:
    description:
      - The C(apigateway) folder that holds C(groups/certs/private/domain.p12), the old installation
        before the first Admin Node Manager is applied, the new one after.
      - Either this or O(installation) is required; they are mutually exclusive.
    type: path
  installation:
    description:
      - Which installation's key store to open when O(install_dir) is not given. C(old) - the
        folder in O(old_install_dir); C(new) - the folder in O(new_install_dir).
      - Meant for plays that set those two once for the action group in C(module_defaults).
    type: str
    choices: [old, new]
  old_install_dir:
    description: The old installation's C(apigateway) folder, used with O(installation=old). A group option.
    type: path
  new_install_dir:
    description: The new installation's C(apigateway) folder, used with O(installation=new). A group option.
    type: path
  domain_passphrase:
    description: The domain CA private key passphrase to prove.
    type: str
    required: true
  openssl:
    description: The openssl command; found on C(PATH) when not given.
    type: path
attributes:
  check_mode:
    description: Runs the same in check mode; it never changes anything.
    support: full
  diff_mode:
    description: Nothing is changed, so there is no diff.
    support: none
  platform:
    description: Target OS family.
    support: full
    platforms: posix
extends_documentation_fragment:
  - apigw.sysupgrade.group_options
notes:
  - Key stores written with the legacy PKCS#12 algorithms (RC2, 3DES) that OpenSSL 3 no longer
    enables by default are opened again with C(-legacy) when the first attempt reports an
    unsupported algorithm.
seealso:
  - module: apigw.sysupgrade.apply
  - module: apigw.sysupgrade.topology_info
author:
  - apigw.sysupgrade developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Prove the domain passphrase on the first Admin Node Manager before anything stops
  apigw.sysupgrade.domain_key_info:
    install_dir: /opt/Axway-7.5.3/apigateway
    domain_passphrase: "{{ vault_domain_passphrase }}"
  delegate_to: node1
  run_once: true

- name: The same with the folders and the passphrase set once for the action group
  module_defaults:
    group/apigw.sysupgrade.sysupgrade:
      old_install_dir: /opt/Axway-7.5.3/apigateway
      new_install_dir: /opt/Axway-7.7/apigateway
      domain_passphrase: "{{ vault_domain_passphrase }}"
  apigw.sysupgrade.domain_key_info:
    installation: new
"""

RETURN = r"""
path:
  description: The key store that was opened.
  returned: always
  type: str
  sample: /opt/Axway-7.5.3/apigateway/groups/certs/private/domain.p12
unlocked:
  description: Whether the passphrase opened it.
  returned: always
  type: bool
  sample: true
legacy:
  description: Whether openssl needed C(-legacy) to read it.
  returned: always
  type: bool
  sample: false
failure_kind:
  description: On failure, C(missing) (no key store), C(passphrase) (it does not open with it) or C(openssl) (any other error).
  returned: failure
  type: str
  sample: passphrase
cmd:
  description: The last openssl command run, as an argument list (the passphrase is never in it).
  returned: always
  type: list
  elements: str
  sample: [openssl, pkcs12, -noout, -in, /opt/Axway-7.5.3/apigateway/groups/certs/private/domain.p12, -passin, stdin]
rc:
  description: Its exit status; null when nothing was run.
  returned: always
  type: int
  sample: 0
stdout:
  description: Its standard output.
  returned: always
  type: str
stderr:
  description: Its standard error.
  returned: always
  type: str
  sample: "Mac verify error: invalid password?"
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.apigw.sysupgrade.plugins.module_utils import group_options
from ansible_collections.apigw.sysupgrade.plugins.module_utils.topology import first_anm_marker

# What OpenSSL 1.0 to 3.x print when the MAC over the file does not match the passphrase.
WRONG_PASSPHRASE_MARKERS = ("mac verify error", "invalid password", "mac verify failure")
UNSUPPORTED_MARKERS = ("unsupported", "legacy")


def classify(rc, stderr):
    """-> None (opened), 'passphrase', 'unsupported' or 'openssl'."""
    if rc == 0:
        return None
    text = (stderr or "").lower()
    if any(marker in text for marker in WRONG_PASSPHRASE_MARKERS):
        return "passphrase"
    if any(marker in text for marker in UNSUPPORTED_MARKERS):
        return "unsupported"
    return "openssl"


def open_key_store(module, openssl, path, passphrase):
    """-> (result fields, failure kind or None)."""
    argv = [openssl, "pkcs12", "-noout", "-in", path, "-passin", "stdin"]
    rc, out, err = module.run_command(argv, data=passphrase, binary_data=False)
    kind, legacy = classify(rc, err), False
    if kind == "unsupported":
        argv = argv[:2] + ["-legacy"] + argv[2:]
        rc, out, err = module.run_command(argv, data=passphrase, binary_data=False)
        kind, legacy = classify(rc, err), True
    if kind == "unsupported":
        kind = "openssl"
    return dict(cmd=argv, rc=rc, stdout=out, stderr=err, legacy=legacy), kind


def main():
    module = AnsibleModule(
        argument_spec=group_options.with_group_options(dict(
            install_dir=dict(type="path"),
            installation=dict(type="str", choices=["old", "new"]),
            domain_passphrase=dict(type="str", required=True, no_log=True),
            openssl=dict(type="path"),
        )),
        required_one_of=[("install_dir", "installation")],
        mutually_exclusive=[("install_dir", "installation")],
        supports_check_mode=True,
    )
    install_dir, error = group_options.chosen_install_dir(module.params)
    if error:
        module.fail_json(msg=error)
    path = first_anm_marker(install_dir)
    result = dict(changed=False, path=path, unlocked=False, legacy=False, cmd=[], rc=None, stdout="", stderr="")
    if not os.path.isfile(path):
        module.fail_json(msg="The domain CA key store %s does not exist: this is not the first Admin Node "
                             "Manager's %s" % (path, install_dir),
                         failure_kind="missing", **result)
    openssl = module.params["openssl"] or module.get_bin_path("openssl")
    if not openssl:
        module.fail_json(msg="openssl is not installed on this node, so the domain passphrase cannot be "
                             "checked against %s; install it (it is part of every supported Linux)" % path,
                         failure_kind="openssl", **result)
    fields, kind = open_key_store(module, openssl, path, module.params["domain_passphrase"])
    result.update(fields)
    first_line = ((fields["stderr"] or "").strip().splitlines() or ["no message"])[0]
    if kind == "passphrase":
        module.fail_json(msg="The domain passphrase does not open the domain CA key store %s (openssl: %s)"
                             % (path, first_line),
                         failure_kind=kind, **result)
    if kind:
        module.fail_json(msg="openssl could not read the domain CA key store %s (rc %s): %s"
                             % (path, fields["rc"], (fields["stderr"] or "").strip()),
                         failure_kind=kind, **result)
    result["unlocked"] = True
    module.exit_json(**result)


if __name__ == "__main__":
    main()
