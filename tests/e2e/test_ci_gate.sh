# The CI gate of docs/ci.md end to end on the emulated boards: a stored
# baseline, an identical rerun that passes, the same model made slower by one
# more layer that fails on its count, a bad threshold and a dead board.

CI_GATE_BOARDS="qemu-m3 qemu-m4"

# Models: model/dense.tflite (2 layers) and slow/dense.tflite (3 layers):
# the same name and variant, so the gate matches them as one row.
ci_gate_models() {
	[ -x "${HB_TOOLS:-}/make_dense_model" ] ||
		skip "no \$HB_TOOLS/make_dense_model (make build/tools/make_dense_model)"
	mkdir -p model slow
	"$HB_TOOLS/make_dense_model" model/dense.tflite 2 || fail "make_dense_model"
	"$HB_TOOLS/make_dense_model" slow/dense.tflite 3 || fail "make_dense_model"
}

# ci_gate_run MODEL RESULTS [BOARDS]: the CI job's run step.
ci_gate_run() {
	local board
	for board in ${3:-$CI_GATE_BOARDS}; do
		hb run --board "$board" --runs 3 --model "$1" --results "$2"
		expect_rc 0
	done
}

ci_gate_baseline() {
	ci_gate_models
	ci_gate_run model/dense.tflite results
	hb baseline results --out baseline
	expect_rc 0
}

# junit_check FILE TESTS FAILURES ERRORS: well-formed, and the counts.
junit_check() {
	/usr/bin/python3 - "$@" <<'EOF' || fail "$1 is not the JUnit expected: $(cat "$1")"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
got = [root.get(k) for k in ("tests", "failures", "errors")]
assert got == sys.argv[2:5], got
for suite in root.findall("testsuite"):
    assert int(suite.get("tests")) == len(suite.findall("testcase")), suite.get("name")
EOF
}

test_ci_gate_baseline_holds_only_records() {
	ci_gate_baseline
	[ "$(ls baseline | wc -l)" = 2 ] || fail "expected two records in baseline/: $(ls baseline)"
	[ "$(ls baseline/*.json | wc -l)" = 2 ] || fail "not only records: $(ls baseline)"
	hb baseline results --out baseline
	expect_rc 2
	expect_err_contains "'baseline' is not empty"
	expect_err_contains "--force"
	echo "keep me" > baseline/README
	hb baseline results --out baseline --force
	expect_rc 0
	[ -f baseline/README ] || fail "--force removed a file that is not a record"
	[ "$(ls baseline/*.json | wc -l)" = 2 ] || fail "records after --force: $(ls baseline)"
}

test_ci_gate_passes_an_identical_rerun() {
	ci_gate_baseline
	ci_gate_run model/dense.tflite new
	hb compare baseline new --max-regression count=0%,peak_ram=0%,top1=-0.2pts --junit junit.xml
	expect_rc 0
	expect_out_contains "verdict: pass: 2 rows as good as the baseline"
	# 2 rows x (run, count, arena, peak_ram, deployment_ram, flash)
	junit_check junit.xml 12 0 0
	hb compare baseline new --json
	expect_rc 0
	echo "$out" > compare.json
	[ "$(json compare.json 'd["verdict"]')" = pass ] || fail "json verdict: $out"
	[ "$(json compare.json '[m["outcome"] for r in d["rows"] for m in r["metrics"] if m["name"] == "count"]')" = "['unchanged', 'unchanged']" ] ||
		fail "counts of an identical rerun changed: $out"
}

test_ci_gate_fails_the_slower_model_on_its_count() {
	ci_gate_baseline
	ci_gate_run model/dense.tflite new qemu-m3
	ci_gate_run slow/dense.tflite new qemu-m4
	hb compare baseline new --max-regression count=0% --junit junit.xml
	expect_rc 1
	expect_out_contains "REGRESSED  qemu-m4 dense int8  count: "
	expect_out_contains "allowed 0% (0 instructions) + noise"
	# The extra layer's weights are in flash too.
	expect_out_contains "REGRESSED  qemu-m4 dense int8  flash: "
	expect_out_contains "verdict: regression: of 2 baseline rows, 1 regressed (2 figures)"
	grep -q "qemu-m3" stdout.txt && fail "the unchanged board is listed: $out"
	junit_check junit.xml 12 2 0
	grep -q 'classname="qemu-m4.dense.int8" name="count"' junit.xml || fail "no count testcase"
	grep -q '<failure type="regressed" message="count: [0-9]* instructions -&gt; [0-9]* instructions' junit.xml ||
		fail "the failure lacks old and new count: $(cat junit.xml)"
}

test_ci_gate_refuses_a_bad_threshold() {
	ci_gate_baseline
	hb compare baseline results --max-regression count=fast
	expect_rc 2
	expect_one_error_line
	expect_err_contains "--max-regression: 'count=fast': expected a number after '='"
	hb compare baseline results --max-regression peak_ram=1pts
	expect_rc 2
	expect_err_contains "unit 'pts' does not fit peak_ram (expected %, B, KB, KiB, MB or MiB)"
	echo '{"not": "a record"}' > foreign.json
	hb compare baseline foreign.json
	expect_rc 2
	expect_err_contains "foreign.json: field 'schema'"
}

test_ci_gate_a_dead_board_is_infrastructure() {
	ci_gate_baseline
	ci_gate_run model/dense.tflite new qemu-m3
	hb run --board qemu-m4 --runs 3 --model model/dense.tflite --results new --debug-hang \
		--timeout 1 --retries 0
	expect_rc 3
	hb compare baseline new --junit junit.xml
	expect_rc 3
	expect_out_contains "RUN FAILED qemu-m4 dense int8  timeout: "
	expect_out_contains "verdict: infrastructure failure: 1 of 2 baseline rows failed to run"
	junit_check junit.xml 12 0 1
	grep -q '<error type="timeout"' junit.xml || fail "no error element: $(cat junit.xml)"
	# ... and no baseline.
	hb baseline new --out baseline2
	expect_rc 2
	expect_err_contains "has status 'error': timeout (expected \"ok\""
	[ ! -e baseline2 ] || fail "a refused baseline left a folder"
}
