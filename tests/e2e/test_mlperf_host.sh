# The host end of the MLPerf Tiny protocol (--protocol mlperf-tiny) against
# hilbench's own firmware built in that mode on QEMU: a small KWS suite
# gives the same outputs as hilbench's protocol on the same inputs (top-1
# per sample, the printed scores equal to the dequantised outputs to their
# 3 decimals), resumes from its journal, and a performance run gives the
# runner's median throughput over 5 windows.

KWS_MODEL="$ROOT/../shared/mlperf-tiny/kws_ref_model.tflite"

# A 6-sample KWS suite of seeded random features (490 per sample) in ./kws.
mlperf_kws_suite() {
	[ -f "$KWS_MODEL" ] || skip "MLPerf Tiny's kws_ref_model.tflite not in ../shared/mlperf-tiny"
	mkdir -p kws
	python3 - <<'PY'
import random, struct
rng = random.Random(7)
samples = 6
open("kws/x.bin", "wb").write(struct.pack("<%df" % (samples * 490),
    *[rng.uniform(-100.0, 60.0) for _ in range(samples * 490)]))
open("kws/y.bin", "wb").write(bytes(rng.randrange(12) for _ in range(samples)))
PY
	cat >kws/suite.json <<JSON
{
	"schema": 1,
	"name": "kws-mini",
	"models": { "int8": "$KWS_MODEL" },
	"inputs": { "format": "raw", "path": "x.bin", "dtype": "float32", "shape": [490] },
	"labels": { "format": "raw", "path": "y.bin", "dtype": "uint8", "shape": [1] },
	"metric": "top1",
	"classes": 12
}
JSON
}

# journal_outputs JOURNAL: "index top1 v0,v1,..." per sample line, outputs rounded to 3 decimals.
journal_outputs() {
	python3 - "$1" <<'PY'
import json, sys
for line in open(sys.argv[1]).read().splitlines()[1:]:
    d = json.loads(line)
    out = d["output"]
    top = max(range(len(out)), key=lambda i: (out[i], -i))
    print(d["index"], top, ",".join("%.3f" % v for v in out))
PY
}

test_mlperf_host_suite_matches_hilbench_protocol() {
	mlperf_kws_suite
	hb run --board qemu-m4 --suite kws --limit 6 --results framed
	expect_rc 0
	hb run --board qemu-m4 --suite kws --limit 6 --results mlperf --protocol mlperf-tiny \
		--model-name kws01
	expect_rc 0
	expect_out_contains "int8"
	local framed=(framed/*.jsonl) mlperf=(mlperf/*.jsonl) record=(mlperf/*.json)
	journal_outputs "${framed[0]}" >framed.txt
	journal_outputs "${mlperf[0]}" >mlperf.txt
	[ "$(wc -l <mlperf.txt)" -eq 6 ] || fail "expected 6 samples: $(cat mlperf.txt)"
	diff framed.txt mlperf.txt >diff.txt || fail "outputs differ between protocols: $(cat diff.txt)"
	[ "$(json "$record" 'd["variants"][0]["protocol"]["name"]')" = mlperf-tiny ] || fail "protocol"
	[ "$(json "$record" 'd["variants"][0]["protocol"]["mode"]')" = accuracy ] || fail "mode"
	[ "$(json "$record" 'd["variants"][0]["protocol"]["model_name"]')" = kws01 ] || fail "model name"
	[ "$(json "$record" 'd["variants"][0]["output_check"]["mismatches"]')" = 0 ] || fail "mismatches"
	[ "$(json "$record" 'd["variants"][0]["output_check"]["samples_compared"]')" = 6 ] || fail "compared"
	# What the protocol does not give is absent, never 0.
	[ "$(json "$record" '"stack_high_water" in d["variants"][0]["measurements"] or "count_per_inference" in d["variants"][0]["measurements"]')" = False ] ||
		fail "figures the MLPerf Tiny protocol does not give are in the record"
	# The runner's top-1 (normalised scores) equals hilbench's own on these samples.
	[ "$(json "$record" 'd["variants"][0]["accuracy"]["mlperf_tiny_runner"]["top1"] == d["variants"][0]["accuracy"]["value"]')" = True ] ||
		fail "runner top-1 differs: $(json "$record" 'd["variants"][0]["accuracy"]')"
	hb report mlperf
	expect_rc 0
	expect_out_contains "kws_ref_model"
}

# Killed after its journal holds samples, then resumed: the same outputs.
test_mlperf_host_suite_resumes() {
	mlperf_kws_suite
	hb run --board qemu-m4 --suite kws --limit 6 --results full --protocol mlperf-tiny
	expect_rc 0
	local full=(full/*.jsonl)
	mkdir -p cut
	head -4 "${full[0]}" >cut/run.jsonl
	# Its samples have no counts: the framed protocol must not take them for runs.
	hb run --board qemu-m4 --suite kws --limit 6 --results cut --resume cut/run.jsonl
	[ "$rc" -ne 0 ] || fail "the framed protocol resumed a journal without counts"
	expect_err_contains "has no counts"
	hb run --board qemu-m4 --suite kws --limit 6 --results cut --protocol mlperf-tiny \
		--resume cut/run.jsonl
	expect_rc 0
	expect_err_contains "3 samples already done"
	journal_outputs "${full[0]}" >full.txt
	journal_outputs cut/run.jsonl >cut.txt
	diff full.txt cut.txt >diff.txt || fail "resumed outputs differ: $(cat diff.txt)"
}

test_mlperf_host_performance_gives_throughput() {
	[ -f "$KWS_MODEL" ] || skip "MLPerf Tiny's kws_ref_model.tflite not in ../shared/mlperf-tiny"
	hb run --board qemu-m4 --model "$KWS_MODEL" --protocol mlperf-tiny --model-name kws01 \
		--runs 3 --warmup 1 --results results
	expect_rc 0
	expect_out_contains "median throughput"
	local file
	file=$(only_result)
	[ "$(json "$file" 'len(d["protocol"]["windows"])')" = 5 ] || fail "expected 5 windows"
	[ "$(json "$file" 'd["protocol"]["median_throughput"]["value"] > 0')" = True ] || fail "throughput"
	[ "$(json "$file" 'd["protocol"]["median_throughput"]["unit"]')" = inferences/s ] || fail "unit"
	[ "$(json "$file" 'd["protocol"]["latency_per_inference"]["source"]')" = emulated ] ||
		fail "latency on QEMU must say emulated"
	# The runner's arithmetic: runs / (elapsed_us / 1e6), median of the windows.
	[ "$(json "$file" 'abs(sorted(3 / (w["elapsed_us"] / 1e6) for w in d["protocol"]["windows"])[2] - d["protocol"]["median_throughput"]["value"]) < 1e-9')" = True ] ||
		fail "median throughput is not the runner's"
	[ "$(json "$file" 'd["measurements"]["runs_completed"]')" = 0 ] || fail "no counts from this protocol"
	[ "$(json "$file" 'd["output_check"]["mismatches"]')" = 0 ] || fail "output check"
}

test_mlperf_host_refuses_what_it_cannot_do() {
	hb run --protocol mlperf --model-name kws01
	expect_rc 2
	expect_err_contains "--protocol 'mlperf' is unknown"
	hb run --model-name kws01
	expect_rc 2
	expect_err_contains "needs --protocol mlperf-tiny"
	hb run --protocol mlperf-tiny --debug-hang
	expect_rc 2
	expect_err_contains "need hilbench's own protocol"
}
