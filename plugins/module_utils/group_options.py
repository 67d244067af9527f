# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options every module of the action group ``apigw.sysupgrade.sysupgrade`` accepts.

One ``module_defaults`` block serves the whole group::

    module_defaults:
      group/apigw.sysupgrade.sysupgrade:
        new_install_dir: /opt/Axway-7.7/apigateway
        old_install_dir: /opt/Axway-7.5.3/apigateway
        username: admin
        password: "{{ anm_admin_password }}"
        domain_passphrase: "{{ domain_passphrase }}"

Ansible hands every default of the group to every module of the group, so each module must
accept all of these, even those it does not use (it ignores them), or it fails with
"Unsupported parameters". They are documented once in the doc fragment
``apigw.sysupgrade.group_options`` (list it LAST in ``extends_documentation_fragment``, so that
the description of an option the module uses, from the module or an earlier fragment, wins).

Types match every module that uses the option; secrets are ``no_log``. None is required here: a
module that needs one declares it itself (``required=True``), and its declaration wins.

``anm_host`` is deliberately NOT a group option although export and apply take it: in topology_info
``anm_host`` names the ANM to query over HTTPS (it switches the source from ``groups/topology.json``
to the REST API and is mutually exclusive with ``anm_url``), so a group-wide value would break
every topology_info call. Set it on the export and apply tasks, or under ``module_defaults`` for
those two modules.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

GROUP_OPTIONS = dict(
    new_install_dir=dict(type="path"),
    old_install_dir=dict(type="path"),
    username=dict(type="str"),
    password=dict(type="str", no_log=True),
    domain_passphrase=dict(type="str", no_log=True),
    install_owner=dict(type="str", default=""),
)

GROUP_SECRETS = tuple(name for name, spec in GROUP_OPTIONS.items() if spec.get("no_log"))


def chosen_install_dir(params):
    """(folder, None) or (None, error text): ``install_dir``, or the group option that
    ``installation`` (old or new) names. For modules that act on either installation."""
    if params.get("install_dir"):
        return params["install_dir"], None
    option = "%s_install_dir" % params["installation"]
    if not params.get(option):
        return None, ("installation=%s needs %s (usually set once for the action group in module_defaults); "
                      "or give install_dir" % (params["installation"], option))
    return params[option], None


class GroupOptionConflict(Exception):
    """A module declares a group option with another type, or a secret without no_log."""


def with_group_options(argument_spec):
    """Return a copy of ``argument_spec`` completed with every group option it lacks.

    A module's own declaration of a group option is kept (it may be required, have a default or
    choices), but it must have the group's type, and a secret must stay ``no_log``.
    """
    spec = dict((name, dict(option)) for name, option in argument_spec.items())
    for name, option in GROUP_OPTIONS.items():
        own = spec.get(name)
        if own is None:
            spec[name] = dict(option)
            continue
        if own.get("type", "str") != option["type"]:
            raise GroupOptionConflict("group option %s must have type %s, the module declares %s"
                                      % (name, option["type"], own.get("type", "str")))
        if option.get("no_log") and not own.get("no_log"):
            raise GroupOptionConflict("group option %s is secret: the module must declare it no_log" % name)
    return spec
