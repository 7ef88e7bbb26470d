# The fast int8 kernels as the Cortex-M55 build runs them (the unit tests run
# their plain-C lanes on the host; the MVE (Helium) paths, the DSP
# instructions and the asm loops run only on a board): every output equal to
# the host's portable kernels, on kernel-shape models (make_kernel_model) and
# on the MLPerf Tiny int8 models when present.

KERNELS_MLPERF="$ROOT/../shared/mlperf-tiny"

# Every result file in results/ ok, checked, and equal to the host's.
kernels_m55_expect_equal() {
	local file
	for file in results/*.json; do
		[ "$(json "$file" 'd["status"]')" = "ok" ] || fail "$file: status"
		[ "$(json "$file" 'd["output_check"]["performed"]')" = "True" ] || fail "$file: not checked"
		[ "$(json "$file" 'd["output_check"]["mismatches"]')" = "0" ] || fail "$file: board differs from host"
	done
}

test_kernels_m55_shapes_equal_the_hosts() {
	local tool="${HB_TOOLS:-$ROOT/build/tools}/make_kernel_model" shape name count=0
	[ -x "$tool" ] || skip "no $tool (make build/tools/make_kernel_model)"
	# The bench's small shapes (depths of 144, 32 and 256: whole 16-byte
	# steps); then depths that are not (45, 13, 333, 9 and 25 taps) and one
	# step exactly (16, the pointwise columns kept in registers), odd
	# channel counts (7, 13, 21: an odd last conv channel, the depthwise's
	# predicated last channels), pixel counts not a multiple of four,
	# stride 2 over padding; and the input zero point at its edges (-128:
	# an input offset of 128, the fully connected path's inverted inputs).
	for shape in "conv3x3 16 8 8" "conv1x1 32 8 8" "fc 256 16" "dw3x3 32 8 8" \
		"conv 3 3 2 5 12 9 9" "conv 1 1 1 13 7 5 5" "conv 1 1 1 16 5 6 6" "fc 333 7" \
		"dw 3 2 13 9 9" "dw 5 1 21 7 7" "zp -128 fc 333 7" "zp -128 conv 3 3 1 7 5 9 11" \
		"zp 127 fc 100 9" "zp 127 dw 3 1 13 9 9"; do
		name="kernel_${shape// /_}.tflite"
		"$tool" $shape "$name" || fail "make_kernel_model $shape"
		hb run --board qemu-m55 --model "$name" --runs 1 --warmup 0 --results results
		expect_rc 0
		count=$((count + 1))
	done
	kernels_m55_expect_equal
	[ "$(ls results/*.json | wc -l)" = "$count" ] || fail "expected $count result files"
}

test_kernels_m55_outputs_equal_the_hosts() {
	[ -d "$KERNELS_MLPERF" ] || skip "$KERNELS_MLPERF not found: M55 kernel check skipped"
	local model file
	for model in kws_ref_model pretrainedResnet_quant ad01_int8; do
		hb run --board qemu-m55 --model "$KERNELS_MLPERF/$model.tflite" --runs 1 --warmup 0 \
			--results results
		expect_rc 0
	done
	kernels_m55_expect_equal
	for file in results/*.json; do
		[ "$(json "$file" 'any(l.get("path") == "fast-mve" for l in d["measurements"]["layers"])')" = "True" ] \
			|| fail "$file: no layer took the fast path"
	done
	[ "$(ls results/*.json | wc -l)" = "3" ] || fail "expected three result files"
}
