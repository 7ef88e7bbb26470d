# hilbench report over real records of every kind: model runs on two
# emulated boards, a suite run, a dead board's error record, a record of an
# older schema and a JSON file that is no record at all.

report_records() {
	local model="$ROOT/suites/fmnist/fmnist_int8.tflite"
	for board in qemu-m3 qemu-m4; do
		hb run --board "$board" --model "$model" --runs 3 --warmup 0 --results r
		expect_rc 0
	done
	hb run --board qemu-m4 --suite "$ROOT/suites/fmnist" --limit 6 --results r
	expect_rc 0
	# A board that hangs leaves an error record, which the report must show as such.
	hb run --board qemu-m7 --model "$model" --runs 10 --timeout 2 --retries 1 --debug-hang --results r
	expect_rc 3
	echo '{"name": "not a record"}' > r/notes.json
}

test_report_puts_boards_side_by_side() {
	report_records
	hb report r --out report.md --out report.csv
	expect_rc 0
	expect_err_contains "skipping r/notes.json: not a result record"
	# The terminal table: every board x model x variant, the dead board marked.
	expect_out_contains "qemu-m3"
	grep -q "^qemu-m7 .*run error (timeout)" stdout.txt || fail "the hung board's row: $out"
	grep -q "^qemu-m4 .*fmnist_float32 float32 .*0.[0-9]\{4\}" stdout.txt || fail "suite accuracy: $out"
	expect_out_contains "latency derived from instructions counted by QEMU"
	grep -q '| qemu-m3 | emulated | fmnist\\_int8 int8 |' report.md || fail "Markdown row: $(cat report.md)"
	# CSV: one row per board x model x variant, stable headers, absent = empty.
	/usr/bin/python3 - <<'EOF' || fail "CSV check failed"
import csv
rows = list(csv.DictReader(open("report.csv", newline="")))
keys = {(r["board"], r["model"], r["variant"], r["suite"]) for r in rows}
assert len(rows) == len(keys) == 5, rows
m3 = next(r for r in rows if r["board"] == "qemu-m3")
assert m3["count_unit"] == "instructions" and m3["count_per_inference_source"] == "emulated", m3
assert float(m3["latency_ms"]) > 0 and m3["latency_ms_source"] == "derived"
assert float(m3["peak_ram_pct"]) > 0 and m3["energy_uj"] == "" and m3["accuracy"] == "", m3
dead = next(r for r in rows if r["board"] == "qemu-m7")
# The runs before the hang were measured and stay; the row says the run failed.
assert dead["status"] == "error" and dead["error_kind"] == "timeout" and dead["excluded_because"] == "run error (timeout)", dead
int8 = next(r for r in rows if r["model"] == "fmnist_int8" and r["suite"] == "fmnist")
assert int8["int8_drop_pts"] != "" and int8["agreement"] != "", int8
EOF
}

test_report_selects_and_ranks_boards() {
	report_records
	hb report r --require "peak_ram_kb<=64,latency_ms<=100000" --rank latency --json
	expect_rc 0
	/usr/bin/python3 - <<'EOF' || fail "selection check failed: $out"
import json
d = json.load(open("stdout.txt"))
rows = d["rows"]
inside = [r for r in rows if r["qualifies"]]
assert d["qualifying"] == len(inside) >= 2, d["qualifying"]
lat = [r["cells"]["latency"]["value"] for r in inside]
assert lat == sorted(lat), lat
# Qualifying rows first, then the excluded ones, each with its reason.
assert rows[:len(inside)] == inside
out = [r for r in rows if not r["qualifies"]]
assert any("peak_ram" in r["excluded_because"] for r in out), out
assert any(r["excluded_because"] == "run error (timeout)" for r in out), out
EOF
	# Nothing qualifies: the report is still written, and the exit says so.
	hb report r --require "latency_us<1" --out none.md
	expect_rc 1
	[ -s none.md ] || fail "no report written when nothing qualified"
	expect_err_contains "no row meets --require 'latency_us<1'"
}

test_report_refuses_bad_input_by_name() {
	mkdir -p r
	hb report r
	expect_rc 2
	expect_err_contains "no result records in r"
	hb report nowhere
	expect_rc 2
	expect_err_contains "'nowhere': no such file or folder"
	echo '{"schema": "hilbench.result/0", "board": {}}' > r/old.json
	hb report r
	expect_rc 2
	expect_err_contains 'r/old.json: field '"'"'schema'"'"': expected "hilbench.result/1"'
	hb report r/old.json --require "speed<3"
	expect_rc 2
	expect_err_contains "unknown column 'speed'"
	hb report r/old.json --out report.pdf
	expect_rc 2
	expect_err_contains "'report.pdf' has no report extension (expected one of .txt, .md, .csv"
	hb report r/old.json --rank speed
	expect_rc 2
	expect_err_contains "option '--rank': unknown column 'speed'"
}
