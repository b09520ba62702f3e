#!/usr/bin/env bash
# The README's install, as a user does it: `cargo install --locked --path .` into an empty
# root, then, in an empty folder with no checkout beside it, `mixcost init --with-pricing`,
# every written scenario priced (with the shipped and with the written price files, which must
# agree), and every example of every command's --help run as printed (a `# exit N` comment
# names an expected non-zero exit). Installs in the debug profile to reuse this build.
# Run by hand: checks/install.sh
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cargo install --quiet --locked --debug --path . --root "$WORK/root" \
    --target-dir "${CARGO_TARGET_DIR:-$PWD/target}"
export PATH="$WORK/root/bin:$PATH" HOME="$WORK/home"
mkdir -p "$HOME" "$WORK/user"
cp tests/fixtures/replay/log.csv "$WORK/requests.csv"
cd "$WORK/user"

fail() { echo "install: $*" >&2; exit 1; }

mixcost init --with-pricing > init.txt
grep -q '^next: mixcost compare --pricing pricing scenarios/seed.yaml$' init.txt || fail "init names no next command"
count=0
for scenario in scenarios/*.yaml; do
    shipped="$(mixcost compare "$scenario")" || fail "compare $scenario"
    written="$(mixcost compare --pricing pricing "$scenario")" || fail "compare --pricing pricing $scenario"
    [ "$shipped" = "$written" ] || fail "$scenario prices differently with the written price files"
    count=$((count + 1))
done
[ "$count" -eq 7 ] || fail "init wrote $count scenarios, not 7"
[ "$(mixcost compare scenarios/seed.yaml)" = "$(mixcost compare)" ] || fail "the written seed differs from the embedded one"

examples=0
for command in compare models gap whatif sweep sensitivity solve check diff validate schema simulate report replay init; do
    folder="$WORK/$command"
    mkdir -p "$folder"
    cd "$folder"
    if [ "$command" != init ]; then
        mixcost init --with-pricing > /dev/null
        cp "$WORK/requests.csv" requests.csv
    fi
    while IFS= read -r line; do
        words="${line%%#*}"
        expected=0
        case "$line" in *"# exit "*) expected="${line##*# exit }"; expected="${expected%%:*}" ;; esac
        set -f
        # shellcheck disable=SC2086
        set -- $words
        set +f
        code=0
        "$@" > /dev/null 2> "$WORK/stderr" || code=$?
        [ "$code" -eq "$expected" ] || fail "\`$words\` (from $command --help) exited $code, not $expected: $(cat "$WORK/stderr")"
        examples=$((examples + 1))
    done < <(mixcost "$command" --help | sed -n '/^Examples:/,$p' | sed -n 's/^  \(mixcost .*\)$/\1/p')
done
[ "$examples" -ge 30 ] || fail "only $examples examples in the help texts"
echo "install: installed binary, $count scenarios from init, $examples help examples: all checks passed"
