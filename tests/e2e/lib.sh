# Helpers for the end-to-end tests (sourced by run.sh).

# Runs one test function in a subshell with its own folder; counts the outcome.
run_test() {
	local name=$1 start end output rc
	local dir="$WORK/$name"
	mkdir -p "$dir"
	start=$(date +%s.%N)
	output=$( cd "$dir" && set -e && "$name" 2>&1 )
	rc=$?
	end=$(date +%s.%N)
	if [ $rc -eq 0 ] && no_stray_processes; then
		passed=$((passed + 1))
		printf 'PASS %-44s %5.1fs\n' "$name" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
	elif [ $rc -eq 77 ]; then
		skipped=$((skipped + 1))
		printf 'SKIP %-44s %s\n' "$name" "$(echo "$output" | tail -1)"
	else
		failed=$((failed + 1))
		printf 'FAIL %s (exit %d)\n' "$name" "$rc"
		echo "$output" | tail -25 | sed 's/^/    /'
	fi
}

fail() {
	echo "assertion failed: $*" >&2
	exit 1
}

skip() {
	echo "skipped: $*"
	exit 77
}

# True when no QEMU or OpenOCD started by hilbench is still running.
no_stray_processes() {
	local left
	left=$(pgrep -af "qemu-system-arm.*$WORK/tmp/hilbench-run|openocd.*$ROOT/build/fw" || true)
	if [ -n "$left" ]; then
		echo "stray processes left behind: $left" >&2
		pkill -9 -f "qemu-system-arm.*$WORK/tmp/hilbench-run" 2>/dev/null
		return 1
	fi
	return 0
}

# Runs hilbench; stores stdout/stderr/exit code in $out, $err, $rc.
hb() {
	set +e
	"$HILBENCH" "$@" >stdout.txt 2>stderr.txt
	rc=$?
	set -e
	out=$(cat stdout.txt)
	err=$(cat stderr.txt)
}

# hb with an empty PATH: no qemu, no openocd, no make.
hb_without_path() {
	set +e
	env PATH=/nonexistent "$HILBENCH" "$@" >stdout.txt 2>stderr.txt
	rc=$?
	set -e
	out=$(cat stdout.txt)
	err=$(cat stderr.txt)
}

expect_rc() {
	[ "$rc" -eq "$1" ] || fail "expected exit $1, got $rc; stderr: $err"
}

expect_err_contains() {
	grep -qF -- "$1" stderr.txt || fail "stderr lacks '$1'; it was: $err"
}

expect_out_contains() {
	grep -qF -- "$1" stdout.txt || fail "stdout lacks '$1'; it was: $out"
}

# Exactly one line starting with "error:" on stderr.
expect_one_error_line() {
	local n
	n=$(grep -c '^error:' stderr.txt || true)
	[ "$n" -eq 1 ] || fail "expected one error line, got $n: $err"
}

# json FILE EXPR: evaluates a Python expression on the parsed file as `d`.
json() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

only_result() {
	local files=(results/*.json)
	[ ${#files[@]} -eq 1 ] && [ -f "${files[0]}" ] || fail "expected one result file, found: ${files[*]}"
	echo "${files[0]}"
}

# A copy of the shipped boards folder to break on purpose.
copy_boards() {
	mkdir -p boards
	cp "$ROOT"/boards/*.json boards/
}
