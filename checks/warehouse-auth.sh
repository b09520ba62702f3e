#!/usr/bin/env bash
# `mixcost replay --database` against a password-checking PostgreSQL: a private cluster of its
# own (initdb in a temporary directory, a free port on 127.0.0.1, scram-sha-256 for every
# TCP connection), stopped on exit whatever happens. Checks that the password is taken from
# PGPASSWORD and from a password file (PGPASSFILE, mode 0600), that a wrong or missing
# password exits 2 with the server's message and what to check and prints no result, and
# that the pushed-down replay still equals the local replay of the same rows.
#
# Needs PostgreSQL's server binaries (initdb, pg_ctl; installs postgresql when missing) and
# runs the cluster as the `postgres` user when started as root. Run by hand:
# checks/warehouse-auth.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BINDIR="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$BINDIR" ] || [ ! -x "$BINDIR/initdb" ]; then
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    BINDIR="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
fi
command -v psql >/dev/null || { apt-get update -qq && apt-get install -y -qq postgresql-client >/dev/null; }
cargo build --quiet --locked
BIN="$PWD/target/debug/mixcost"
SCENARIO=checks/warehouse/scenario.yaml

WORK="$(mktemp -d)"
chmod 755 "$WORK"
DATA="$WORK/data"
as_owner() { # COMMAND… as the cluster's owner (postgres refuses to run as root)
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}
stop() {
    if [ -f "$DATA/postmaster.pid" ]; then
        as_owner "$BINDIR/pg_ctl" -D "$DATA" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap stop EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
PASSWORD="s3cret-$RANDOM$RANDOM"
mkdir "$DATA"
[ "$(id -u)" -eq 0 ] && chown postgres "$DATA"
printf '%s\n' "$PASSWORD" > "$WORK/pwfile"
chmod 644 "$WORK/pwfile"
as_owner "$BINDIR/initdb" -D "$DATA" -U postgres --pwfile="$WORK/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
rm -f "$WORK/pwfile"
as_owner "$BINDIR/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories='$DATA'" start >/dev/null
echo "private cluster on 127.0.0.1:$PORT (scram-sha-256)"

export PGHOST=127.0.0.1 PGPORT="$PORT" PGUSER=postgres PGDATABASE=postgres
URL="postgres://postgres@127.0.0.1:$PORT/postgres"
PGPASSWORD="$PASSWORD" psql -q -v ON_ERROR_STOP=1 -c "CREATE SCHEMA s"
PGPASSWORD="$PASSWORD" psql -q -v ON_ERROR_STOP=1 -v schema=s -f checks/warehouse/litellm_spendlogs.sql
python3 checks/warehouse/generate.py 500 "$WORK/generated.csv"
PGPASSWORD="$PASSWORD" psql -q -v ON_ERROR_STOP=1 -c "\\copy s.\"LiteLLM_SpendLogs\" FROM '$WORK/generated.csv' CSV HEADER"
PGPASSWORD="$PASSWORD" psql -q -v ON_ERROR_STOP=1 -c "\\copy (SELECT * FROM s.\"LiteLLM_SpendLogs\") TO '$WORK/export.csv' CSV HEADER"
"$BIN" replay "$WORK/export.csv" --log-format litellm --scenario "$SCENARIO" --format json > "$WORK/local.json"

# 1. The right password, from PGPASSWORD and from a 0600 password file.
PGPASSWORD="$PASSWORD" "$BIN" replay --database "$URL" --table s.LiteLLM_SpendLogs \
    --scenario "$SCENARIO" --format json > "$WORK/db.json"
python3 checks/warehouse/compare.py "$WORK/local.json" "$WORK/db.json" "scram-sha-256, password from PGPASSWORD"
printf '127.0.0.1:%s:postgres:postgres:%s\n' "$PORT" "$PASSWORD" > "$WORK/pgpass"
chmod 600 "$WORK/pgpass"
env -u PGPASSWORD PGPASSFILE="$WORK/pgpass" "$BIN" replay --database "$URL" --table s.LiteLLM_SpendLogs \
    --scenario "$SCENARIO" --format json > "$WORK/db.json"
python3 checks/warehouse/compare.py "$WORK/local.json" "$WORK/db.json" "scram-sha-256, password from PGPASSFILE"

# 2. A wrong password, and none at all: exit 2, the server's word, what to check, no result.
expect_error() { # LABEL PATTERN-IN-STDERR ENV…
    local label="$1" pattern="$2"
    shift 2
    set +e
    env -u PGPASSWORD PGPASSFILE="$WORK/none" "$@" "$BIN" replay --database "$URL" \
        --table s.LiteLLM_SpendLogs --scenario "$SCENARIO" --format json > "$WORK/out" 2> "$WORK/err"
    local code=$?
    set -e
    [ "$code" -eq 2 ] || { cat "$WORK/err" >&2; fail "$label: exit $code, expected 2"; }
    [ ! -s "$WORK/out" ] || fail "$label: printed a result"
    grep -q -- "$pattern" "$WORK/err" || { cat "$WORK/err" >&2; fail "$label: no '$pattern' in the message"; }
    grep -q "help:" "$WORK/err" || { cat "$WORK/err" >&2; fail "$label: the message says nothing to check"; }
    grep -q -- "$PASSWORD" "$WORK/err" && fail "$label: the password was echoed"
    echo "ok $label: $(grep -m1 . "$WORK/err" | cut -c1-160)"
}
expect_error "wrong password (PGPASSWORD)" "password authentication failed" PGPASSWORD=wrong
printf '127.0.0.1:%s:postgres:postgres:wrong\n' "$PORT" > "$WORK/badpass"
chmod 600 "$WORK/badpass"
expect_error "wrong password (PGPASSFILE)" "28P01" PGPASSFILE="$WORK/badpass"
expect_error "no password" "PGPASSWORD" PGPASSFILE="$WORK/none"
echo "warehouse-auth: all checks passed"
