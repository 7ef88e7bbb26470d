# Suites: labelled samples streamed to the emulated board, float and int8 side by side.

FMNIST="$ROOT/suites/fmnist"

need_fmnist() {
	[ -f "$FMNIST/fmnist_int8.tflite" ] || skip "$FMNIST/fmnist_int8.tflite missing"
	[ -d /usr/share/datasets/fashion-mnist ] || skip "dataset-fashion-mnist not installed"
}

test_suite_reports_accuracy_and_agreement() {
	need_fmnist
	hb run --board qemu-m4 --suite "$FMNIST" --limit 40 --results results
	expect_rc 0
	expect_out_contains "int8 vs float32: top-1 agreement"
	local file=(results/*.json) journal=(results/*.jsonl)
	[ "$(json "$file" 'd["status"]')" = "ok" ] || fail "status"
	[ "$(json "$file" '[v["variant"] for v in d["variants"]]')" = "['float32', 'int8']" ] || fail "variants"
	[ "$(json "$file" 'all(v["accuracy"]["samples"] == 40 for v in d["variants"])')" = "True" ] || fail "samples"
	[ "$(json "$file" 'all(0.5 < v["accuracy"]["value"] <= 1 for v in d["variants"])')" = "True" ] \
		|| fail "implausible accuracy: $(json "$file" '[v["accuracy"]["value"] for v in d["variants"]]')"
	[ "$(json "$file" 'all(v["output_check"]["mismatches"] == 0 for v in d["variants"])')" = "True" ] \
		|| fail "board differs from host"
	[ "$(json "$file" 'sum(sum(r) for r in d["variants"][1]["accuracy"]["confusion"])')" = "40" ] \
		|| fail "confusion matrix does not hold 40 samples"
	[ "$(json "$file" '0.8 <= d["comparisons"][0]["top1_agreement"] <= 1')" = "True" ] || fail "agreement"
	[ "$(json "$file" 'd["variants"][0]["streaming"]["samples_per_s"] > 0')" = "True" ] || fail "rate"
	[ "$(wc -l < "${journal[0]}")" = "81" ] || fail "journal should hold a header and 80 samples"
}

# Three samples cannot cover ten classes: the classes without samples have
# no accuracy (null), never a measured-looking 0.
test_class_without_samples_has_no_accuracy() {
	need_fmnist
	hb run --board qemu-m4 --suite "$FMNIST" --limit 3 --results results
	expect_rc 0
	local file=(results/*.json)
	[ "$(json "$file" 'len([c for c in d["variants"][0]["accuracy"]["per_class"] if c["samples"] == 0])')" -ge 7 ] \
		|| fail "expected at least 7 classes without samples"
	[ "$(json "$file" 'all(c["top1"] is None for v in d["variants"] for c in v["accuracy"]["per_class"] if c["samples"] == 0)')" = "True" ] \
		|| fail "a class without samples has a top1: $(json "$file" 'd["variants"][0]["accuracy"]["per_class"]')"
	[ "$(json "$file" 'all(c["top1"] is not None for v in d["variants"] for c in v["accuracy"]["per_class"] if c["samples"] > 0)')" = "True" ] \
		|| fail "a class with samples lost its top1"
}

# A journal that is not one (or was damaged mid-file: its checksum fails) is
# refused with its line named; a last line cut by a kill is dropped with a warning.
test_resume_checks_the_journal() {
	need_fmnist
	hb run --board qemu-m4 --suite "$FMNIST" --limit 4 --results results
	expect_rc 0
	local journal=(results/*.jsonl)
	cp "${journal[0]}" damaged.jsonl
	sed -i '3s/"ticks":[0-9]*/"ticks":"many"/' damaged.jsonl
	hb run --board qemu-m4 --suite "$FMNIST" --limit 4 --resume damaged.jsonl --results results
	expect_rc 2
	expect_err_contains "damaged.jsonl: line 3: fails its checksum"
	head -c -40 "${journal[0]}" > torn.jsonl
	hb run --board qemu-m4 --suite "$FMNIST" --limit 4 --resume torn.jsonl --results results
	expect_rc 0
	expect_err_contains "cut short"
	[ "$(json torn.json 'all(v["accuracy"]["samples"] == 4 for v in d["variants"])')" = "True" ] \
		|| fail "the torn sample was not run again"
}

test_suite_resume_after_kill_gives_identical_results() {
	need_fmnist
	hb run --board qemu-m4 --suite "$FMNIST" --limit 30 --seed 7 --results whole
	expect_rc 0
	# Kill a second run part-way, at a sample chosen by $RANDOM.
	local stop_at=$((10 + RANDOM % 40)) journal
	"$HILBENCH" run --board qemu-m4 --suite "$FMNIST" --limit 30 --seed 7 --results part \
		>/dev/null 2>&1 &
	local pid=$!
	for _ in $(seq 1 600); do
		journal=$(ls part/*.jsonl 2>/dev/null || true)
		[ -n "$journal" ] && [ "$(wc -l < "$journal")" -gt "$stop_at" ] && break
		sleep 0.05
	done
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	pkill -9 -f "qemu-system-arm.*$WORK/tmp/hilbench-run" 2>/dev/null || true
	[ -n "$journal" ] || fail "no journal written"
	hb run --board qemu-m4 --suite "$FMNIST" --limit 30 --seed 7 --resume "$journal" --results part
	expect_rc 0
	expect_err_contains "already done"
	local a b
	a=$(json whole/*.json '[(v["variant"], v["accuracy"]["value"], v["measurements"]["count_per_inference"]["runs"]) for v in d["variants"]]')
	b=$(json "${journal%.jsonl}.json" '[(v["variant"], v["accuracy"]["value"], v["measurements"]["count_per_inference"]["runs"]) for v in d["variants"]]')
	[ "$a" = "$b" ] || fail "resumed run differs: $a vs $b"
	[ "$(json "${journal%.jsonl}.json" 'd["comparisons"][0]["top1_agreement"]')" = "$(json whole/*.json 'd["comparisons"][0]["top1_agreement"]')" ] \
		|| fail "agreement differs after resume"
}

test_bad_suite_file() {
	mkdir -p broken
	printf '{"schema": 1, "name": "broken", "modles": {}}' > broken/suite.json
	hb run --suite broken --results results
	expect_rc 2
	expect_err_contains "broken/suite.json"
	expect_err_contains "modles"
}

# journal_samples JOURNAL: every sample row without wall-clock fields, in order.
journal_samples() {
	python3 -c '
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print(json.dumps([[r["variant"], r["index"], r["sample"], r["ticks"], r["equal"], r["output"]]
                  for r in rows if "variant" in r]))' "$1"
}

# Pipelining, one request at a time, and a line damaged on purpose must all
# give the same samples: same outputs, same instruction counts.
test_pipelined_synchronous_and_noisy_runs_give_identical_samples() {
	need_fmnist
	hb run --board qemu-m4 --suite "$FMNIST" --limit 10 --seed 3 --results piped
	expect_rc 0
	hb run --board qemu-m4 --suite "$FMNIST" --limit 10 --seed 3 --results sync --no-pipeline
	expect_rc 0
	hb run --board qemu-m4 --suite "$FMNIST" --limit 10 --seed 3 --results noisy \
		--debug-line-noise 0.0002 --retries 8
	expect_rc 0
	[ "$(json piped/*.json '[(v["streaming"]["pipelined"], v["streaming"]["window_bytes"]) for v in d["variants"]]')" \
		= "[(True, 8192), (True, 8192)]" ] || fail "the default run did not pipeline"
	[ "$(json sync/*.json '[v["streaming"]["pipelined"] for v in d["variants"]]')" = "[False, False]" ] \
		|| fail "--no-pipeline still pipelined"
	local piped sync noisy
	piped=$(journal_samples piped/*.jsonl)
	sync=$(journal_samples sync/*.jsonl)
	noisy=$(journal_samples noisy/*.jsonl)
	[ "$(echo "$piped" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = "20" ] \
		|| fail "expected 20 journalled samples"
	[ "$piped" = "$sync" ] || fail "pipelined and one-at-a-time runs differ"
	[ "$piped" = "$noisy" ] || fail "the run on a damaged line differs"
	[ "$(json noisy/*.json 'sum(v["link"]["injected_noise"]["bytes_damaged_sent"] + v["link"]["injected_noise"]["bytes_damaged_received"] for v in d["variants"]) > 0')" = "True" ] \
		|| fail "no byte was damaged: the noise test tested nothing"
	[ "$(json noisy/*.json 'sum(v["link"]["damaged_frames"] for v in d["variants"]) > 0')" = "True" ] \
		|| fail "damage was not seen as damaged frames"
	[ "$(json noisy/*.json 'all(v["output_check"]["mismatches"] == 0 for v in d["variants"])')" = "True" ] \
		|| fail "damage reached the outputs"
}

test_line_noise_option_is_checked() {
	hb run --suite "$FMNIST" --debug-line-noise 1.5 --results results
	expect_rc 2
	expect_one_error_line
	expect_err_contains "option '--debug-line-noise': expected a probability between 0 and 1, got '1.5'"
}

# A console paced to 115200 baud can never carry more than 11520 B/s.
test_paced_console_stays_under_the_line_rate() {
	need_fmnist
	hb run --board qemu-m4 --suite "$FMNIST" --limit 6 --results paced --debug-line-rate 115200
	expect_rc 0
	[ "$(json paced/*.json 'all(v["streaming"]["line_rate_bytes_per_s"] == 11520 for v in d["variants"])')" = "True" ] \
		|| fail "line rate not recorded"
	[ "$(json paced/*.json 'all(0.2 < v["streaming"]["input_bytes_per_s_of_line_rate"] <= 1.0 for v in d["variants"])')" = "True" ] \
		|| fail "input rate outside the line: $(json paced/*.json '[v["streaming"]["input_bytes_per_s_of_line_rate"] for v in d["variants"]]')"
	[ "$(json paced/*.json '[v["link"]["paced_baud"] for v in d["variants"]]')" = "[115200, 115200]" ] \
		|| fail "paced_baud missing"
}

test_line_rate_option_refused_for_a_real_line() {
	hb run --board nucleo-f446re --suite "$FMNIST" --debug-line-rate 115200 --results results
	expect_rc 2
	expect_one_error_line
	expect_err_contains "board 'nucleo-f446re': --debug-line-rate paces an emulated console"
}
