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
}

test_meters_lists_drivers() {
	hb meters --json
	expect_rc 0
	expect_out_contains '"name":"ppk2"'
	expect_out_contains '"usb":"1915:c00a"'
	expect_out_contains '"shared_usb":"0483:5740"'
}
