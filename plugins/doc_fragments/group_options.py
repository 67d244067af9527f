# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of the action group apigw.sysupgrade.sysupgrade, as a module that does not use them sees them.

Must be the LAST entry of ``extends_documentation_fragment``: for an option the module uses, the
module's own text (or an earlier fragment's) wins over the text here. The argument spec is
``plugins/module_utils/group_options.py``.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options:
  new_install_dir:
    description:
      - Group option, the C(apigateway) folder of the NEW installation.
      - Accepted so that one C(module_defaults) block serves the whole group; ignored by this module.
    type: path
  old_install_dir:
    description:
      - Group option, the C(apigateway) folder of the OLD installation.
      - Accepted so that one C(module_defaults) block serves the whole group; ignored by this module.
    type: path
  username:
    description:
      - Group option, the Admin Node Manager user name.
      - Accepted so that one C(module_defaults) block serves the whole group; ignored by this module.
    type: str
  password:
    description:
      - Group option, the Admin Node Manager password. Never logged.
      - Accepted so that one C(module_defaults) block serves the whole group; ignored by this module.
    type: str
  domain_passphrase:
    description:
      - Group option, the passphrase of the domain CA private key. Never logged.
      - Accepted so that one C(module_defaults) block serves the whole group; ignored by this module.
    type: str
  install_owner:
    description:
      - Group option, the account that owns the installations and runs the product.
      - Accepted so that one C(module_defaults) block serves the whole group; ignored by this module.
    type: str
    default: ""
notes:
  - "Action group C(apigw.sysupgrade.sysupgrade): every module of the group accepts the five group
    options C(new_install_dir), C(old_install_dir), C(username), C(password) and
    C(domain_passphrase), so one C(module_defaults: {group/apigw.sysupgrade.sysupgrade: {...}}) block
    can hold them all; a module ignores those it does not use. Other options belong on the task or
    under C(module_defaults) for that one module: C(anm_host) (export and apply pass it to sysupgrade,
    while topology_info uses it to choose the Admin Node Manager it queries) and C(timeout) (its
    meaning and default differ from module to module)."
attributes:
  action_group:
    description: Use C(group/apigw.sysupgrade.sysupgrade) in C(module_defaults) to set the group options once.
    support: full
    membership:
      - apigw.sysupgrade.sysupgrade
"""
