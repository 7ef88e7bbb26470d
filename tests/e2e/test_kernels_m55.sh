# The fast int8 kernels as the Cortex-M55 build runs them (the unit tests run
# their plain-C lanes on the host; the DSP instructions and the asm loops
# run only on a board): every layer's output equal to the host's portable
# kernels on the MLPerf Tiny int8 models, when present.

KERNELS_MLPERF="$ROOT/../shared/mlperf-tiny"

test_kernels_m55_outputs_equal_the_hosts() {
	[ -d "$KERNELS_MLPERF" ] || skip "$KERNELS_MLPERF not found: M55 kernel check skipped"
	local model file
	for model in kws_ref_model pretrainedResnet_quant ad01_int8; do
		hb run --board qemu-m55 --model "$KERNELS_MLPERF/$model.tflite" --runs 1 --warmup 0 \
			--results results
		expect_rc 0
	done
	for file in results/*.json; do
		[ "$(json "$file" 'd["status"]')" = "ok" ] || fail "$file: status"
		[ "$(json "$file" 'd["output_check"]["performed"]')" = "True" ] || fail "$file: not checked"
		[ "$(json "$file" 'd["output_check"]["mismatches"]')" = "0" ] || fail "$file: board differs from host"
		[ "$(json "$file" 'any(l.get("path") == "fast-dsp" for l in d["measurements"]["layers"])')" = "True" ] \
			|| fail "$file: no layer took the DSP fast path"
	done
	[ "$(ls results/*.json | wc -l)" = "3" ] || fail "expected three result files"
}
