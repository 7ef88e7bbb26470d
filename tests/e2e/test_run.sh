# Running the benchmark on the emulated Cortex-M4 and reading the record.

test_run_writes_result_and_summary() {
	hb run --board qemu-m4 --runs 5 --results results
	expect_rc 0
	expect_out_contains "instructions"
	expect_out_contains "output check"
	local file
	file=$(only_result)
	[ -f "${file%.json}.md" ] || fail "no Markdown summary beside $file"
	[ "$(json "$file" 'd["schema"]')" = "hilbench.result/1" ] || fail "schema"
	[ "$(json "$file" 'd["status"]')" = "ok" ] || fail "status not ok"
	[ "$(json "$file" 'len(d["measurements"]["count_per_inference"]["runs"])')" = "5" ] || fail "runs"
	[ "$(json "$file" 'd["measurements"]["count_per_inference"]["unit"]')" = "instructions" ] || fail "unit"
	[ "$(json "$file" 'd["measurements"]["count_per_inference"]["source"]')" = "emulated" ] || fail "source"
	[ "$(json "$file" 'd["measurements"]["latency"]["source"]')" = "derived" ] || fail "latency source"
	[ "$(json "$file" 'd["output_check"]["mismatches"] == 0 and d["output_check"]["samples_compared"] == 1')" = "True" ] || fail "output check"
	[ "$(json "$file" '0 < d["measurements"]["stack_high_water"]["value"] < d["firmware"]["stack_size"]')" = "True" ] || fail "stack high-water implausible"
	[ "$(json "$file" 'd["measurements"]["flash"]["value"] > 1000 and d["measurements"]["static_ram"]["value"] > 0 and d["measurements"]["flash"]["model_image"] == d["model"]["image_bytes"]')" = "True" ] || fail "sizes"
	[ "$(json "$file" 'd["measurements"]["count_per_inference"]["min"] > d["model"]["macs"]')" = "True" ] || fail "fewer instructions than MACs"
	[ "$(json "$file" 'd["link"]["target_exit_status"]')" = "0" ] || fail "QEMU did not exit cleanly"
	[ "$(json "$file" '0 < d["measurements"]["arena_used"]["value"] <= d["model"]["arena_planned"]')" = "True" ] || fail "arena used not within the plan"
	[ -n "$(json "$file" 'd["tool"]["git_revision"]')" ] || fail "git revision"
	grep -q "instructions" "${file%.json}.md" || fail "summary lacks the unit"
}

test_counts_are_deterministic() {
	hb run --board qemu-m4 --runs 4 --json --results a
	expect_rc 0
	echo "$out" > a.json
	hb run --board qemu-m4 --runs 4 --json --results b
	expect_rc 0
	echo "$out" > b.json
	local first second
	first=$(json a.json 'd[0]["measurements"]["count_per_inference"]["runs"]')
	second=$(json b.json 'd[0]["measurements"]["count_per_inference"]["runs"]')
	[ "$first" = "$second" ] || fail "counts differ between runs: $first vs $second"
	[ "$(json a.json 'len(set(d[0]["measurements"]["count_per_inference"]["runs"]))')" = "1" ] \
		|| fail "counts differ between invocations of one run: $first"
}

test_other_emulated_cores() {
	local board
	for board in qemu-m3 qemu-m7; do
		hb run --board "$board" --runs 2 --results results
		expect_rc 0
	done
	[ "$(ls results/*.json | wc -l)" = "2" ] || fail "expected two result files"
}
