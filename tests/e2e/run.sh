#!/usr/bin/env bash
# End-to-end tests: the real CLI against the emulated boards (QEMU).
# Usage: tests/e2e/run.sh path/to/hilbench   (E2E_FILTER=REGEX runs the matching tests only)
# Prints one line per test and a closing "e2e: N passed, N failed".
set -u
HILBENCH=$(realpath "${1:?usage: run.sh path/to/hilbench}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/hilbench-e2e-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export NO_COLOR=1
# hilbench makes its run folders (QEMU's socket, logs) under $TMPDIR: keeping
# them in $WORK lets the stray-process check see only this suite's QEMUs.
export TMPDIR="$WORK/tmp"
mkdir -p "$TMPDIR"
# Real boards' locks (docs/boards.md#locks) in $WORK too: suites run side by
# side on one host must not find each other's boards in use.
export XDG_RUNTIME_DIR="$WORK/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"
# The ASan build reports leaks at exit; child tools are not ours to judge.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
passed=0 failed=0 skipped=0

. "$ROOT/tests/e2e/lib.sh"

for test_file in "$ROOT"/tests/e2e/test_*.sh; do
	. "$test_file"
done

for test in $(declare -F | awk '{print $3}' | grep '^test_' | grep -E -- "${E2E_FILTER:-.}"); do
	run_test "$test"
done

echo "e2e: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
