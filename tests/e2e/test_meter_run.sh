# hilbench run --meter against a meter emulator (tests/emu/*_emu.c on a pty).
#
# What is real here and what is not: QEMU runs the firmware and counts its
# instructions; the meter is an emulator replaying a synthetic trace (it
# cannot see QEMU's window pin). So each test first runs the model without a
# meter, takes the firmware's counts of one batch, and gives the emulator
# windows of that length: the energy recovered is the synthetic trace's,
# never a board's, and the record names the meter as the emulator reports
# itself. What is tested is the plumbing: batches, the reader thread, the
# window check against the firmware's counts, the record, table and reports.

METER_RUNS=20 # 5 batches of 4: one window each
METER_BATCH=4

# Prints the samples at RATE of one batch's window, from a meter-less run's counts.
meter_window_samples() {
	hb run --board qemu-m4 --runs $METER_RUNS --warmup 0 --results counts
	expect_rc 0
	python3 - counts/*.json "$1" "$METER_BATCH" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rate, batch = int(sys.argv[2]), int(sys.argv[3])
runs = d["measurements"]["count_per_inference"]["runs"]
sums = [sum(runs[k:k + batch]) for k in range(0, len(runs), batch)]
assert max(sums) == min(sums), ("icount batches differ", sums)
print(round(sums[0] / d["board"]["clock_hz"] * rate))
PY
}

# Starts ppk2_emu with the given options; sets $emu_port and $emu_pid.
start_ppk2_emu() {
	start_emu ppk2_emu "$@"
}

# start_emu NAME OPTIONS...: a meter emulator from $HB_TOOLS.
start_emu() {
	local tool="${HB_TOOLS:-$ROOT/build/tools}/$1" tries=0
	shift
	[ -x "$tool" ] || skip "$tool not built (make $tool)"
	"$tool" "$@" >emu.log 2>emu.err &
	emu_pid=$!
	while [ ! -s emu.log ] && [ $tries -lt 100 ]; do
		sleep 0.05
		tries=$((tries + 1))
	done
	emu_port=$(head -1 emu.log)
	[ -n "$emu_port" ] || fail "the meter emulator printed no pty path"
}

stop_emu() {
	kill "$emu_pid" 2>/dev/null || true
	wait "$emu_pid" 2>/dev/null || true
}

test_meter_run_recovers_the_emulators_energy_per_inference() {
	local samples file
	samples=$(meter_window_samples 100000)
	start_ppk2_emu --windows 5 --window-samples "$samples" --gap-samples 1500 \
		--lead-samples 1000 --inferences $METER_BATCH --marker-bit 3
	hb run --board qemu-m4 --runs $METER_RUNS --warmup 0 --results results \
		--meter ppk2 --meter-port "$emu_port" --meter-bit 3
	stop_emu
	expect_rc 0
	expect_out_contains "energy (measured)"
	expect_out_contains "energy above idle"
	file=$(only_result)
	grep '^window' emu.log >known.txt || fail "ppk2_emu printed no window energies"
	python3 - "$file" known.txt <<'PY' || fail "the measured energy is not the emulator's within 1 %"
import json, os, statistics, sys
d = json.load(open(sys.argv[1]))
e = d["measurements"]["energy_per_inference"]
known = [float(line.split()[2]) * 1e6 for line in open(sys.argv[2])]
expected = statistics.median(known)
assert e["source"] == "measured" and e["unit"] == "uJ", e
assert abs(e["value"] - expected) <= 0.01 * expected, (e["value"], expected)
assert e["windows_valid"] == 5 and e["windows_total"] == 5 and e["batches"] == 5, e
assert all(w["verdict"] == "valid" and w["inferences"] == 4 for w in e["windows"]), e["windows"]
# The identity is the emulator's own report, not a board's.
assert e["meter"]["model"] == "PPK2" and e["meter"]["firmware"] == "hw 9173", e["meter"]
assert e["meter"]["supply_v"] == 3.3 and "profile" in e["meter"]["supply_from"], e["meter"]
assert e["meter"]["marker_bit"] == 3, e["meter"]
assert e["idle_power"]["source"] == "measured" and e["above_idle"]["value"] < e["value"], e
trace = os.path.join(os.path.dirname(sys.argv[1]), e["trace"])
assert open(trace, "rb").read(8) == b"HBTRACE\0", trace
assert e["trace_samples"] == (os.path.getsize(trace) - 32) // 6, e["trace_samples"]
# The modelled figure stays apart.
assert d["measurements"]["modelled_energy_per_inference"]["source"] == "modelled"
PY
	hb report results --out report.csv
	expect_rc 0
	python3 - report.csv <<'PY' || fail "the report does not show the measured energy in its column"
import csv, sys
row = next(csv.DictReader(open(sys.argv[1])))
assert float(row["energy_uj"]) > 0 and row["energy_uj_source"] == "measured", row
assert row["energy_modelled_uj_source"] == "modelled", row
PY
	hb report results --out report.html
	expect_rc 0
	grep -qF 'id="fig-energy-window' report.html || fail "the HTML report draws no trace window"
}

test_meter_run_a_window_off_the_firmwares_count_gives_no_figure() {
	local samples file
	samples=$(meter_window_samples 100000)
	# A quarter longer than the firmware counted: every window fails the check.
	start_ppk2_emu --windows 5 --window-samples $((samples * 5 / 4)) --gap-samples 1500 \
		--lead-samples 1000 --inferences $METER_BATCH
	hb run --board qemu-m4 --runs $METER_RUNS --warmup 0 --results results \
		--meter ppk2 --meter-port "$emu_port" --meter-supply 3.0
	stop_emu
	expect_rc 0
	expect_err_contains "no measured energy"
	expect_out_contains "energy (measured)"
	file=$(only_result)
	python3 - "$file" <<'PY' || fail "a window of the wrong length still gave a figure"
import json, sys
d = json.load(open(sys.argv[1]))
m = d["measurements"]
e = m["energy_per_inference"]
assert e["value"] is None and "0 valid windows of 5" in e["reason"], e
assert all(w["verdict"] == "length off the firmware's count" for w in e["windows"]), e["windows"]
assert e["meter"]["supply_v"] == 3.0 and e["meter"]["supply_from"] == "--meter-supply", e
assert m["count_per_inference"]["median"] > 0 and d["status"] == "ok", "the run must record the rest"
PY
	hb report results --out report.csv
	python3 - report.csv <<'PY' || fail "an absent figure became a number"
import csv, sys
row = next(csv.DictReader(open(sys.argv[1])))
assert row["energy_uj"] == "", row
PY
}

test_meter_run_options_are_checked() {
	hb run --board qemu-m4 --runs 3 --meter ppk2 --meter-port /dev/null
	expect_rc 2
	expect_err_contains "--runs 5 or more"
	hb run --board qemu-m4 --meter-port /dev/null
	expect_rc 2
	expect_err_contains "go with --meter"
	hb run --board qemu-m4 --meter nope --meter-port /dev/null
	expect_rc 2
	expect_err_contains "unknown meter 'nope'"
	hb run --board qemu-m4 --meter ppk2
	expect_rc 2
	expect_err_contains "needs --meter-port"
}

test_meter_run_suite_measures_each_variant_against_its_own_counts() {
	local samples file
	hb run --board qemu-m4 --suite "$ROOT/suites/fmnist" --limit 2 --results counts
	expect_rc 0
	# One run per batch (--runs 5): a window is one int8 inference long.
	samples=$(python3 - counts/*.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
v = next(v for v in d["variants"] if v["variant"] == "int8")
c = v["measurements"]["count_per_inference"]
# Samples differ a little (data-dependent paths); far less than the window check's 2 %.
assert c["max"] - c["min"] < 0.002 * c["median"], c
print(round(c["median"] / v["board"]["clock_hz"] * 100000))
PY
)
	start_ppk2_emu --windows 5 --window-samples "$samples" --gap-samples 1500 \
		--lead-samples 1000 --inferences 1 --reopen 1
	hb run --board qemu-m4 --suite "$ROOT/suites/fmnist" --limit 2 --runs 5 --results results \
		--meter ppk2 --meter-port "$emu_port"
	stop_emu
	expect_rc 0
	expect_out_contains "int8 energy per inference, measured by PPK2:"
	expect_out_contains "float32 energy per inference, measured by PPK2: none"
	grep '^window' emu.log | head -5 >known.txt
	python3 - results/*.json known.txt <<'PY' || fail "the suite's variants were not each measured against their own counts"
import json, os, statistics, sys
d = json.load(open(sys.argv[1]))
known = statistics.median(float(l.split()[2]) * 1e6 for l in open(sys.argv[2]))
e = {v["variant"]: v["measurements"]["energy_per_inference"] for v in d["variants"]}
# float32 runs about four times longer than the int8-sized windows: none valid.
assert e["float32"]["value"] is None and "0 valid windows" in e["float32"]["reason"], e["float32"]
assert abs(e["int8"]["value"] - known) <= 0.01 * known, (e["int8"]["value"], known)
for name, entry in e.items():
    assert os.path.exists(os.path.join(os.path.dirname(sys.argv[1]), entry["trace"])), entry["trace"]
PY
}

test_meter_run_lpm01a_recovers_the_emulators_energy_per_inference() {
	local samples file
	# 40 runs: 5 batches of 8, a window of about 48 samples at 5 kS/s.
	METER_RUNS=40 METER_BATCH=8
	samples=$(meter_window_samples 5000)
	start_emu lpm01a_emu --windows 5 --window-samples "$samples" --gap-samples 200 \
		--lead-samples 100 --inferences 8
	hb run --board qemu-m4 --runs 40 --warmup 0 --results results \
		--meter lpm01a --meter-port "$emu_port" --meter-rate 5000 --meter-bit 7
	stop_emu
	expect_rc 0
	file=$(only_result)
	grep '^window' emu.log >known.txt || fail "lpm01a_emu printed no window energies"
	python3 - "$file" known.txt <<'PY' || fail "the LPM01A's measured energy is not the emulator's within 1 %"
import json, statistics, sys
e = json.load(open(sys.argv[1]))["measurements"]["energy_per_inference"]
known = statistics.median(float(l.split()[2]) * 1e6 for l in open(sys.argv[2]))
assert e["meter"]["model"] == "LPM01A" and e["meter"]["rate_hz"] == 5000, e["meter"]
assert e["windows_valid"] == 5, e
assert abs(e["value"] - known) <= 0.01 * known, (e["value"], known)
PY
}
