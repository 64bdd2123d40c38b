#!/usr/bin/env bash
# The Spark tests (scale/spark/tests) in their own virtualenv.
#
#   scale/spark/run_tests.sh [PYTEST ARGS...]     e.g. -s to see the throughput table
#
# WHOSAID_BIN: the binary under test (default target/release/whosaid: build it first).
# WHOSAID_VENV: the virtualenv, created when missing (default ~/.cache/whosaid-venv).
# PYTHON: the interpreter that makes the virtualenv (default python3).
# Exit status: pytest's, except that "no tests collected" (5) is a failure (1).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${WHOSAID_VENV:-$HOME/.cache/whosaid-venv}"

# PySpark 4 runs on Java 17 or 21.
java_major() {
    java -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -n 1
}
major="$(java_major || true)"
if [ -z "$major" ] || [ "$major" -lt 17 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "run_tests.sh: installing Java 17 (found: ${major:-none})" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
        major="$(java_major || true)"
    fi
    if [ -z "$major" ] || [ "$major" -lt 17 ]; then
        echo "run_tests.sh: Java 17 or later is needed (found: ${major:-none}); install openjdk-17-jre-headless" >&2
        exit 2
    fi
fi

if [ ! -x "$venv/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"

# Spark's Python workers must run the virtualenv's interpreter; no bytecode caches in the tree.
export PYSPARK_PYTHON="$venv/bin/python" PYTHONDONTWRITEBYTECODE=1
status=0
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$here/tests" "$@" || status=$?
if [ "$status" = 5 ]; then
    echo "run_tests.sh: no tests were collected" >&2
    exit 1
fi
exit "$status"
