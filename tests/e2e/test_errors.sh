# Bad input as a new user would give it: one clear line, a non-zero exit,
# nothing left running.

test_missing_board() {
	hb run --board qemu-m5 --results results
	expect_rc 2
	expect_one_error_line
	expect_err_contains "qemu-m5"
	expect_err_contains "qemu-m4"
}

test_profile_field_typo() {
	copy_boards
	sed -i 's/"clock_hz"/"clok_hz"/' boards/qemu-m4.json
	hb run --board qemu-m4 --boards-dir boards --results results
	expect_rc 2
	expect_one_error_line
	expect_err_contains "boards/qemu-m4.json"
	expect_err_contains "clok_hz"
	expect_err_contains "clock_hz"
}

test_missing_serial_port() {
	copy_boards
	sed -i 's|/dev/ttyACM0|/dev/ttyNOPE7|' boards/nucleo-f446re.json
	hb run --board nucleo-f446re --boards-dir boards --results results
	[ "$rc" -ne 0 ] || fail "expected failure"
	expect_one_error_line
	expect_err_contains "/dev/ttyNOPE7"
}

test_openocd_without_probe() {
	command -v openocd >/dev/null || skip "openocd not installed"
	copy_boards
	# The console is a TCP listener here, so the run gets as far as flashing.
	python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(30)' > port.txt &
	local listener=$!
	while [ ! -s port.txt ]; do sleep 0.05; done
	python3 - "$(cat port.txt)" <<'PY'
import json, sys
d = json.load(open("boards/nucleo-f446re.json"))
d["console"] = {"transport": "tcp", "device": "127.0.0.1:" + sys.argv[1]}
json.dump(d, open("boards/nucleo-f446re.json", "w"))
PY
	hb run --board nucleo-f446re --boards-dir boards --results results
	kill $listener
	[ "$rc" -ne 0 ] || fail "expected failure"
	expect_one_error_line
	expect_err_contains "nucleo-f446re"
	expect_err_contains "stlink"
}

test_qemu_missing_from_path() {
	hb build --board qemu-m4
	expect_rc 0
	local elf="$ROOT/build/fw/qemu-m4/firmware.elf"
	hb_without_path run --board qemu-m4 --firmware "$elf" --results results
	expect_rc 2
	expect_one_error_line
	expect_err_contains "qemu-system-arm"
}

test_hang_times_out_and_keeps_partial_results() {
	local start end file
	start=$(date +%s)
	hb run --board qemu-m4 --runs 60 --timeout 2 --retries 1 --debug-hang --results results
	end=$(date +%s)
	expect_rc 3
	expect_one_error_line
	expect_err_contains "did not answer"
	[ $((end - start)) -le 20 ] || fail "took $((end - start)) s to give up"
	file=$(only_result)
	[ "$(json "$file" 'd["status"]')" = "error" ] || fail "status"
	[ "$(json "$file" 'd["error"]["kind"]')" = "timeout" ] || fail "error kind"
	[ "$(json "$file" 'len(d["measurements"]["count_per_inference"]["runs"])')" = "48" ] \
		|| fail "first batch of runs not kept"
}

# --debug-hang once did nothing when every run fit one batch (<= 48 runs).
test_hang_with_one_batch_of_runs_still_hangs() {
	hb run --board qemu-m4 --runs 10 --timeout 2 --retries 1 --debug-hang --results results
	expect_rc 3
	expect_err_contains "did not answer"
	[ "$(json "$(only_result)" 'len(d["measurements"]["count_per_inference"]["runs"])')" = "5" ] \
		|| fail "the runs before the hang (half of 10) not kept"
}

# ... and nothing with --suite: now refused, never silently ignored.
test_hang_with_a_suite_is_refused() {
	hb run --board qemu-m4 --suite "$ROOT/suites/fmnist" --limit 2 --debug-hang --results results
	expect_rc 2
	expect_one_error_line
	expect_err_contains "--debug-hang"
	expect_err_contains "--suite"
}

# ... and nothing with a single run: the hang now goes before it, and the
# record says no run completed instead of inventing counts.
test_hang_before_a_single_run() {
	hb run --board qemu-m4 --runs 1 --timeout 2 --retries 1 --debug-hang --results results
	expect_rc 3
	expect_err_contains "did not answer"
	local file
	file=$(only_result)
	[ "$(json "$file" 'd["measurements"]["runs_completed"]')" = "0" ] || fail "runs_completed is not 0"
	[ "$(json "$file" '"count_per_inference" in d["measurements"] or "latency" in d["measurements"]')" = "False" ] \
		|| fail "counts reported for runs that never completed"
	[ "$(json "$file" 'd["status"]')" = "error" ] || fail "status is not error"
}
