#!/usr/bin/env bash
# The analysis examples' tests (tests/examples) in their own virtualenv: examples/analyse.py
# and analyse.ipynb against the report's numbers, the report page in headless Chromium,
# and the Parquet files in pandas, polars and DuckDB.
#
#   tests/examples/run_tests.sh [PYTEST ARGS...]     e.g. -s, or -k parquet
#
# WHOSAID_BIN: the binary under test (default target/release/whosaid: build it first).
# WHOSAID_VENV: the virtualenv, created when missing (default ~/.cache/whosaid-venv, shared
#   with scale/spark/run_tests.sh).
# WHOSAID_SCREENSHOT_DIR: where the report screenshots go (default a temporary folder).
# WHOSAID_REQUIRE_SHARED=1: fail, not skip, when ../shared/data/polnear is missing.
# PYTHON: the interpreter that makes the virtualenv (default python3).
# CHROMIUM: the browser (default chromium on PATH; installed with apt-get when root).
# Exit status: pytest's, except that "no tests collected" (5) is a failure (1).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${WHOSAID_VENV:-$HOME/.cache/whosaid-venv}"

browser="${CHROMIUM:-$(command -v chromium || true)}"
if [ -z "$browser" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "run_tests.sh: installing chromium" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
        browser="$(command -v chromium || true)"
    fi
    if [ -z "$browser" ]; then
        echo "run_tests.sh: Chromium is needed for the report page test; install it (Debian: apt-get install chromium) or set CHROMIUM" >&2
        exit 2
    fi
fi
export CHROMIUM="$browser"

if [ ! -x "$venv/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r "$root/examples/requirements.txt"

# No bytecode caches in the tree.
export PYTHONDONTWRITEBYTECODE=1
status=0
"$venv/bin/python" -m pytest -q -rs -p no:cacheprovider "$here" "$@" || status=$?
if [ "$status" = 5 ]; then
    echo "run_tests.sh: no tests were collected" >&2
    exit 1
fi
exit "$status"
