#!/usr/bin/env bash
# `mixcost replay --database` against a real PostgreSQL: LiteLLM's table created as its
# schema.prisma defines it (in a schema of its own, dropped afterwards), a few thousand
# generated rows loaded, and the pushed-down replay compared with a local replay of the same
# rows exported by `\copy` (`--log-format litellm`): identical JSON, to the last digit.
# Then the failures a user meets: unreachable server, unknown role, missing table, missing
# column, wrong column type, a query the server cancels, a write refused by the read-only
# transaction, a password in the URL, a world-readable password file.
#
# Needs PostgreSQL on $PGHOST:$PGPORT (default 127.0.0.1:5432, user postgres, database
# test, trust auth) and psql; installs psql when missing. Run by hand: checks/warehouse-postgres.sh
set -euo pipefail
cd "$(dirname "$0")/.."

export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}" PGDATABASE="${PGDATABASE:-test}"
if ! command -v psql >/dev/null; then
    apt-get update -qq && apt-get install -y -qq postgresql-client >/dev/null
fi
cargo build --quiet --locked
BIN="$PWD/target/debug/mixcost"
SCENARIO=checks/warehouse/scenario.yaml
URL="postgres://$PGUSER@$PGHOST:$PGPORT/$PGDATABASE"

WORK="$(mktemp -d)"
SCHEMA="mixcost_check_$$_$RANDOM"
ROLE="${SCHEMA}_reader"
cleanup() {
    psql -q -v ON_ERROR_STOP=0 -c "DROP SCHEMA IF EXISTS \"$SCHEMA\" CASCADE" -c "DROP ROLE IF EXISTS \"$ROLE\"" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

psql -q -v ON_ERROR_STOP=1 -c "CREATE SCHEMA \"$SCHEMA\""
psql -q -v ON_ERROR_STOP=1 -v schema="$SCHEMA" -f checks/warehouse/litellm_spendlogs.sql
python3 checks/warehouse/generate.py 4000 "$WORK/generated.csv"
TABLE="\"$SCHEMA\".\"LiteLLM_SpendLogs\""
psql -q -v ON_ERROR_STOP=1 -c "\\copy $TABLE FROM '$WORK/generated.csv' CSV HEADER"
export_rows() { # WHERE-clause OUT
    psql -q -v ON_ERROR_STOP=1 -c "\\copy (SELECT * FROM $TABLE WHERE $1 ORDER BY request_id) TO '$2' CSV HEADER"
}
export_rows "TRUE" "$WORK/export.csv"

# 1. The whole table, plain and by day / by model.
for by in "" "--by day" "--by model"; do
    # shellcheck disable=SC2086
    "$BIN" replay "$WORK/export.csv" --log-format litellm --scenario "$SCENARIO" --format json $by > "$WORK/local.json"
    # shellcheck disable=SC2086
    "$BIN" replay --database "$URL" --table "$SCHEMA.LiteLLM_SpendLogs" --scenario "$SCENARIO" --format json $by > "$WORK/db.json"
    python3 checks/warehouse/compare.py "$WORK/local.json" "$WORK/db.json" "postgres ${by:-totals}"
done

# 1b. --strict changes nothing when every row prices, and --emit-scenario writes the
#     scenario a local replay writes, but for the input-size spread (it needs every request).
"$BIN" replay "$WORK/export.csv" --log-format litellm --scenario "$SCENARIO" --format json \
    --emit-scenario "$WORK/local.yaml" > "$WORK/local.json"
"$BIN" replay --database "$URL" --table "$SCHEMA.LiteLLM_SpendLogs" --scenario "$SCENARIO" --format json \
    --strict --emit-scenario "$WORK/db.yaml" > "$WORK/db.json"
python3 checks/warehouse/compare.py "$WORK/local.json" "$WORK/db.json" "postgres --strict"
python3 - "$WORK/local.yaml" "$WORK/db.yaml" <<'PY'
import sys
def body(path):
    lines = [l for l in open(path).read().splitlines() if not l.startswith("#")]
    return lines[:lines.index("uncertainty:")] if "uncertainty:" in lines else lines
local, pushed = body(sys.argv[1]), body(sys.argv[2])
assert local == pushed, f"emitted scenarios differ:\n{local}\n{pushed}"
assert "uncertainty:" not in open(sys.argv[2]).read()
print(f"ok postgres --emit-scenario: the local replay's scenario but the spread ({len(pushed)} lines)")
PY

# 2. --where and a half-open --from/--until, against the same rows exported by psql. The
#    range ends on the instant of the 2026-11-01 price change: rows at exactly that instant
#    are out, the row one millisecond before is in.
export_rows "\"startTime\" >= '2026-10-15 00:00:00' AND \"startTime\" < '2026-11-01 00:00:00' AND model <> 'gpt-5.5'" "$WORK/range.csv"
"$BIN" replay "$WORK/range.csv" --log-format litellm --scenario "$SCENARIO" --format json > "$WORK/local.json"
"$BIN" replay --database "$URL" --table "$SCHEMA.LiteLLM_SpendLogs" --scenario "$SCENARIO" --format json \
    --from 2026-10-15T00:00:00Z --until 2026-11-01T00:00:00Z --where "model <> 'gpt-5.5'" > "$WORK/db.json"
python3 checks/warehouse/compare.py "$WORK/local.json" "$WORK/db.json" "postgres --from/--until/--where"

# 3. A session time zone far from UTC (set on a read-only role of its own) changes nothing.
psql -q -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE \"$ROLE\" LOGIN" \
    -c "ALTER ROLE \"$ROLE\" SET timezone = 'Pacific/Chatham'" \
    -c "GRANT USAGE ON SCHEMA \"$SCHEMA\" TO \"$ROLE\"" \
    -c "GRANT SELECT ON $TABLE TO \"$ROLE\""
"$BIN" replay "$WORK/export.csv" --log-format litellm --scenario "$SCENARIO" --format json --by day > "$WORK/local.json"
"$BIN" replay --database "postgres://$ROLE@$PGHOST:$PGPORT/$PGDATABASE" --table "$SCHEMA.LiteLLM_SpendLogs" \
    --scenario "$SCENARIO" --format json --by day > "$WORK/db.json"
python3 checks/warehouse/compare.py "$WORK/local.json" "$WORK/db.json" "postgres, session time zone Pacific/Chatham"

# 4. Rows that cannot be priced are skipped and counted by reason the same way: an unknown
#    model, negative tokens, cached > input, a data class that is none, cached tokens that are
#    not a number.
psql -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO $TABLE (request_id, call_type, spend, prompt_tokens, completion_tokens, "startTime", "endTime", model, metadata, request_tags) VALUES
 ('bad-1', 'acompletion', 0.1, 100, 10, '2026-10-20 10:00:00', '2026-10-20 10:00:01', 'mystery-model', '{}', '[]'),
 ('bad-2', 'acompletion', 0.1, 100, 10, '2026-10-20 10:00:00', '2026-10-20 10:00:01', 'mystery-model', '{}', '[]'),
 ('bad-3', 'acompletion', 0.1, -5, 10, '2026-10-20 10:00:00', '2026-10-20 10:00:01', 'gpt-5.5', '{}', '[]'),
 ('bad-4', 'acompletion', 0.1, 10, 10, '2026-10-20 10:00:00', '2026-10-20 10:00:01', 'gpt-5.5', '{"usage_object": {"cache_read_input_tokens": 11}}', '[]'),
 ('bad-5', 'acompletion', 0.1, 10, 10, '2026-10-20 10:00:00', '2026-10-20 10:00:01', 'gpt-5.5', '{}', '["data_class:secret"]'),
 ('bad-6', 'acompletion', 0.1, 10, 10, '2026-10-20 10:00:00', '2026-10-20 10:00:01', 'gpt-5.5', '{"usage_object": {"cache_read_input_tokens": "many"}}', '[]');
SQL
export_rows "TRUE" "$WORK/with-bad.csv"
"$BIN" replay "$WORK/with-bad.csv" --log-format litellm --scenario "$SCENARIO" --format json > "$WORK/local.json"
"$BIN" replay --database "$URL" --table "$SCHEMA.LiteLLM_SpendLogs" --scenario "$SCENARIO" --format json > "$WORK/db.json"
python3 checks/warehouse/compare.py "$WORK/local.json" "$WORK/db.json" "postgres with unpriceable rows" --skips-by-count
python3 - "$WORK/db.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
counts = {r["reason"]: r["count"] for r in rows["skipped_by_reason"]}
expected = {"bad_tokens": 2, "bad_value": 2, "unknown_model": 2}
assert counts == expected, f"skips {counts}, expected {expected}"
assert rows["read"] == rows["priced"] + rows["skipped"] == 4006, rows
print("ok skipped rows by reason:", counts)
PY

# 5. Failures: exit 2, the server's message and what to check, nothing on stdout.
expect_error() { # LABEL PATTERN-IN-STDERR ARGS…
    local label="$1" pattern="$2"
    shift 2
    set +e
    "$BIN" replay --scenario "$SCENARIO" --format json "$@" > "$WORK/out" 2> "$WORK/err"
    local code=$?
    set -e
    [ "$code" -eq 2 ] || { cat "$WORK/err" >&2; fail "$label: exit $code, expected 2"; }
    [ ! -s "$WORK/out" ] || fail "$label: printed a result: $(head -c 200 "$WORK/out")"
    grep -q -- "$pattern" "$WORK/err" || { cat "$WORK/err" >&2; fail "$label: no '$pattern' in the message"; }
    grep -q "help:" "$WORK/err" || { cat "$WORK/err" >&2; fail "$label: the message says nothing to check"; }
    echo "ok $label: $(grep -m1 . "$WORK/err" | cut -c1-150)"
}
expect_error "unreachable server" "cannot connect" --database "postgres://postgres@127.0.0.1:1/test"
expect_error "unknown role" "does not exist" --database "postgres://nobody_$SCHEMA@$PGHOST:$PGPORT/$PGDATABASE"
expect_error "unknown database" "3D000" --database "postgres://$PGUSER@$PGHOST:$PGPORT/no_such_db_$$"
expect_error "missing table" "does not exist" --database "$URL" --table "$SCHEMA.no_such_table"
psql -q -v ON_ERROR_STOP=1 -c "CREATE TABLE \"$SCHEMA\".no_metadata AS SELECT request_id, spend, prompt_tokens, completion_tokens, \"startTime\", model, request_tags FROM $TABLE"
expect_error "missing column" 'no column "metadata"' --database "$URL" --table "$SCHEMA.no_metadata"
psql -q -v ON_ERROR_STOP=1 -c "CREATE TABLE \"$SCHEMA\".text_tokens AS SELECT request_id, spend, prompt_tokens::text AS prompt_tokens, completion_tokens, \"startTime\", model, metadata, request_tags FROM $TABLE"
expect_error "wrong column type" '"prompt_tokens" of .* is text' --database "$URL" --table "$SCHEMA.text_tokens"
expect_error "statement timeout" "statement timeout" --database "$URL" --table "$SCHEMA.LiteLLM_SpendLogs" \
    --statement-timeout 0.5 --where "pg_sleep(0.01) IS NOT NULL"
psql -q -v ON_ERROR_STOP=1 -c "CREATE SEQUENCE \"$SCHEMA\".counter"
expect_error "write refused (read-only transaction)" "read-only transaction" --database "$URL" \
    --table "$SCHEMA.LiteLLM_SpendLogs" --where "nextval('\"$SCHEMA\".counter') > 0"
expect_error "--strict with unpriceable rows" "6 of 4006 requests" --database "$URL" \
    --table "$SCHEMA.LiteLLM_SpendLogs" --strict
expect_error "password in the URL" "PGPASSWORD" --database "postgres://postgres:hunter2@$PGHOST/test"
grep -q hunter2 "$WORK/err" && fail "the password was echoed"

# 6. A world-readable password file is ignored with libpq's warning (trust auth still lets
#    the connection through, so the replay itself succeeds).
printf '%s:%s:*:%s:secret\n' "$PGHOST" "$PGPORT" "$PGUSER" > "$WORK/pgpass"
chmod 644 "$WORK/pgpass"
PGPASSFILE="$WORK/pgpass" "$BIN" replay --database "$URL" --table "$SCHEMA.LiteLLM_SpendLogs" \
    --scenario "$SCENARIO" --format json > /dev/null 2> "$WORK/err"
grep -q "group or world access" "$WORK/err" || fail "no warning for a world-readable password file"
echo "ok world-readable password file: ignored with a warning"
echo "warehouse-postgres: all checks passed"
