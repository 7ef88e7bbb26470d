# Real models: the MLPerf Tiny reference models from ../shared, when present.

MLPERF="$ROOT/../shared/mlperf-tiny"

need_mlperf() {
	[ -d "$MLPERF" ] || skip "$MLPERF not found: MLPerf Tiny model tests skipped"
}

test_mlperf_models_run_bit_exact() {
	need_mlperf
	local model
	for model in kws_ref_model kws_ref_model_float32 pretrainedResnet_quant pretrainedResnet \
		ad01_int8 ad01_fp32; do
		hb run --board qemu-m4 --model "$MLPERF/$model.tflite" --runs 2 --warmup 0 \
			--results results
		expect_rc 0
		expect_out_contains "instructions/MAC"
	done
	local file
	for file in results/*.json; do
		[ "$(json "$file" 'd["status"]')" = "ok" ] || fail "$file: status"
		[ "$(json "$file" 'd["output_check"]["mismatches"]')" = "0" ] || fail "$file: board differs from host"
		[ "$(json "$file" 'd["model"]["macs"] > 0')" = "True" ] || fail "$file: no MACs"
		[ "$(json "$file" 'd["measurements"]["arena_used"]["value"] <= d["model"]["arena_planned"]')" = "True" ] \
			|| fail "$file: painted arena beyond the plan"
		[ "$(json "$file" 'd["model"]["arena_planned"] >= d["model"]["activation_floor"]')" = "True" ] \
			|| fail "$file: arena below the floor"
	done
	[ "$(ls results/*.json | wc -l)" = "6" ] || fail "expected six result files"
}

test_inspect_prints_layers_and_totals() {
	need_mlperf
	hb inspect "$MLPERF/kws_ref_model.tflite" --board qemu-m4
	expect_rc 0
	expect_out_contains "DEPTHWISE_CONV_2D"
	# Shapes at the rank the .tflite gives them, not padded to 4D.
	expect_out_contains "output int8 [1, 12], 12 B"
	expect_out_contains "MACs per inference"
	expect_out_contains "activation floor"
	expect_out_contains "fits"
}

test_infer_writes_the_output_tensor() {
	need_mlperf
	local model="$MLPERF/ad01_int8.tflite"
	hb inspect "$model"
	expect_rc 0
	local bytes
	bytes=$(echo "$out" | awk '/^  input  /{print $(NF-1); exit}')
	[ -n "$bytes" ] || fail "no input size in: $out"
	head -c "$bytes" /dev/urandom > in.bin
	hb infer --model "$model" --input in.bin --output out.bin --results results
	expect_rc 0
	[ -s out.bin ] || fail "no output written"
	head -c 3 in.bin > short.bin
	hb infer --model "$model" --input short.bin --output out2.bin --results results
	expect_rc 2
	expect_one_error_line
	expect_err_contains "expected $bytes bytes"
	[ ! -e out2.bin ] || fail "an output was written for a bad input"
}

test_broken_model_files() {
	need_mlperf
	head -c 5000 "$MLPERF/kws_ref_model.tflite" > truncated.tflite
	hb inspect truncated.tflite
	expect_rc 2
	expect_one_error_line
	expect_err_contains "truncated.tflite"
	printf 'not a model at all, just text' > text.tflite
	hb run --model text.tflite --results results
	expect_rc 2
	expect_one_error_line
	expect_err_contains "text.tflite"
}

test_model_too_large_is_refused_before_flashing() {
	need_mlperf
	copy_boards
	# A board whose model region and RAM are too small for ResNet-8.
	python3 - <<'PY'
import json
d = json.load(open("boards/qemu-m4.json"))
d["memory"]["model"]["size"] = "64K"
json.dump(d, open("boards/qemu-m4.json", "w"))
d["memory"]["model"]["size"] = "3M"
d["memory"]["ram"]["size"] = "32K"
d["id"] = "tiny-ram"
json.dump(d, open("boards/tiny-ram.json", "w"))
PY
	hb run --board qemu-m4 --boards-dir boards --model "$MLPERF/pretrainedResnet_quant.tflite" --results results
	expect_rc 2
	expect_one_error_line
	expect_err_contains "needs a 85152-byte image"
	expect_err_contains "65536-byte model region"
	hb run --board tiny-ram --boards-dir boards --model "$MLPERF/pretrainedResnet_quant.tflite" --results results
	expect_rc 2
	expect_one_error_line
	expect_err_contains "bytes of RAM (arena 49152"
	! pgrep -af "qemu-system-arm.*$WORK/tmp" >/dev/null || fail "QEMU was started for a model that does not fit"
}
