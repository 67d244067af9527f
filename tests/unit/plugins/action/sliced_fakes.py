"""Fakes for the action plugins that cut a module's wait into slices (plugin_utils/sliced_wait.py):
a node that answers each module run from a script on a fake clock (the lines printed are the
fixture ``shown`` of conftest.py)."""
from unittest import mock

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar


class ScriptedNode:
    """Answers each run of ``module`` from ``script``, advancing the fake clock by the slice of
    ``option`` it was given when the answer is a wait (failure_kind ``waiting_kind``), else 1 s."""

    def __init__(self, module, option, waiting_kind, script):
        self.module, self.option, self.waiting_kind = module, option, waiting_kind
        self.script = list(script)
        self.now = 0.0
        self.calls = []

    def execute(self, module_name=None, module_args=None, task_vars=None):
        assert module_name == self.module
        self.calls.append(dict(module_args))
        answer = dict(self.script.pop(0))
        self.now += module_args.get(self.option, 0) if answer.get("failure_kind") == self.waiting_kind else 1
        return answer


def run_action(action_class, node, args, delegate_to=None, check_mode=False, inventory_hostname="node1"):
    """Run the action plugin ``action_class`` with task arguments ``args`` against ``node``."""
    task = mock.MagicMock()
    task.args = dict(args)
    task.delegate_to = delegate_to
    task.async_val = 0
    task.check_mode = check_mode
    loader = DataLoader()
    action = action_class(task, mock.MagicMock(), mock.MagicMock(), loader, Templar(loader=loader), None)
    action._execute_module = node.execute
    action._now = lambda: node.now
    return action.run(task_vars={"inventory_hostname": inventory_hostname})
