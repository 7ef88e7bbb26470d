# Several boards in one run (--board a,b,c): one child per board, one
# table, the worst exit status; and the locks that keep two runs off one
# real board.

# record_of DIR BOARD: the one suite record of BOARD in DIR.
record_of() {
	local files=("$1"/*_"$2"_fmnist.json)
	[ ${#files[@]} -eq 1 ] && [ -f "${files[0]}" ] || fail "expected one record of $2 in $1: ${files[*]}"
	echo "${files[0]}"
}

test_multiboard_three_boards_in_parallel_equal_their_single_runs() {
	local board multi single
	hb run --board qemu-m3,qemu-m4 --board qemu-m7 --suite "$ROOT/suites/fmnist" --limit 4 \
		--jobs 2 --results multi
	expect_rc 0
	expect_out_contains "hilbench run: 3 boards"
	expect_out_contains "wall time, measured on the host:"
	expect_err_contains "board qemu-m7: started (3 of 3"
	for board in qemu-m3 qemu-m4 qemu-m7; do
		grep -q "^$board .*fmnist_int8 int8 .* ok$" stdout.txt || fail "no $board row in the table: $out"
		grep -q "^$board  *0 " stdout.txt || fail "no exit status of $board: $out"
		grep -qF "board $board: ok, exit 0 after" stderr.txt || fail "no end of $board: $err"
	done
	# Each board's record is what a run of that board alone gives.
	for board in qemu-m3 qemu-m4 qemu-m7; do
		hb run --board "$board" --suite "$ROOT/suites/fmnist" --limit 4 --results "single-$board"
		expect_rc 0
		multi=$(record_of multi "$board")
		single=$(record_of "single-$board" "$board")
		/usr/bin/python3 "$ROOT/tests/e2e/record_normal.py" "$multi" "${multi%.json}.jsonl" >multi.txt
		/usr/bin/python3 "$ROOT/tests/e2e/record_normal.py" "$single" "${single%.json}.jsonl" >single.txt
		cmp -s multi.txt single.txt || fail "$board: the parallel run's record differs: $(diff multi.txt single.txt | head -20)"
	done
	ls multi/*_boards-*/qemu-m4.log >/dev/null || fail "no log of qemu-m4's child"
}

test_multiboard_a_board_named_twice_is_a_usage_error() {
	hb run --board qemu-m4,qemu-m4 --runs 2
	expect_rc 2
	expect_one_error_line
	expect_err_contains "board 'qemu-m4' is named twice in --board"
	hb run --board qemu-m3 --board qemu-m7,qemu-m3 --runs 2
	expect_rc 2
	expect_err_contains "board 'qemu-m3' is named twice in --board"
	hb run --board qemu-m3,qemu-m9 --runs 2
	expect_rc 2
	expect_err_contains "qemu-m9"
	[ ! -d results ] || fail "a usage error started boards: $(ls -R results)"
}

test_multiboard_a_failing_board_does_not_stop_the_others() {
	local single_rc
	# The fmnist int8 model does not fit the micro:bit's 16 KiB of RAM.
	hb run --board qemu-m0 --model "$ROOT/suites/fmnist/fmnist_int8.tflite" --runs 2 --warmup 0 \
		--results single
	single_rc=$rc
	[ "$single_rc" -ne 0 ] || fail "qemu-m0 ran a model larger than its RAM"
	hb run --board qemu-m0,qemu-m4 --model "$ROOT/suites/fmnist/fmnist_int8.tflite" --runs 2 \
		--warmup 0 --results multi --json
	expect_rc "$single_rc"
	echo "$out" >multi.json
	[ "$(json multi.json 'd["boards"]["qemu-m4"]["exit_status"]')" = 0 ] || fail "qemu-m4: $out"
	[ "$(json multi.json 'd["boards"]["qemu-m4"]["records"][0]["status"]')" = ok ] || fail "qemu-m4's record: $out"
	[ "$(json multi.json 'd["boards"]["qemu-m0"]["exit_status"]')" = "$single_rc" ] || fail "qemu-m0: $out"
	json multi.json 'd["boards"]["qemu-m0"]["error"]' | grep -q "needs .* bytes of RAM" || fail "qemu-m0's error: $out"
	[ "$(json multi.json 'd["wall_time"]["source"]')" = "wall time, measured on the host" ] || fail "wall time: $out"
	expect_err_contains "board qemu-m0: failed, exit $single_rc after"
}

test_multiboard_a_real_board_in_use_is_refused_naming_the_holder() {
	local first lock
	export XDG_RUNTIME_DIR="$PWD/xdg"
	mkdir -m 700 xdg fake-hang fake-fail
	cat >lab.json <<-EOF2
		{"schema": 1, "boards": [
		 {"id": "f446-1", "profile": "nucleo-f446re",
		  "probe": {"kind": "stlink-v2-1", "serial": "0669FF485550755187034646"},
		  "console": "/dev/serial/by-id/usb-STMicroelectronics_STM32_STLink_0669FF485550755187034646-if02"}]}
	EOF2
	# The lock is taken before the firmware build: a make that says it
	# started and then holds on stands for a run using the board.
	printf '#!/bin/sh\ntouch "%s/building"\nexec sleep 60\n' "$PWD" >fake-hang/make
	printf '#!/bin/sh\necho "fake make: nothing built" >&2\nexit 2\n' >fake-fail/make
	chmod +x fake-hang/make fake-fail/make
	PATH="$PWD/fake-hang:$PATH" "$HILBENCH" run --lab lab.json --board f446-1 --runs 2 --warmup 0 \
		>first.out 2>first.err &
	first=$!
	for _ in $(seq 600); do
		[ -e building ] && break
		kill -0 "$first" 2>/dev/null || fail "the first run ended before building: $(cat first.err)"
		sleep 0.05
	done
	[ -e building ] || fail "the first run never built: $(cat first.err)"
	lock=xdg/hilbench/board-f446-1.lock
	grep -qx "pid $first" "$lock" || fail "the lock file does not name pid $first: $(cat "$lock")"
	PATH="$PWD/fake-fail:$PATH" hb run --lab lab.json --board f446-1 --runs 2 --warmup 0
	expect_rc 3
	expect_one_error_line
	expect_err_contains "board f446-1 is in use by hilbench pid $first since "
	expect_err_contains "(hilbench run --lab lab.json --board f446-1 --runs 2 --warmup 0)"
	# kill -9: no handler runs, the kernel drops the lock with the process.
	kill -9 "$first"
	wait "$first" 2>/dev/null || true
	PATH="$PWD/fake-fail:$PATH" hb run --lab lab.json --board f446-1 --runs 2 --warmup 0
	[ "$rc" -ne 0 ] || fail "a run built firmware with a make that fails"
	grep -qF "is in use" stderr.txt && fail "the lock outlived its holder: $err"
	expect_err_contains "fake make: nothing built"
}

# infer flashes the board as run does: a board a run holds is refused.
test_multiboard_infer_refuses_a_real_board_a_run_holds() {
	local first
	export XDG_RUNTIME_DIR="$PWD/xdg"
	mkdir -m 700 xdg fake-hang
	printf '#!/bin/sh\ntouch "%s/building"\nexec sleep 60\n' "$PWD" >fake-hang/make
	chmod +x fake-hang/make
	PATH="$PWD/fake-hang:$PATH" "$HILBENCH" run --board nucleo-f446re --runs 2 --warmup 0 \
		>first.out 2>first.err &
	first=$!
	for _ in $(seq 600); do
		[ -e building ] && break
		kill -0 "$first" 2>/dev/null || fail "the run ended before building: $(cat first.err)"
		sleep 0.05
	done
	[ -e building ] || fail "the run never built: $(cat first.err)"
	head -c 784 /dev/zero >input.bin
	hb infer --board nucleo-f446re --model "$ROOT/suites/fmnist/fmnist_int8.tflite" \
		--input input.bin --output output.bin
	kill -9 "$first"
	wait "$first" 2>/dev/null || true
	expect_rc 3
	expect_one_error_line
	expect_err_contains "board nucleo-f446re is in use by hilbench pid $first since "
	[ ! -e output.bin ] || fail "infer wrote an output while the board was in use"
}
