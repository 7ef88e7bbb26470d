# Hangs, resets and damaged images recovered (issue 13 part 2): a suite
# whose emulated board hangs at one sample and resets itself at another, or
# damages its model image at one, ends with the clean run's results
# (outputs, counts, accuracy; the record and the journal equal outside
# timestamps, wall times, this process's line traffic, the deadlines it gave
# and the recoveries), and the record lists the recoveries; a plain run
# whose image is damaged between two batches too. A board that hangs on
# every attempt ends in exit 3 after the bounded resets, its journal intact
# and resumable, and the next --model of the same run still runs.

# qemu-m4 with a lower deadline floor (the profile's "deadline"), so a hang
# costs less waiting; the firmware is prebuilt for qemu-m4 (recover_board).
RECOVER_SUITE_ARGS=(run --board qemu-m4-recover --boards-dir boards --suite "$ROOT/suites/fmnist"
	--limit 12 --seed 3)

# recover_board: boards/qemu-m4-recover.json and fw.elf in the test's folder.
recover_board() {
	mkdir -p boards
	/usr/bin/python3 - "$ROOT/boards/qemu-m4.json" boards/qemu-m4-recover.json <<'PY'
import json, sys
board = json.load(open(sys.argv[1]))
board["id"] = "qemu-m4-recover"
board["deadline"] = {"min_ms": 1000}
json.dump(board, open(sys.argv[2], "w"), indent=1)
PY
	hb build --board qemu-m4
	expect_rc 0
	cp "$ROOT/build/fw/qemu-m4/firmware.elf" fw.elf
}

# recover_normal RECORD JOURNAL: what must not change when a run recovers.
recover_normal() {
	/usr/bin/python3 "$ROOT/tests/e2e/record_normal.py" "$1" "$2"
}

test_recover_a_suite_from_a_hang_and_a_reset() {
	[ -d /usr/share/datasets/fashion-mnist ] || skip "dataset-fashion-mnist not installed"
	local journal args
	# One firmware for every run, so the records compare whatever happens
	# to the sources meanwhile.
	recover_board
	args=("${RECOVER_SUITE_ARGS[@]}" --firmware "$PWD/fw.elf")
	# The clean run beside the recovering one: the deadlines are many times
	# what the board takes, so sharing the CPU does not make either miss one.
	"$HILBENCH" "${args[@]}" --results clean >clean.out 2>clean.err &
	local clean_pid=$!
	hb "${args[@]}" --results hooked --debug-hang-at 4 --debug-reset-at 8
	wait $clean_pid || fail "the clean run failed: $(tail -n 3 clean.err)"
	expect_rc 0
	expect_err_contains "asking board 'qemu-m4-recover' to hang at 4"
	expect_err_contains "asking board 'qemu-m4-recover' to reset at 8"
	expect_err_contains "reset by itself"
	grep -q '^error:' stderr.txt && fail "a recovered run printed an error: $err"
	journal=$(ls hooked/*.jsonl)
	recover_normal clean/*_fmnist.json clean/*.jsonl >clean.norm
	recover_normal "${journal%.jsonl}.json" "$journal" >hooked.norm
	diff clean.norm hooked.norm >diff.txt || fail "the recovered run differs: $(head -n 20 diff.txt)"
	[ "$(json "${journal%.jsonl}.json" '[(r["unit"], r["index"], r["cause"], r["action"], r["outcome"]) for v in d["variants"] for r in v["recoveries"]]')" = \
		"[('sample', 4, 'deadline expired', 'emulator restarted; image CRC matches', 'recovered'), ('sample', 8, 'board reset by itself', 'emulator restarted; image CRC matches', 'recovered')]" ] \
		|| fail "recoveries: $(json "${journal%.jsonl}.json" '[v["recoveries"] for v in d["variants"]]')"
	[ "$(json "${journal%.jsonl}.json" 'sum(v["link"]["unasked_boots"] for v in d["variants"])')" = "1" ] \
		|| fail "the unasked boot is not counted"
	# The deadlines came from the board's own count and the profile's floor.
	[ "$(json "${journal%.jsonl}.json" 'all(v["deadlines"]["counted_units_per_inference"] > 0 and v["deadlines"]["min_ms"] == 1000 and v["deadlines"]["rule_from"].endswith("qemu-m4-recover.json") for v in d["variants"])')" = "True" ] \
		|| fail "deadlines: $(json "${journal%.jsonl}.json" '[v["deadlines"] for v in d["variants"]]')"
	# The image damaged on the board before sample 5 (DEBUG_CORRUPT: the
	# firmware changes a byte of its model region, RAM on QEMU's MPS2): the
	# INVOKE is refused MODEL_CORRUPT, the restarted emulator reloads the
	# image, its CRC matches, the run goes on from sample 5.
	hb "${args[@]}" --results corrupt --debug-corrupt-at 5
	expect_rc 0
	expect_err_contains "asking board 'qemu-m4-recover' to damage its model image at 5"
	expect_err_contains "image damaged on the board; resetting it (1 of 2)"
	grep -q '^error:' stderr.txt && fail "a recovered run printed an error: $err"
	journal=$(ls corrupt/*.jsonl)
	recover_normal "${journal%.jsonl}.json" "$journal" >corrupt.norm
	diff clean.norm corrupt.norm >diff.txt || fail "the recovered run differs: $(head -n 20 diff.txt)"
	[ "$(json "${journal%.jsonl}.json" '[(r["unit"], r["index"], r["cause"], r["action"], r["outcome"]) for v in d["variants"] for r in v["recoveries"]]')" = \
		"[('sample', 5, 'image damaged on the board', 'emulator restarted; image CRC matches', 'recovered')]" ] \
		|| fail "recoveries: $(json "${journal%.jsonl}.json" '[v["recoveries"] for v in d["variants"]]')"
	# A board no reset mends: exit 3 after two resets, naming board, request
	# and deadline, with the samples before the hang journalled ...
	hb "${args[@]}" --results stuck --debug-stuck-at 4 --timeout 1 --retries 1
	expect_rc 3
	expect_one_error_line
	expect_err_contains "gave up on board 'qemu-m4-recover' after 2 resets (request"
	expect_err_contains "deadline 1.0 s)"
	journal=$(ls stuck/*.jsonl)
	[ "$(grep -c '"variant"' "$journal")" = "4" ] || fail "journal: $(cat "$journal")"
	[ "$(json "${journal%.jsonl}.json" 'd["status"]')" = "error" ] || fail "status"
	[ "$(json "${journal%.jsonl}.json" '[r["outcome"] for r in d["variants"][0]["recoveries"]]')" = \
		"['failed again at the same point', 'failed again at the same point']" ] \
		|| fail "recoveries: $(json "${journal%.jsonl}.json" 'd["variants"][0]["recoveries"]')"
	# ... and resuming it gives the clean run's results.
	hb "${args[@]}" --results stuck --resume "$journal"
	expect_rc 0
	recover_normal "${journal%.jsonl}.json" "$journal" >stuck.norm
	diff clean.norm stuck.norm >diff.txt || fail "the resumed run differs: $(head -n 20 diff.txt)"
}

# The first --model's board never recovers; the second still runs, and the
# exit status still says a model failed.
test_recover_gives_up_on_one_model_and_runs_the_next() {
	[ -d /usr/share/datasets/fashion-mnist ] || skip "dataset-fashion-mnist not installed"
	hb run --board qemu-m4 --model "$ROOT/suites/fmnist/fmnist_int8.tflite" \
		--model "$ROOT/suites/fmnist/fmnist_float32.tflite" --runs 2 --warmup 0 \
		--debug-stuck-at 0 --timeout 1 --retries 1 --results results --json
	expect_rc 3
	expect_one_error_line
	expect_err_contains "gave up on board 'qemu-m4' after 2 resets (request INVOKE, deadline 1.0 s)"
	[ "$(python3 -c 'import json,sys; print([(r["model"]["name"], r["status"], r["measurements"]["runs_completed"], len(r["recoveries"])) for r in json.load(open(sys.argv[1]))])' stdout.txt)" = \
		"[('fmnist_int8', 'error', 0, 2), ('fmnist_float32', 'ok', 2, 0)]" ] \
		|| fail "records: $(head -c 600 stdout.txt)"
}

# A plain run whose image is damaged before its second batch (run 48): the
# batch is redone on the restarted emulator, and the runs, counts and output
# check equal a clean run's.
test_recover_a_plain_run_from_a_damaged_image() {
	local measured='json.dumps({k: d[k] for k in ("status", "measurements", "output_check")}, sort_keys=True)'
	recover_board
	hb run --board qemu-m4-recover --boards-dir boards --firmware "$PWD/fw.elf" --runs 50 \
		--results clean
	expect_rc 0
	hb run --board qemu-m4-recover --boards-dir boards --firmware "$PWD/fw.elf" --runs 50 \
		--results corrupt --debug-corrupt-at 1
	expect_rc 0
	expect_err_contains "asking board 'qemu-m4-recover' to damage its model image at 1"
	grep -q '^error:' stderr.txt && fail "a recovered run printed an error: $err"
	[ "$(json corrupt/*.json "$measured")" = "$(json clean/*.json "$measured")" ] \
		|| fail "the recovered run differs: $(json corrupt/*.json "$measured" | head -c 400)"
	[ "$(json corrupt/*.json '[(r["request"], r["unit"], r["index"], r["cause"], r["action"], r["outcome"]) for r in d["recoveries"]]')" = \
		"[('INVOKE', 'run', 48, 'image damaged on the board', 'emulator restarted; image CRC matches', 'recovered')]" ] \
		|| fail "recoveries: $(json corrupt/*.json 'd["recoveries"]')"
}

# A port whose model region is flash (the stm32f4 port on QEMU's
# netduinoplus2) refuses to damage it: a plain run stops with the board's
# reason instead of pretending the hook fired, and nothing is recovered.
test_recover_debug_corrupt_is_refused_where_the_model_region_is_flash() {
	hb run --board qemu-f405 --runs 2 --debug-corrupt-at 0 --results results --json
	expect_rc 1
	expect_one_error_line
	expect_err_contains "board 'qemu-f405' refused DEBUG_CORRUPT: the model region is flash, the firmware does not write it (code 10)"
	[ "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))[0]; print(r["status"], r["recoveries"])' stdout.txt)" = "error []" ] \
		|| fail "record: $(head -c 600 stdout.txt)"
}
