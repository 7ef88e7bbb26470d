# Hints in error messages name only what exists and does what they say.

# The serial hint once sent users to `hilbench boards` for a port list that
# command does not print: whatever the hint names must list ports.
test_serial_hint_names_what_lists_ports() {
	copy_boards
	sed -i 's|/dev/ttyACM0|/dev/ttyNOPE7|' boards/nucleo-f446re.json
	hb run --board nucleo-f446re --boards-dir boards --results results
	[ "$rc" -ne 0 ] || fail "expected failure"
	expect_err_contains "/dev/ttyNOPE7"
	expect_err_contains "ls /dev/serial/by-id"
	if grep -q "hilbench boards" <<<"$err"; then
		hb boards --boards-dir boards
		grep -qi "/dev/\|port" <<<"$out" || fail "the hint names 'hilbench boards', which lists no ports"
	fi
}
