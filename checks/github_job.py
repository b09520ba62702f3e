"""Runs the GitHub job of examples/github-actions.yml, and the composite action.yml it uses,
the way GitHub's runner does, against git repositories built here; then checks what each case
left behind: the job's result, the comment on the pull request, the job summary, annotations.

The steps are read from the YAML files as written (nothing is copied from them): each `run:`
block runs in `bash --noprofile --norc -eo pipefail` with the environment GitHub sets
(GITHUB_WORKSPACE, GITHUB_EVENT_PATH with a pull_request event, GITHUB_OUTPUT, GITHUB_PATH,
GITHUB_STEP_SUMMARY, GITHUB_ACTION_PATH, RUNNER_TEMP, …) and `${{ }}` expressions in `env:`
and `with:` evaluated. An expression naming a context or step this runner does not know is an
error, not an empty string, so a typo in the YAML fails the check.

What cannot run here is stood in for, each stand-in recording what it was asked: `cargo install`
(links the mixcost binary under test), `gh` (GitHub's API, holding the pull request's comments
in a JSON file, able to refuse as a read-only token does), actions/checkout (the workspace is
already checked out) and actions/cache (skipped).

Usage: github_job.py MIXCOST REPO_ROOT WORK_DIR; exits 1 when a case is wrong.
"""

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import textwrap

import yaml

MARKER = "<!-- mixcost-report -->"
REPO = "acme/costs"
PR = 7

FAKE_GH = r'''#!/usr/bin/env python3
"""Stands in for `gh api` on a pull request's comments; state in $FAKE_GH_STATE."""
import json, os, subprocess, sys
args = sys.argv[1:]
with open(os.environ["FAKE_GH_LOG"], "a") as log:
    log.write(json.dumps(args) + "\n")
if not os.environ.get("GH_TOKEN"):
    sys.exit("gh: To use GitHub CLI in a GitHub Actions workflow, set the GH_TOKEN environment variable")
if os.environ.get("FAKE_GH_DENY") == "1":
    sys.exit("gh: Resource not accessible by integration (HTTP 403)")
assert args[0] == "api", args
state_path = os.environ["FAKE_GH_STATE"]
comments = json.load(open(state_path)) if os.path.exists(state_path) else []
method, path, jq, body = "GET", None, None, None
rest = args[1:]
while rest:
    arg = rest.pop(0)
    if arg == "-X":
        method = rest.pop(0)
    elif arg == "--jq":
        jq = rest.pop(0)
    elif arg == "--paginate":
        pass
    elif arg == "-F":
        key, _, value = rest.pop(0).partition("=")
        assert key == "body" and value.startswith("@"), arg
        body = open(value[1:]).read()
        if method == "GET":
            method = "POST"
    else:
        path = arg
if method == "GET":
    assert path.endswith("/issues/%s/comments" % os.environ["FAKE_GH_PR"]), path
    out = subprocess.run(["jq", "-r", jq], input=json.dumps(comments), capture_output=True,
                         text=True, check=True).stdout
    sys.stdout.write(out)
elif method == "POST":
    assert path.endswith("/issues/%s/comments" % os.environ["FAKE_GH_PR"]), path
    comments.append({"id": 1000 + len(comments), "body": body})
elif method == "PATCH":
    wanted = int(path.rsplit("/", 1)[1])
    found = [c for c in comments if c["id"] == wanted]
    if not found:
        sys.exit("gh: Not Found (HTTP 404)")
    found[0]["body"] = body
json.dump(comments, open(state_path, "w"))
'''

FAKE_CARGO = r'''#!/usr/bin/env python3
"""Stands in for `cargo install --path`: links the mixcost binary under test."""
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_CARGO_LOG"], "a") as log:
    log.write(json.dumps(args) + "\n")
assert args[0] == "install" and "--locked" in args, args
path = args[args.index("--path") + 1]
assert os.path.exists(os.path.join(path, "Cargo.lock")), path
root = args[args.index("--root") + 1]
os.makedirs(os.path.join(root, "bin"), exist_ok=True)
target = os.path.join(root, "bin", "mixcost")
if os.path.lexists(target):
    os.remove(target)
os.symlink(os.environ["MIXCOST"], target)
'''


class Unsupported(Exception):
    pass


def run(cmd, cwd=None, env=None):
    return subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True, text=True)


class Runner:
    """One job run: contexts, step outputs, PATH additions, the summary."""

    def __init__(self, workspace, action_dir, event, env, temp):
        self.workspace = workspace
        self.action_dir = action_dir
        self.event = event
        self.env = env
        self.temp = temp
        self.steps = {}
        self.inputs = {}
        self.path_extra = []
        self.summary = ""
        self.stdout = ""
        self.counter = 0
        self.log = []

    def github(self):
        return {
            "token": self.env.get("TOKEN", ""),
            "repository": self.env["GITHUB_REPOSITORY"],
            "workspace": self.workspace,
            "action_path": self.action_dir,
            "event": self.event,
            "event_name": "pull_request",
        }

    def value(self, expression):
        expression = expression.strip()
        if re.fullmatch(r"'[^']*'", expression):
            return expression[1:-1]
        parts = expression.split(".")
        head = parts[0]
        if head == "inputs":
            if parts[1] not in self.inputs:
                raise Unsupported(f"input '{parts[1]}' is not declared")
            return self.inputs[parts[1]]
        if head == "steps":
            step_id, what, name = parts[1], parts[2], parts[3]
            if step_id not in self.steps:
                raise Unsupported(f"no step with id '{step_id}' ran or was declared before")
            assert what == "outputs", expression
            return self.steps[step_id].get(name, "")
        if head == "runner":
            return {"os": "Linux", "temp": self.temp}[parts[1]]
        if head == "github":
            value = self.github()
            for part in parts[1:]:
                if not isinstance(value, dict):
                    raise Unsupported(expression)
                value = value.get(part, "")
            return "" if value is None else str(value)
        raise Unsupported(f"expression '{expression}'")

    def expand(self, text):
        if not isinstance(text, str):
            return str(text).lower() if isinstance(text, bool) else str(text)
        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: self.value(m.group(1)), text)

    def should_run(self, step, failed):
        condition = step.get("if")
        if condition is None:
            return not failed
        if condition.strip() == "always()":
            return True
        raise Unsupported(f"if: {condition}")

    def run_step(self, step, declared_ids):
        self.counter += 1
        output = os.path.join(self.temp, f"output-{self.counter}")
        summary = os.path.join(self.temp, f"summary-{self.counter}")
        path_file = os.path.join(self.temp, f"path-{self.counter}")
        for name in (output, summary, path_file):
            open(name, "w").close()
        env = dict(self.env)
        env.pop("TOKEN", None)
        env.update(
            GITHUB_OUTPUT=output,
            GITHUB_STEP_SUMMARY=summary,
            GITHUB_PATH=path_file,
            GITHUB_ACTION_PATH=self.action_dir,
        )
        env["PATH"] = ":".join(self.path_extra + [self.env["PATH"]])
        for key, value in (step.get("env") or {}).items():
            env[key] = self.expand(value)
        script = os.path.join(self.temp, f"step-{self.counter}.sh")
        with open(script, "w") as handle:
            handle.write(step["run"])
        assert step.get("shell", "bash") == "bash", step
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", script],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
        )
        self.stdout += done.stdout
        self.log.append((step.get("name", step.get("id")), done.returncode, done.stderr))
        outputs = {}
        for line in open(output).read().splitlines():
            key, _, value = line.partition("=")
            outputs[key] = value
        if step.get("id"):
            self.steps[step["id"]] = outputs
        self.summary += open(summary).read()
        self.path_extra = [p for p in open(path_file).read().splitlines() if p] + self.path_extra
        return done.returncode == 0

    def run_action(self, with_values):
        action = yaml.safe_load(open(os.path.join(self.action_dir, "action.yml")))
        assert action["runs"]["using"] == "composite"
        self.inputs = {}
        for name, spec in action["inputs"].items():
            default = spec.get("default", "")
            self.inputs[name] = self.expand(with_values.get(name, default))
        unknown = set(with_values) - set(action["inputs"])
        if unknown:
            raise Unsupported(f"the workflow passes undeclared inputs {sorted(unknown)}")
        failed = False
        for step in action["runs"]["steps"]:
            if step.get("id"):
                self.steps.setdefault(step["id"], {})
            if not self.should_run(step, failed):
                self.log.append((step.get("name"), "skipped", ""))
                continue
            if "uses" in step:
                # actions/cache: expand its inputs (a bad expression fails here), then skip.
                for value in (step.get("with") or {}).values():
                    self.expand(value)
                self.log.append((step.get("name"), "uses " + step["uses"] + " (skipped)", ""))
                continue
            if not self.run_step(step, None):
                failed = True
        return not failed

    def run_job(self, workflow, overrides):
        jobs = workflow["jobs"]
        (job,) = jobs.values()
        failed = False
        for step in job["steps"]:
            if not self.should_run(step, failed):
                continue
            uses = step.get("uses", "")
            if uses.startswith("actions/checkout@"):
                assert (step.get("with") or {}).get("fetch-depth") == 0, "the base needs history"
                continue
            if uses == "./":
                with_values = dict(step.get("with") or {})
                with_values.update(overrides)
                if not self.run_action(with_values):
                    failed = True
                continue
            if "run" in step:
                if not self.run_step(step, None):
                    failed = True
                continue
            raise Unsupported(f"step {step}")
        return not failed


def git(repo, *args):
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
    )
    return run(["git", *args], cwd=repo, env=env).stdout.strip()


def write(repo, files):
    for path, text in files.items():
        full = os.path.join(repo, path)
        if text is None:
            os.remove(full)
            continue
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as handle:
            handle.write(text)


class Case:
    def __init__(self, context, name, base, head, overrides=None, fork=False, deny=False,
                 state=None, runs=1):
        self.name = name
        root = os.path.join(context["work"], name)
        shutil.rmtree(root, ignore_errors=True)
        repo = os.path.join(root, "repo")
        os.makedirs(repo)
        git(repo, "init", "--quiet", "-b", "main")
        # The action comes with the repository (`uses: ./`): action.yml and Cargo.lock.
        shutil.copy(os.path.join(context["root"], "action.yml"), repo)
        shutil.copy(os.path.join(context["root"], "Cargo.lock"), repo)
        write(repo, {"README.md": "costs\n", **base})
        git(repo, "add", "-A")
        git(repo, "commit", "--quiet", "-m", "base")
        base_sha = git(repo, "rev-parse", "HEAD")
        git(repo, "checkout", "--quiet", "-b", "change")
        write(repo, head)
        git(repo, "add", "-A")
        git(repo, "commit", "--quiet", "-m", "change")
        head_sha = git(repo, "rev-parse", "HEAD")
        event = {
            "action": "synchronize",
            "number": PR,
            "pull_request": {
                "number": PR,
                "base": {"sha": base_sha, "ref": "main", "repo": {"full_name": REPO}},
                "head": {
                    "sha": head_sha,
                    "ref": "change",
                    "repo": {"full_name": "someone/costs" if fork else REPO},
                },
            },
            "repository": {"full_name": REPO},
        }
        event_path = os.path.join(root, "event.json")
        json.dump(event, open(event_path, "w"))
        bin_dir = os.path.join(root, "bin")
        os.makedirs(bin_dir)
        for name_, text in (("gh", FAKE_GH), ("cargo", FAKE_CARGO)):
            path = os.path.join(bin_dir, name_)
            open(path, "w").write(text)
            os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)
        self.state = state or os.path.join(root, "comments.json")
        self.gh_log = os.path.join(root, "gh.log")
        self.cargo_log = os.path.join(root, "cargo.log")
        home = os.path.join(root, "home")
        os.makedirs(home)
        self.results = []
        for attempt in range(runs):
            temp = os.path.join(root, f"runner-temp-{attempt}")
            os.makedirs(temp)
            env = {
                "PATH": bin_dir + ":" + os.environ["PATH"],
                "HOME": home,
                "LANG": "C.UTF-8",
                "CI": "true",
                "GITHUB_ACTIONS": "true",
                "GITHUB_WORKSPACE": repo,
                "GITHUB_EVENT_NAME": "pull_request",
                "GITHUB_EVENT_PATH": event_path,
                "GITHUB_REPOSITORY": REPO,
                "GITHUB_BASE_REF": "main",
                "GITHUB_HEAD_REF": "change",
                "GITHUB_SHA": head_sha,
                "GITHUB_REF": f"refs/pull/{PR}/merge",
                "RUNNER_TEMP": temp,
                "RUNNER_OS": "Linux",
                "MIXCOST": context["mixcost"],
                "FAKE_GH_STATE": self.state,
                "FAKE_GH_LOG": self.gh_log,
                "FAKE_GH_PR": str(PR),
                "FAKE_CARGO_LOG": self.cargo_log,
                # github.token: a fork's pull request gets a read-only one; `deny` plays a
                # token without pull-requests: write.
                "TOKEN": "ghs_readonly" if fork else "ghs_token",
            }
            if deny:
                env["FAKE_GH_DENY"] = "1"
            runner = Runner(repo, repo, event, env, temp)
            workflow = yaml.safe_load(
                open(os.path.join(context["root"], "examples", "github-actions.yml"))
            )
            ok = runner.run_job(workflow, overrides or {})
            self.results.append((ok, runner))
        self.ok, self.runner = self.results[-1]
        self.comments = json.load(open(self.state)) if os.path.exists(self.state) else []
        self.gh_calls = (
            [json.loads(line) for line in open(self.gh_log)] if os.path.exists(self.gh_log) else []
        )
        self.cargo_calls = [json.loads(line) for line in open(self.cargo_log)]
        self.problems = []

    def expect(self, condition, what):
        if not condition:
            self.problems.append(what)

    def report(self):
        status = "ok" if not self.problems else "WRONG"
        print(f"[{status}] {self.name}: job {'passed' if self.ok else 'failed'}, "
              f"{len(self.comments)} comment(s), verdict {self.runner.steps.get('verdict', {}).get('verdict')}")
        for problem in self.problems:
            print(f"    - {problem}")
        if self.problems:
            for name, code, err in self.runner.log:
                print(f"    step {name!r}: {code}")
                if err.strip():
                    print(textwrap.indent(err.strip()[-1500:], "        "))
            print(textwrap.indent("summary:\n" + self.runner.summary[-3000:], "    "))
        return not self.problems


def main():
    mixcost, root, work = sys.argv[1:4]
    context = {"mixcost": os.path.abspath(mixcost), "root": os.path.abspath(root), "work": work}
    fixtures = os.path.join(root, "tests", "fixtures", "ci")
    read = lambda path: open(os.path.join(fixtures, path)).read()
    seed, changed = read("base.yaml"), read("changed.yaml")
    desk = read("per-request/base.yaml")
    more_traffic = read("per-request/more-traffic.yaml")
    broken = seed.replace("    output_tokens: 10M\n", "    output_tokens: 10M\n    cache_hit_rte: 0.5\n")
    # The repository's own scenarios are the action's input default here.
    scenarios = {"scenarios": "scenarios", "pricing": ""}
    good = True

    case = Case(context, "passing", {"scenarios/seed.yaml": seed},
                {"scenarios/seed.yaml": seed + "# reviewed\n"}, scenarios)
    case.expect(case.ok, "the job passes")
    case.expect(len(case.comments) == 1, "one comment is posted")
    case.expect(case.comments and case.comments[0]["body"].startswith(MARKER + "\n"),
                "the comment starts with the marker")
    case.expect(case.comments and "mixcost check: passed" in case.comments[0]["body"],
                "the comment says passed")
    case.expect("+0.0%" in case.runner.summary or "0.0%" in case.runner.summary,
                "the summary shows the unchanged costs")
    case.expect(any("--path" in call and "--locked" in call for call in case.cargo_calls),
                "mixcost is installed with cargo install --locked --path")
    case.expect(case.runner.steps["verdict"].get("verdict") == "pass", "output verdict=pass")
    good &= case.report()

    case = Case(context, "failing-check", {"scenarios/seed.yaml": seed},
                {"scenarios/seed.yaml": changed}, scenarios, runs=2)
    case.expect(not case.ok, "the job fails")
    case.expect(all(not ok for ok, _ in case.results), "both runs fail")
    case.expect(len(case.comments) == 1, "two runs leave one comment (the second edits it)")
    case.expect(["PATCH" in call for call in case.gh_calls].count(True) == 1,
                "the second run edits the comment")
    body = case.comments[0]["body"] if case.comments else ""
    case.expect("mixcost check: FAILED" in body, "the comment says FAILED")
    case.expect("| FAIL | max increase | mixed-flash | +$56.35 ($469.60 → $525.95, +12.0%) | 10% |" in body,
                "the comment shows the failing increase")
    case.expect(case.runner.log[-1][1] == 1, "the last step is the one that fails")
    good &= case.report()

    case = Case(context, "failing-validate", {"scenarios/seed.yaml": seed},
                {"scenarios/seed.yaml": broken}, scenarios)
    case.expect(not case.ok, "the job fails")
    body = case.comments[0]["body"] if case.comments else ""
    case.expect(len(case.comments) == 1, "the comment is still posted")
    case.expect("### mixcost validate: FAILED" in body, "the comment shows validate failed")
    case.expect("cache_hit_rte" in body, "the comment names the bad key")
    case.expect("### mixcost check could not run until validate's errors are fixed" in body,
                "the comment says check could not run")
    case.expect(re.search(r"^::error file=scenarios/seed\.yaml,line=\d+,col=\d+,title=mixcost validate::unknown field `cache_hit_rte`",
                          case.runner.stdout, re.M) is not None,
                "validate prints a GitHub annotation at the file, line and column")
    good &= case.report()

    case = Case(context, "broken-base", {"scenarios/seed.yaml": broken},
                {"scenarios/seed.yaml": seed}, scenarios)
    body = case.comments[0]["body"] if case.comments else ""
    case.expect(case.ok, "the pull request that fixes a broken base passes (with warnings)")
    case.expect("could not be priced" in body and "cache_hit_rte" in body,
                "the comment says the base could not be priced, and why")
    good &= case.report()

    case = Case(context, "unknown-base-ref", {"scenarios/seed.yaml": seed},
                {"scenarios/seed.yaml": seed + "# reviewed\n"},
                dict(scenarios, **{"base-ref": "no-such-ref"}))
    body = case.comments[0]["body"] if case.comments else ""
    case.expect(not case.ok, "a base commit that is not there fails the job")
    case.expect("The base commit (no-such-ref) could not be priced" in body, "the comment says so")
    good &= case.report()

    case = Case(context, "missing-base", {"scenarios/seed.yaml": seed},
                {"scenarios/desk.yaml": desk}, scenarios)
    body = case.comments[0]["body"] if case.comments else ""
    case.expect(case.ok, "the job passes: a new scenario only warns")
    case.expect("New scenarios, not on the base commit" in body and "`scenarios/desk.yaml`" in body,
                "the comment names the new scenario")
    case.expect("new: not in" in body, "the new scenario's section says it is new")
    case.expect("| FAIL |" not in body, "nothing fails")
    case.expect(case.runner.steps["verdict"].get("verdict") == "warn", "output verdict=warn")
    good &= case.report()

    case = Case(context, "no-base-at-all", {}, {"scenarios/desk.yaml": desk}, scenarios)
    body = case.comments[0]["body"] if case.comments else ""
    case.expect(case.ok, "the job passes: the first scenario of a repository is new")
    case.expect("`scenarios/desk.yaml`" in body, "the comment names the new scenario")
    good &= case.report()

    case = Case(context, "fork", {"scenarios/seed.yaml": seed},
                {"scenarios/seed.yaml": seed + "# reviewed\n"}, scenarios, fork=True)
    case.expect(case.ok, "the job passes")
    case.expect(not case.gh_calls, "no comment is attempted with a fork's token")
    case.expect(case.runner.summary.startswith(MARKER), "the report is in the job summary")
    case.expect("comes from the fork someone/costs" in case.runner.summary,
                "the summary says why there is no comment")
    good &= case.report()

    case = Case(context, "no-permission", {"scenarios/seed.yaml": seed},
                {"scenarios/seed.yaml": changed}, scenarios, deny=True)
    case.expect(not case.ok, "the job fails: the check failed")
    case.expect(not case.comments, "no comment could be posted")
    case.expect("mixcost check: FAILED" in case.runner.summary, "the report is in the job summary")
    case.expect("pull-requests: write" in case.runner.summary, "the summary says what to grant")
    good &= case.report()

    per_request = dict(scenarios, **{"per-request": "true"})
    case = Case(context, "more-traffic-per-request", {"scenarios/desk.yaml": desk},
                {"scenarios/desk.yaml": more_traffic}, per_request)
    body = case.comments[0]["body"] if case.comments else ""
    case.expect(case.ok, "12% more requests at the same cost per request passes")
    case.expect("10% per request" in body, "the limit is shown per request")
    good &= case.report()

    case = Case(context, "more-traffic-monthly", {"scenarios/desk.yaml": desk},
                {"scenarios/desk.yaml": more_traffic}, scenarios)
    case.expect(not case.ok, "12% more requests fails a 10% limit on the month")
    good &= case.report()

    return 0 if good else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Unsupported as error:
        print(f"error: the job uses something this runner does not model: {error}", file=sys.stderr)
        sys.exit(1)
