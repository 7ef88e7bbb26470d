# The narrow int8 kernels as the Cortex-M0 build runs them (the unit tests run
# their plain-C twins on the host; the Armv6-M asm loops run only on a board):
# every output equal to the host's portable kernels on the kernel shapes that
# fit qemu-m0's 16 KiB of RAM (make_kernel_model, as `make bench` runs them)
# and on the odd sizes the asm loops leave to their C tails.

test_kernels_m0_outputs_equal_the_hosts() {
	local tool="${HB_TOOLS:-$ROOT/build/tools}/make_kernel_model" shape file
	[ -x "$tool" ] || skip "no $tool (make build/tools/make_kernel_model)"
	# The bench's shapes; then a stride-2 3x3 conv over padding with 45 taps
	# and 25 output pixels (no multiples of the four taps and four pixels a
	# step), an fc with 333 inputs and 7 rows (of two inputs, four rows), a
	# stride-2 5x5 depthwise of 35 channels (a block of 32 and a tail of 3).
	for shape in "conv3x3 16 8 8" "conv1x1 32 8 8" "fc 256 16" "dw3x3 32 8 8" \
		"conv 3 3 2 5 12 9 9" "fc 333 7" "dw 5 2 35 9 9"; do
		"$tool" $shape "kernel_${shape// /_}.tflite" || fail "make_kernel_model $shape"
		hb run --board qemu-m0 --model "kernel_${shape// /_}.tflite" --runs 1 --warmup 0 \
			--results results
		expect_rc 0
	done
	for file in results/*.json; do
		[ "$(json "$file" 'd["status"]')" = "ok" ] || fail "$file: status"
		[ "$(json "$file" 'd["output_check"]["performed"]')" = "True" ] || fail "$file: not checked"
		[ "$(json "$file" 'd["output_check"]["mismatches"]')" = "0" ] || fail "$file: board differs from host"
	done
	[ "$(ls results/*.json | wc -l)" = "7" ] || fail "expected seven result files"
}
