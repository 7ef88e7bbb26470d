# The per-layer profile: after the timed runs, one run of the same input
# with the counter read between ops; the record's layers[] sum to the
# profiled total (read cost included), the ops' counts to the unprofiled
# total within the stated overhead, the shares to 1; the terminal shows the
# top layers, the HTML report draws them, --json carries them.

test_layers_profile_one_run_op_by_op() {
	local tool="${HB_TOOLS:-$ROOT/build/tools}/make_dense_model" file
	[ -x "$tool" ] || skip "$tool not built (make e2e builds it)"
	"$tool" dense.tflite 3 || fail "make_dense_model"
	hb run --board qemu-m4 --model dense.tflite --runs 3 --warmup 0 --results results
	expect_rc 0
	expect_out_contains "top 3 of 3 layers by instructions (emulated"
	expect_out_contains "fully_connected_s8"
	expect_out_contains "profiling: "
	file=$(only_result)
	[ "$(json "$file" 'len(d["measurements"]["layers"])')" = "3" ] || fail "expected 3 layers: $(json "$file" 'd["measurements"].get("layers")')"
	[ "$(json "$file" 'all(l["op"] == "fully_connected_s8" and l["path"] == "fast-dsp" and l["macs"] == 4096 and l["count"] > 0 for l in d["measurements"]["layers"])')" = "True" ] \
		|| fail "layers: $(json "$file" 'd["measurements"]["layers"]')"
	# The firmware's identity: the ops' read-to-read counts are the profiled total.
	[ "$(json "$file" '(lambda p, l: sum(x["raw_count"] for x in l) == p["profiled_total"])(d["measurements"]["layer_profile"], d["measurements"]["layers"])')" = "True" ] \
		|| fail "raw counts do not sum to the profiled total: $(json "$file" 'd["measurements"]["layer_profile"]')"
	# Less the reads' cost, they come within the overhead the profile states
	# (one tick of rounding aside) of the unprofiled runs.
	[ "$(json "$file" '(lambda p: p["overhead"] >= 0 and abs(p["ops_sum"] - p["unprofiled_total"]) <= p["overhead"] + p["resolution"])(d["measurements"]["layer_profile"])')" = "True" ] \
		|| fail "ops sum not within the stated overhead: $(json "$file" 'd["measurements"]["layer_profile"]')"
	[ "$(json "$file" 'abs(sum(l["share"] for l in d["measurements"]["layers"]) - 1) < 1e-9')" = "True" ] || fail "shares do not sum to 1"
	[ "$(json "$file" 'd["measurements"]["layer_profile"]["unprofiled_total"] == d["measurements"]["count_per_inference"]["median"]')" = "True" ] \
		|| fail "the unprofiled total is not the timed runs' median"
	grep -q "top 3 of 3 layers" results/*.md || fail "Markdown summary lacks the top layers"
	hb report results --out report.html
	expect_rc 0
	grep -q 'id="fig-layers"' report.html || fail "the HTML report has no per-layer figure"
	grep -q "op 0 fully_connected_s8 (fast-dsp)" report.html || fail "the per-layer chart lacks op 0"
	hb run --board qemu-m4 --model dense.tflite --runs 1 --warmup 0 --results json --json
	expect_rc 0
	[ "$(echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d[0] if isinstance(d, list) else d; print(len(d["measurements"]["layers"]))')" = "3" ] \
		|| fail "--json lacks the layers"
}

# A suite profiles each variant after its samples, on the last sample's input.
test_layers_suite_profiles_each_variant() {
	[ -f "$ROOT/suites/fmnist/fmnist_int8.tflite" ] || skip "suites/fmnist/fmnist_int8.tflite missing"
	hb run --board qemu-m4 --suite "$ROOT/suites/fmnist" --limit 2 --results results
	expect_rc 0
	local file
	file=$(ls results/*.json)
	[ "$(json "$file" 'all(len(v["measurements"]["layers"]) > 0 and abs(sum(l["share"] for l in v["measurements"]["layers"]) - 1) < 1e-9 for v in d["variants"])')" = "True" ] \
		|| fail "a variant lacks its layers: $(json "$file" '[v["measurements"].get("layer_profile") for v in d["variants"]]')"
	[ "$(json "$file" 'all("last sample" in v["measurements"]["layer_profile"]["unprofiled_method"] and v["measurements"]["layer_profile"]["unprofiled_total"] == v["measurements"]["count_per_inference"]["runs"][-1] for v in d["variants"])')" = "True" ] \
		|| fail "the unprofiled total is not the last sample's count"
}
