#!/usr/bin/env bash
# Serambi's whole test run, as CI does it and as `make test` does it on a laptop:
#
#   1. system packages (PostgreSQL, chromium, gettext), installed when missing and root
#   2. the virtualenv with the test extra
#   3. Django checks: system checks, no missing migrations, translations compile
#   4. pytest on SQLite
#   5. pytest again on PostgreSQL: a local cluster started here (root), or the
#      database named by SERAMBI_TEST_POSTGRES_URL
#
# Works with no standard input. Settings by environment:
#   PYTHON                     interpreter for a new virtualenv (default: python3)
#   VENV                       virtualenv directory (default: .venv)
#   SERAMBI_TEST_POSTGRES_URL  postgres://user:password@host:port/db whose role may
#                              CREATEDB; skips the local cluster set-up
#   PYTEST_ARGS                extra pytest arguments for both runs (e.g. "-x -k demo")
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
SYSTEM_PACKAGES=(postgresql chromium gettext)
PG_ROLE=serambi
PG_PASSWORD=serambi-test    # a throwaway role on a cluster that listens on localhost only
PG_DATABASE=serambi
RESULTS=test-results
read -r -a PYTEST_EXTRA <<< "${PYTEST_ARGS:-}"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
note() { printf '    %s\n' "$*"; }
fail() { printf '\n\033[1;31mERROR:\033[0m %s\n' "$*" >&2; exit 1; }
is_root() { [[ $(id -u) -eq 0 ]]; }
is_ci() { [[ ${CI:-} == true || ${CI:-} == 1 ]]; }

declare -A TIMINGS=()
FAILED_RUNS=()
timed() {  # timed LABEL command...: run it, remember how long it took, keep its status
    local label=$1 started=$SECONDS status=0
    shift
    "$@" || status=$?
    TIMINGS[$label]=$((SECONDS - started))
    return "$status"
}

# --- 1. system packages --------------------------------------------------------
missing_packages() {
    local package
    for package in "${SYSTEM_PACKAGES[@]}"; do
        dpkg -s "$package" >/dev/null 2>&1 || printf '%s\n' "$package"
    done
}

missing_tools() {  # for machines without dpkg, or packages installed another way
    command -v msgfmt >/dev/null || echo "gettext (msgfmt)"
    [[ -x ${SERAMBI_CHROMIUM:-/usr/bin/chromium} ]] || echo "chromium (/usr/bin/chromium or SERAMBI_CHROMIUM)"
}

install_system_packages() {
    step "System packages: ${SYSTEM_PACKAGES[*]}"
    local missing=()
    if command -v dpkg >/dev/null; then
        mapfile -t missing < <(missing_packages)
    else
        mapfile -t missing < <(missing_tools)
    fi
    if [[ ${#missing[@]} -eq 0 ]]; then
        note "all present; apt-get skipped"
        return
    fi
    if ! is_root || ! command -v apt-get >/dev/null; then
        local still_missing=()
        mapfile -t still_missing < <(missing_tools)
        if [[ ${#still_missing[@]} -eq 0 ]]; then
            note "not root: apt-get skipped; the tools the tests need are present"
            note "(PostgreSQL only through SERAMBI_TEST_POSTGRES_URL, see below)"
            return
        fi
        fail "missing: ${missing[*]}.
Install them first, e.g. on Debian or Ubuntu:
    sudo apt-get install ${missing[*]}
(or run this script as root, which installs them itself)."
    fi
    note "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # The postgresql package creates its first cluster in the current locale:
    # make that UTF-8, or the databases would be SQL_ASCII.
    LANG=C.UTF-8 LC_ALL=C.UTF-8 apt-get install -y -q "${missing[@]}"
}

# --- 2. virtualenv ---------------------------------------------------------------
prepare_virtualenv() {
    step "Virtualenv $VENV with serambi[test]"
    if [[ ! -x $VENV/bin/python ]]; then
        note "creating it with $PYTHON -m venv"
        "$PYTHON" -m venv "$VENV"
    fi
    local stamp=$VENV/.installed-test
    if [[ -f $stamp && $stamp -nt pyproject.toml ]]; then
        note "up to date with pyproject.toml; pip skipped"
        return
    fi
    "$VENV/bin/python" -m pip install --quiet -e '.[test]'
    touch "$stamp"
}

# --- 3. Django checks ------------------------------------------------------------
django_checks() {
    step "Django system checks"
    env -u DATABASE_URL "$VENV/bin/serambi" check

    step "Migrations match the models (makemigrations --check)"
    env -u DATABASE_URL "$VENV/bin/serambi" makemigrations --check --dry-run

    step "Translations compile (msgfmt --check)"
    shopt -s nullglob
    local catalogues=(serambi/locale/*/LC_MESSAGES/*.po)
    shopt -u nullglob
    if [[ ${#catalogues[@]} -eq 0 ]]; then
        note "no translation catalogues yet (serambi/locale/*/LC_MESSAGES/*.po)"
        return
    fi
    local catalogue
    for catalogue in "${catalogues[@]}"; do
        msgfmt --check --output-file=/dev/null "$catalogue"
        note "$catalogue"
    done
}

# --- 4 and 5. pytest ---------------------------------------------------------------
run_pytest() {  # run_pytest NAME [env assignments...]
    local name=$1
    shift
    mkdir -p "$RESULTS"
    env "$@" "$VENV/bin/pytest" --junitxml="$RESULTS/$name.xml" --durations=5 \
        ${PYTEST_EXTRA[@]+"${PYTEST_EXTRA[@]}"}
}

pytest_sqlite() {
    step "pytest on SQLite"
    # A failure here does not stop the PostgreSQL run: both results are worth having.
    timed "SQLite" run_pytest sqlite -u DATABASE_URL || FAILED_RUNS+=("SQLite")
}

start_local_postgres() {  # start the local cluster, make the role and database; set POSTGRES_URL
    local version cluster port status
    if ! command -v pg_lsclusters >/dev/null; then
        fail "PostgreSQL is not installed (apt-get install postgresql)"
    fi
    read -r version cluster port status _ < <(pg_lsclusters --no-header | sort -V | tail -n 1) || true
    if [[ -z ${version:-} ]]; then
        version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
        note "no cluster yet: creating $version/main"
        pg_createcluster --locale=C.UTF-8 "$version" main >/dev/null
        read -r version cluster port status _ < <(pg_lsclusters --no-header | sort -V | tail -n 1)
    fi
    if [[ $status == online* ]]; then
        note "cluster $version/$cluster already running on port $port"
    else
        note "starting cluster $version/$cluster on port $port"
        pg_ctlcluster "$version" "$cluster" start
    fi
    local second
    for second in $(seq 30); do
        if pg_isready -q -h 127.0.0.1 -p "$port"; then
            break
        elif [[ $second -eq 30 ]]; then
            fail "PostgreSQL on port $port did not accept connections within 30 s"
        fi
        sleep 1
    done
    local encoding
    encoding=$(cd / && runuser -u postgres -- psql --no-psqlrc -Atq -p "$port" -d postgres \
        -c "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = 'template1'")
    if [[ $encoding != UTF8 ]]; then
        fail "cluster $version/$cluster stores text as $encoding; the tests need UTF8. Recreate it:
    pg_dropcluster --stop $version $cluster && pg_createcluster --locale=C.UTF-8 --start $version $cluster"
    fi
    note "role $PG_ROLE (LOGIN CREATEDB) and database $PG_DATABASE"
    # From / so that psql, running as postgres, may read its working directory.
    (cd / && runuser -u postgres -- psql --quiet --no-psqlrc -v ON_ERROR_STOP=1 -p "$port" \
        -d postgres >/dev/null) <<SQL
SELECT 'CREATE ROLE $PG_ROLE' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE')\gexec
ALTER ROLE $PG_ROLE WITH LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
SELECT 'CREATE DATABASE $PG_DATABASE OWNER $PG_ROLE'
    WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DATABASE')\gexec
SQL
    POSTGRES_URL="postgres://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$port/$PG_DATABASE"
}

pytest_postgres() {
    step "PostgreSQL for the second run"
    if [[ -n ${SERAMBI_TEST_POSTGRES_URL:-} ]]; then
        note "using SERAMBI_TEST_POSTGRES_URL"
        POSTGRES_URL=$SERAMBI_TEST_POSTGRES_URL
    elif is_root; then
        start_local_postgres
    elif is_ci; then
        fail "CI needs root to start PostgreSQL, or SERAMBI_TEST_POSTGRES_URL"
    else
        note "SKIPPED: not root, so no local cluster is started here. To run the tests on"
        note "PostgreSQL too, set SERAMBI_TEST_POSTGRES_URL=postgres://user:password@host/db"
        note "(the role needs CREATEDB; docs/operations.md shows how to make one)."
        return
    fi
    step "pytest on PostgreSQL"
    timed "PostgreSQL" run_pytest postgres DATABASE_URL="$POSTGRES_URL" || FAILED_RUNS+=("PostgreSQL")
}

summary() {
    step "Summary"
    local label
    for label in "SQLite" "PostgreSQL"; do
        if [[ -n ${TIMINGS[$label]:-} ]]; then
            local result=passed
            [[ " ${FAILED_RUNS[*]} " == *" $label "* ]] && result=FAILED
            note "$(printf '%-11s %4d s  %s' "$label" "${TIMINGS[$label]}" "$result")"
        else
            note "$(printf '%-11s not run' "$label")"
        fi
    done
    if [[ ${#FAILED_RUNS[@]} -gt 0 ]]; then
        printf '\033[1;31mFAILED:\033[0m tests failed on %s (their failures are listed above)\n' \
            "${FAILED_RUNS[*]}"
    fi
    # One closing line over every run, from the JUnit reports pytest wrote.
    "$VENV/bin/python" - "$RESULTS"/sqlite.xml "$RESULTS"/postgres.xml <<'PY'
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
for path in map(Path, sys.argv[1:]):
    if path.exists():
        for suite in ET.parse(path).getroot().iter("testsuite"):
            for key in totals:
                totals[key] += int(suite.get(key, 0))
failed = totals["failures"] + totals["errors"]
passed = totals["tests"] - failed - totals["skipped"]
print(f"total: {passed} passed, {failed} failed, {totals['skipped']} skipped")
PY
}

main() {
    local started=$SECONDS
    # Reports of an earlier run must not count in this one's summary.
    rm -f "$RESULTS"/sqlite.xml "$RESULTS"/postgres.xml
    install_system_packages
    prepare_virtualenv
    django_checks
    pytest_sqlite
    pytest_postgres
    note "whole run: $((SECONDS - started)) s"
    summary
    [[ ${#FAILED_RUNS[@]} -eq 0 ]]
}

main "$@"
