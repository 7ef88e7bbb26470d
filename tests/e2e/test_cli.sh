# The CLI surface: help, boards, bad command lines.

test_help_teaches() {
	hb --help
	expect_rc 0
	expect_out_contains "usage: hilbench"
	expect_out_contains "exit status"
	hb run --help
	expect_rc 0
	expect_out_contains "--board ID"
	expect_out_contains "not"
	expect_out_contains "cycles"
}

test_unknown_command_and_option() {
	hb frobnicate
	expect_rc 2
	expect_one_error_line
	expect_err_contains "unknown command 'frobnicate'"
	hb run --bored qemu-m4
	expect_rc 2
	expect_err_contains "unknown option '--bored'"
	hb run --runs many
	expect_rc 2
	expect_err_contains "option '--runs': expected an integer"
}

test_boards_lists_profiles() {
	hb boards
	expect_rc 0
	expect_out_contains "qemu-m4"
	expect_out_contains "nucleo-f446re"
	echo "$out" | grep -E '^qemu-m4 .*emulated-instructions .*emulated +yes' >/dev/null \
		|| fail "qemu-m4 not marked as runnable here: $out"
	echo "$out" | grep -E '^nucleo-f446re .*compile-only' >/dev/null \
		|| fail "nucleo-f446re not marked compile-only: $out"
	# The extensions and the limits, in columns that line up under a long core name.
	echo "$out" | grep -E '^qemu-m55 +cortex-m55 +fpv5-d16 +yes +yes ' >/dev/null \
		|| fail "qemu-m55 without its FPU, DSP and MVE: $out"
	echo "$out" | grep -E '^qemu-m0 +cortex-m0 +none +no +no +16\.0 +16K +256K ' >/dev/null \
		|| fail "qemu-m0 without its limits: $out"
	python3 -c '
import re, sys
lines = {l.split()[0]: l for l in open(sys.argv[1]) if l.strip()}
starts = {k: [m.start() for m in re.finditer(r"\S+", lines[k])] for k in ("board", "pico", "qemu-m4")}
assert starts["board"][:8] == starts["pico"][:8] == starts["qemu-m4"][:8], starts
' stdout.txt || fail "the columns do not line up: $out"
	hb boards --json
	expect_rc 0
	python3 -c '
import json, sys
boards = {b["id"]: b for b in json.load(open(sys.argv[1]))}
m55, stand_in = boards["qemu-m55"], boards["qemu-l4r5zi"]
assert m55["mve"] is True and m55["dsp"] is True and m55["fpu"] == "fpv5-d16", m55
assert boards["qemu-m4"]["mve"] is False and boards["qemu-m0"]["ram_bytes"] == 16384
assert stand_in["emulates"] == "nucleo-l4r5zi" and stand_in["limits_from"] == "nucleo-l4r5zi"
assert stand_in["clock_hz"] == boards["nucleo-l4r5zi"]["clock_hz"], stand_in
' stdout.txt || fail "boards --json: $out"
}

test_meters_lists_drivers() {
	hb meters --json
	expect_rc 0
	expect_out_contains '"name":"ppk2"'
	expect_out_contains '"usb":"1915:c00a"'
	expect_out_contains '"shared_usb":"0483:5740"'
}
