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
