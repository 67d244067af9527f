"""The AWX surveys (awx/surveys/*.json) ask only for variables the playbooks accept.

Each survey belongs to the playbook of its job template (playbooks/awx_setup.yml). Every question's
variable must be an option of the argument specs of a role that playbook runs, with a compatible
type, choices and default: AWX passes a survey answer as a string (text, multiple choice), a
number (integer, float) or a list (multiple select), and the role's argument spec must accept it.
The options a role requires that no survey asks for must come from the inventory (or a
credential): each is in the README's inventory table as required.
"""
import json
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ROLES = REPO / "roles"
SURVEYS = REPO / "awx" / "surveys"
PLAYBOOK_OF = {"test_upgrade.json": "test_upgrade.yml", "apply.json": "apply.yml", "rollback.json": "rollback.yml",
               "clean.json": "clean.yml"}

# How a role is pulled in: include_role/import_role name, a play's roles entry, a meta dependency.
# A templated name ("apigw.sysupgrade.lb_{{ apigw_lb_hooks }}") stands for every role it can name.
ROLE_REF = re.compile(r"""(?:name|role):\s*["']?apigw\.sysupgrade\.(\w*)(\{\{)?""")
# A playbook imported by another (the opening playbooks domain.yml and inventory.yml).
PLAYBOOK_REF = re.compile(r"""import_playbook:\s*["']?([\w.]+\.yml)""")

# The argument spec types that accept what AWX sends for each survey question type.
TEXT_TYPES = {"str", "path", "raw"}
ACCEPTS = {
    "text": TEXT_TYPES, "textarea": TEXT_TYPES, "password": TEXT_TYPES,
    "integer": {"int", "float", "raw"},
    "float": {"float", "raw"},
    "multiplechoice": TEXT_TYPES | {"bool", "int"},
    "multiselect": {"list"},
}
BOOL_STRINGS = {"true": True, "false": False, "yes": True, "no": False}


def load_yaml(path):
    return yaml.safe_load(path.read_text()) if path.exists() else None


def roles_run_by(playbook):
    """Every role of this collection that ``playbook`` runs, directly or through other roles."""
    known = {p.name for p in ROLES.iterdir() if p.is_dir()}
    found, todo, imported = set(), [playbook.read_text()], {playbook.name}
    while todo:
        text = todo.pop()
        for name in PLAYBOOK_REF.findall(text):
            if name not in imported:
                imported.add(name)
                todo.append((playbook.parent / name).read_text())
        for name, templated in ROLE_REF.findall(text):
            for role in sorted(r for r in known if (r.startswith(name) if templated else r == name)):
                if role not in found:
                    found.add(role)
                    todo += [p.read_text() for p in (ROLES / role).glob("*/*.yml") if p.parent.name in ("tasks", "meta")]
    return found


def options_of(roles):
    """option name -> [(role, entry point, spec)] over every entry point of ``roles``."""
    options = {}
    for role in sorted(roles):
        specs = load_yaml(ROLES / role / "meta" / "argument_specs.yml") or {}
        for entry, spec in (specs.get("argument_specs") or {}).items():
            for name, option in (spec.get("options") or {}).items():
                options.setdefault(name, []).append(("%s (%s)" % (role, entry), option))
    return options


def convert(value, spec_type):
    """``value`` as the argument spec's type would take it; ValueError when it cannot."""
    if spec_type == "bool":
        if isinstance(value, bool):
            return value
        if str(value).lower() not in BOOL_STRINGS:
            raise ValueError("not a boolean")
        return BOOL_STRINGS[str(value).lower()]
    if spec_type == "int":
        if isinstance(value, float) and not value.is_integer():
            raise ValueError("not an integer")
        return int(value)
    if spec_type == "float":
        return float(value)
    if spec_type == "list":
        if not isinstance(value, list):
            raise ValueError("not a list")
        return value
    return value if isinstance(value, str) else str(value)


def question_problems(question, where, option):
    """What is wrong with one survey question against one option's spec ([] when compatible)."""
    problems = []
    spec_type = option.get("type", "str")
    if spec_type not in ACCEPTS.get(question["type"], set()):
        return ["a %s question cannot give type %s" % (question["type"], spec_type)]
    spec_choices = option.get("choices")
    choices = question.get("choices") or []
    if isinstance(choices, str):  # AWX stores multiple choice lists as newline-separated text too
        choices = [c for c in choices.split("\n") if c]
    if question["type"] in ("multiplechoice", "multiselect"):
        for choice in choices:
            try:
                value = convert(choice, "str" if spec_type == "list" else spec_type)
            except ValueError as exc:
                problems.append("choice %r: %s (spec type %s)" % (choice, exc, spec_type))
                continue
            if spec_choices is not None and value not in spec_choices:
                problems.append("choice %r is not one of the spec's choices %s" % (choice, spec_choices))
    elif spec_choices is not None and question["type"] in ("text", "textarea", "password"):
        problems.append("a free text question for an option limited to %s" % (spec_choices,))
    default = question.get("default")
    if question["type"] in ("integer", "float") and default not in (None, "") \
            and type(default) not in ((int,) if question["type"] == "integer" else (int, float)):
        # AWX validates a default like an answer and silently drops one of the wrong JSON type.
        problems.append("default %r is not a JSON number: AWX would drop it" % (default,))
    if default not in (None, ""):  # an empty default: no answer, or "" which a str option takes
        if question["type"] == "multiselect":
            default = [d for d in str(default).split("\n") if d]
        try:
            value = convert(default, spec_type)
        except ValueError as exc:
            problems.append("default %r: %s (spec type %s)" % (default, exc, spec_type))
        else:
            if question["type"] in ("multiplechoice",) and choices and default not in choices:
                problems.append("default %r is not one of the question's choices %s" % (default, choices))
            if spec_choices is not None and spec_type != "list" and value not in spec_choices:
                problems.append("default %r is not one of the spec's choices %s" % (default, spec_choices))
    return ["%s: %s" % (where, p) for p in problems]


def survey_problems(survey_name, survey, options):
    """Every mismatch between a survey and the options its playbook's roles accept, each naming the
    survey file, the variable and the spec."""
    problems = []
    for question in survey["spec"]:
        variable = question["variable"]
        if variable not in options:
            problems.append("%s: %s is not an option of any role its playbook runs" % (survey_name, variable))
            continue
        for where, option in options[variable]:
            for problem in question_problems(question, where, option):
                problems.append("%s: %s, spec %s" % (survey_name, variable, problem))
    return problems


def required_missing(survey, options):
    # An "__apigw_" option is an internal role's input, which the collection's own roles set.
    asked = {q["variable"] for q in survey["spec"]}
    return sorted(name for name, specs in options.items()
                  if name not in asked and not name.startswith("__") and any(o.get("required") for _w, o in specs))


@pytest.fixture(scope="module", params=sorted(PLAYBOOK_OF))
def survey_case(request):
    survey = json.loads((SURVEYS / request.param).read_text())
    roles = roles_run_by(REPO / "playbooks" / PLAYBOOK_OF[request.param])
    return request.param, survey, roles, options_of(roles)


def test_every_survey_has_its_playbook():
    assert sorted(p.name for p in SURVEYS.glob("*.json")) == sorted(PLAYBOOK_OF)
    setup = (REPO / "playbooks" / "awx_setup.yml").read_text()
    for survey, playbook in PLAYBOOK_OF.items():
        assert "awx/surveys/" + survey in setup or survey in setup, survey
        assert "playbooks/" + playbook in setup, playbook


def test_survey_variables_are_options_with_compatible_types(survey_case):
    name, survey, roles, options = survey_case
    assert "domain" in roles and ("summary" in roles or name == "clean.json"), roles  # the playbook was really read
    problems = survey_problems(name, survey, options)
    assert problems == [], "\n".join(problems)


def test_required_options_missing_from_the_survey_come_from_the_inventory(survey_case):
    name, survey, _roles, options = survey_case
    readme = (REPO / "README.md").read_text()
    missing = required_missing(survey, options)
    print("%s: required options not in the survey (inventory or credential): %s" % (name, ", ".join(missing)))
    assert missing, "the roles were read: some options come from the inventory"
    # a secret: never a survey question (clean.yml needs no login)
    assert "apigw_admin_password" in missing or name == "clean.json", missing
    undocumented = [v for v in missing if not re.search(r"^\| `%s` \| required \|" % v, readme, re.M)]
    assert undocumented == [], "%s: required, not in the survey nor in the README's inventory table: %s" % (
        name, undocumented)


def test_the_apply_survey_offers_the_rolling_apply_and_its_hooks():
    survey = json.loads((SURVEYS / "apply.json").read_text())
    asked = {q["variable"] for q in survey["spec"]}
    assert {"apigw_apply_mode", "apigw_lb_hooks"} <= asked, asked


# The check itself: each kind of mismatch is caught, and named.
OPTIONS = {"apigw_mode": [("apply (main)", {"type": "str", "choices": ["standard", "rolling"], "default": "standard"})],
           "apigw_serial": [("apply (gates)", {"type": "int", "default": 1})],
           "apigw_confirmed": [("apply (gates)", {"type": "bool", "default": False})]}


@pytest.mark.parametrize("question, expected", [
    ({"variable": "apigw_nope", "type": "text", "default": ""}, "apigw_nope is not an option"),
    ({"variable": "apigw_serial", "type": "text", "default": ""}, "a text question cannot give type int"),
    ({"variable": "apigw_mode", "type": "multiplechoice", "choices": ["standard", "zdu"], "default": "standard"},
     "choice 'zdu' is not one of the spec's choices"),
    ({"variable": "apigw_mode", "type": "text", "default": ""}, "a free text question for an option limited to"),
    ({"variable": "apigw_confirmed", "type": "multiplechoice", "choices": ["false", "maybe"], "default": "false"},
     "choice 'maybe': not a boolean"),
    ({"variable": "apigw_serial", "type": "integer", "default": 1.5}, "default 1.5: not an integer"),
    ({"variable": "apigw_serial", "type": "integer", "default": "2"}, "default '2' is not a JSON number"),
    ({"variable": "apigw_mode", "type": "multiplechoice", "choices": ["standard", "rolling"], "default": "fast"},
     "default 'fast' is not one of the question's choices"),
])
def test_each_mismatch_is_named(question, expected):
    problems = survey_problems("x.json", {"spec": [question]}, OPTIONS)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith("x.json: %s" % question["variable"]) for p in problems), problems


def test_a_compatible_question_passes():
    spec = [{"variable": "apigw_mode", "type": "multiplechoice", "choices": ["standard", "rolling"], "default": "standard"},
            {"variable": "apigw_serial", "type": "integer", "default": 2},
            {"variable": "apigw_confirmed", "type": "multiplechoice", "choices": ["false", "true"], "default": "false"}]
    assert survey_problems("x.json", {"spec": spec}, OPTIONS) == []


def test_templated_role_names_count_every_role_they_can_name():
    assert {"lb_haproxy", "lb_http", "post_upgrade", "confirm"} <= roles_run_by(REPO / "playbooks" / "apply.yml")
    assert "lb_http" not in roles_run_by(REPO / "playbooks" / "test_upgrade.yml")


# What the roles' validate_argument_spec does with an answer: ansible-core's ArgumentSpecValidator
# on the option's spec (types, choices, conversions), fed every answer AWX can send.
SPEC_KEYS = ("type", "choices", "elements", "default", "required", "no_log", "options")


def answers_of(question):
    """Every value AWX can send for a question: each choice (as text), the default, and for numbers
    the bounds."""
    choices = question.get("choices") or []
    if isinstance(choices, str):
        choices = [c for c in choices.split("\n") if c]
    if question["type"] == "multiselect":
        return [[c] for c in choices] + [choices]
    answers = list(choices)
    if question.get("default") not in (None, ""):
        answers.append(question["default"])
    if question["type"] in ("integer", "float"):
        answers += [b for b in (question.get("min"), question.get("max")) if b is not None]
    if question["type"] in ("text", "textarea", "password"):
        answers.append("")
    return answers


def validation_errors(variable, answer, option):
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    spec = {variable: {k: v for k, v in option.items() if k in SPEC_KEYS}}
    return ArgumentSpecValidator(spec).validate({variable: answer}).error_messages


def test_every_answer_of_every_survey_passes_the_roles_argument_spec_validation(survey_case):
    name, survey, _roles, options = survey_case
    failures = []
    for question in survey["spec"]:
        for answer in answers_of(question):
            for where, option in options.get(question["variable"], []):
                for error in validation_errors(question["variable"], answer, option):
                    failures.append("%s: %s=%r, spec %s: %s" % (name, question["variable"], answer, where, error))
    assert failures == [], "\n".join(failures)


def test_the_validation_catches_an_answer_the_spec_refuses():
    assert validation_errors("apigw_mode", "zdu", OPTIONS["apigw_mode"][0][1])
    assert validation_errors("apigw_confirmed", "maybe", OPTIONS["apigw_confirmed"][0][1])
    assert validation_errors("apigw_confirmed", "true", OPTIONS["apigw_confirmed"][0][1]) == []


def awx_setup_tasks():
    return yaml.safe_load((REPO / "playbooks" / "awx_setup.yml").read_text())[0]["tasks"]


def job_templates():
    """{job template name without the prefix: its awx.awx.job_template arguments}."""
    found = {}
    for task in awx_setup_tasks():
        args = task.get("awx.awx.job_template")
        if args:
            found[args["name"].split("}} ", 1)[1]] = args
    return found


def test_every_playbook_has_a_job_template_and_the_limit_is_asked_where_it_chooses_nodes():
    templates = job_templates()
    assert sorted(templates) == ["apply", "clean", "rollback", "status", "test upgrade"], sorted(templates)
    for name in ("test upgrade", "apply", "rollback", "clean"):
        assert templates[name].get("ask_limit_on_launch") is True, name
    # the disruptive ones carry their own confirmation in their survey
    for name, survey, variable in (("apply", "apply.json", "apigw_apply_confirmed"),
                                   ("rollback", "rollback.json", "apigw_rollback_confirmed"),
                                   ("clean", "clean.json", "apigw_apply_confirmed")):
        assert "awx/surveys/" + survey in templates[name]["survey_spec"], name
        [question] = [q for q in json.loads((SURVEYS / survey).read_text())["spec"] if q["variable"] == variable]
        assert question["required"] and question["default"] == "false" and question["choices"] == ["false", "true"]


def workflow_nodes():
    [workflow] = [t["awx.awx.workflow_job_template"] for t in awx_setup_tasks() if "awx.awx.workflow_job_template" in t]
    return {node["identifier"]: node for node in workflow["workflow_nodes"]}


SURVEY_OF_TEMPLATE = {"test upgrade": "test_upgrade.json", "apply": "apply.json", "rollback": "rollback.json",
                      "clean": "clean.json"}


def test_each_workflow_node_sends_answers_its_job_template_s_survey_accepts():
    problems = []
    for identifier, node in workflow_nodes().items():
        template = node["unified_job_template"]["name"].split("}} ", 1)[1]
        data = node.get("extra_data") or {}
        if not data:
            continue
        questions = {q["variable"]: q for q in json.loads((SURVEYS / SURVEY_OF_TEMPLATE[template]).read_text())["spec"]}
        for variable, value in data.items():
            question = questions.get(variable)
            if question is None:
                problems.append("%s: %s is not a question of the %s survey" % (identifier, variable, template))
            elif question["type"] == "multiplechoice" and value not in question["choices"]:
                problems.append("%s: %s=%r is not one of the survey's choices %s" % (
                    identifier, variable, value, question["choices"]))
    assert problems == [], "\n".join(problems)
    assert workflow_nodes()["apply-rest"]["extra_data"] == {"apigw_apply_confirmed": "true"}


def test_every_job_node_of_the_workflow_fails_over_to_status_which_ends_it():
    nodes = workflow_nodes()
    jobs = [i for i, n in nodes.items() if n["unified_job_template"]["type"] == "job_template" and i != "status-after-failure"]
    assert sorted(jobs) == ["apply-first-anm", "apply-rest", "test-upgrade"], jobs
    for identifier in jobs:
        failure = [n["identifier"] for n in nodes[identifier].get("related", {}).get("failure_nodes", [])]
        assert failure == ["status-after-failure"], identifier
    status = nodes["status-after-failure"]
    assert status["unified_job_template"]["name"].endswith(" status")
    assert not status.get("related"), "the workflow stops after status"
