#!/usr/bin/env bash
# `mixcost replay --database` against a password-checking, TLS-serving PostgreSQL: a private
# cluster of its own (initdb in a temporary directory, a free port on 127.0.0.1 and 127.0.0.2,
# scram-sha-256 for every TCP connection, ssl = on with a server certificate for localhost and
# 127.0.0.1 signed by a throwaway CA made here with openssl), stopped on exit whatever happens.
# Checks that the password is taken from PGPASSWORD and from a password file (PGPASSFILE, mode
# 0600), that a wrong or missing password exits 2 with the server's message and what to check
# and prints no result; then libpq's TLS settings: sslmode=require, verify-full with the CA
# (host localhost), verify-ca with a host name the certificate does not name, each equal to the
# local replay and encrypted (the server's connection log says so); verify-full without the CA,
# with the system roots, with another CA and with that wrong host name, exit 2 with what to
# check; sslmode=disable against a hostssl-only pg_hba.conf, exit 2 with the server's message;
# sslmode=require against a server with ssl = off, exit 2.
#
# Needs PostgreSQL's server binaries (initdb, pg_ctl; installs postgresql when missing) and
# openssl, and runs the cluster as the `postgres` user when started as root. Run by hand:
# checks/warehouse-auth.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BINDIR="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$BINDIR" ] || [ ! -x "$BINDIR/initdb" ]; then
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    BINDIR="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
fi
command -v psql >/dev/null || { apt-get update -qq && apt-get install -y -qq postgresql-client >/dev/null; }
command -v openssl >/dev/null || { apt-get update -qq && apt-get install -y -qq openssl >/dev/null; }
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

# A CA, and a server certificate for localhost and 127.0.0.1 signed by it; a second CA that
# signed nothing here.
TLS="$WORK/tls"
mkdir "$TLS"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mixcost check CA" \
    -keyout "$TLS/ca.key" -out "$TLS/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=another CA" \
    -keyout "$TLS/other.key" -out "$TLS/other.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$TLS/server.key" -out "$TLS/server.csr" 2>/dev/null
printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" > "$TLS/server.ext"
openssl x509 -req -in "$TLS/server.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" -CAcreateserial \
    -days 2 -extfile "$TLS/server.ext" -out "$TLS/server.crt" 2>/dev/null
cp "$TLS/server.crt" "$TLS/server.key" "$DATA/"
chmod 600 "$DATA/server.key"
[ "$(id -u)" -eq 0 ] && chown postgres "$DATA/server.crt" "$DATA/server.key"
# Every TCP connection, encrypted or not, with a password; each connection logged (the log
# says whether it is encrypted).
printf '%s\n' "local all all trust" "host all all 127.0.0.0/8 scram-sha-256" > "$WORK/hba"
as_owner cp "$WORK/hba" "$DATA/pg_hba.conf"
# In postgresql.conf, not on the command line, so that ALTER SYSTEM can turn TLS off below.
printf '%s\n' "ssl = on" "ssl_cert_file = 'server.crt'" "ssl_key_file = 'server.key'" "log_connections = on" \
    | as_owner tee -a "$DATA/postgresql.conf" >/dev/null
as_owner "$BINDIR/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
    -o "-c listen_addresses=127.0.0.1,127.0.0.2 -c port=$PORT -c unix_socket_directories='$DATA'" start >/dev/null
echo "private cluster on 127.0.0.1:$PORT (scram-sha-256, TLS with a certificate for localhost and 127.0.0.1)"

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

# 3. TLS, configured as libpq: the URL's sslmode and sslrootcert (or PGSSLMODE, PGSSLROOTCERT).
# HOME is an empty folder, so no ~/.postgresql/root.crt is found.
mkdir "$WORK/home"
connections() { grep -c 'connection authorized: user=postgres database=postgres application_name=mixcost replay' "$DATA/server.log" || true; }
last_connection() { grep 'connection authorized: user=postgres database=postgres application_name=mixcost replay' "$DATA/server.log" | tail -n 1; }
expect_tls() { # LABEL URL ENCRYPTED(yes|no) ENV…: the local replay's result, encrypted or not
    local label="$1" url="$2" encrypted="$3"
    shift 3
    local before
    before="$(connections)"
    env HOME="$WORK/home" PGPASSWORD="$PASSWORD" "$@" "$BIN" replay --database "$url" --table s.LiteLLM_SpendLogs \
        --scenario "$SCENARIO" --format json > "$WORK/db.json" 2> "$WORK/err" \
        || { cat "$WORK/err" >&2; fail "$label: exit $?"; }
    python3 checks/warehouse/compare.py "$WORK/local.json" "$WORK/db.json" "$label"
    [ "$(connections)" -gt "$before" ] || fail "$label: the server logged no connection"
    if [ "$encrypted" = yes ]; then
        last_connection | grep -q "SSL enabled" || fail "$label: the connection was not encrypted: $(last_connection)"
    else
        last_connection | grep -q "SSL enabled" && fail "$label: the connection was encrypted: $(last_connection)"
    fi
    echo "ok $label: $(last_connection | grep -o 'SSL enabled ([^)]*)' || echo 'no TLS')"
}
expect_tls_error() { # LABEL URL PATTERN-IN-STDERR ENV…: exit 2, what to check, no result
    local label="$1" url="$2" pattern="$3"
    shift 3
    set +e
    env HOME="$WORK/home" PGPASSWORD="$PASSWORD" "$@" "$BIN" replay --database "$url" --table s.LiteLLM_SpendLogs \
        --scenario "$SCENARIO" --format json > "$WORK/out" 2> "$WORK/err"
    local code=$?
    set -e
    [ "$code" -eq 2 ] || { cat "$WORK/err" >&2; fail "$label: exit $code, expected 2"; }
    [ ! -s "$WORK/out" ] || fail "$label: printed a result"
    grep -q -- "$pattern" "$WORK/err" || { cat "$WORK/err" >&2; fail "$label: no '$pattern' in the message"; }
    grep -q "help:" "$WORK/err" || { cat "$WORK/err" >&2; fail "$label: the message says nothing to check"; }
    grep -q -- "$PASSWORD" "$WORK/err" && fail "$label: the password was echoed"
    echo "ok $label: $(grep -m1 . "$WORK/err" | cut -c1-200)"
}
CA="$TLS/ca.pem"
expect_tls "default (prefer) uses TLS the server offers" "$URL" yes
expect_tls "sslmode=disable" "$URL?sslmode=disable" no
expect_tls "sslmode=require" "$URL?sslmode=require" yes
expect_tls "PGSSLMODE=require" "$URL" yes PGSSLMODE=require
expect_tls "verify-full, sslrootcert=CA, host localhost" \
    "postgres://postgres@localhost:$PORT/postgres?sslmode=verify-full&sslrootcert=$CA" yes
expect_tls "verify-full, PGSSLROOTCERT=CA, host 127.0.0.1" "$URL?sslmode=verify-full" yes PGSSLROOTCERT="$CA"
expect_tls "require with sslrootcert=CA (checks the chain, as libpq)" "$URL?sslmode=require&sslrootcert=$CA" yes
WRONG="postgres://postgres@127.0.0.2:$PORT/postgres"
expect_tls "verify-ca, host 127.0.0.2 (not in the certificate)" "$WRONG?sslmode=verify-ca&sslrootcert=$CA" yes
expect_tls_error "verify-full, host 127.0.0.2 (not in the certificate)" \
    "$WRONG?sslmode=verify-full&sslrootcert=$CA" "not valid for the host name '127.0.0.2'"
expect_tls_error "verify-full without a CA" "$URL?sslmode=verify-full" "no root certificate was given"
expect_tls_error "verify-full with the system roots" "$URL?sslrootcert=system" "not trusted"
expect_tls_error "verify-ca with another CA" "$URL?sslmode=verify-ca&sslrootcert=$TLS/other.pem" "not trusted"
expect_tls_error "require with another CA" "$URL?sslmode=require&sslrootcert=$TLS/other.pem" "not trusted"
expect_tls_error "sslrootcert that is no certificate" "$URL?sslmode=verify-full&sslrootcert=$TLS/server.ext" "holds no certificate"
expect_tls_error "an unknown URL parameter" "$URL?sslmode=require&sslcert=$TLS/server.crt" "'sslcert' is not supported"

# 4. TLS only (hostssl): plaintext is refused by the server, TLS still works.
printf '%s\n' "local all all trust" "hostssl all all 127.0.0.0/8 scram-sha-256" > "$WORK/hba"
as_owner cp "$WORK/hba" "$DATA/pg_hba.conf"
as_owner "$BINDIR/pg_ctl" -D "$DATA" reload >/dev/null
sleep 1
expect_tls_error "sslmode=disable against hostssl only" "$URL?sslmode=disable" "no encryption"
grep -q "only over TLS" "$WORK/err" || fail "hostssl only: the message does not say TLS is required"
expect_tls "default (prefer) against hostssl only" "$URL" yes
expect_tls "verify-full against hostssl only" "$URL?sslmode=verify-full&sslrootcert=$CA" yes

# 5. A server without TLS: require fails, prefer falls back to plaintext.
printf '%s\n' "local all all trust" "host all all 127.0.0.0/8 scram-sha-256" > "$WORK/hba"
as_owner cp "$WORK/hba" "$DATA/pg_hba.conf"
PGPASSWORD="$PASSWORD" psql -q -v ON_ERROR_STOP=1 -c "ALTER SYSTEM SET ssl = off" -c "SELECT pg_reload_conf()" >/dev/null
sleep 1
expect_tls_error "sslmode=require, server without TLS" "$URL?sslmode=require" "does not offer TLS"
expect_tls "default (prefer), server without TLS" "$URL" no
echo "warehouse-auth: all checks passed"
