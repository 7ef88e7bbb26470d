# The emulated boards beyond the MPS2 images of one memory map: micro:bit
# (Cortex-M0, nrf51 port), AN505 (Cortex-M33), AN547 (Cortex-M55) and the
# netduinoplus2 (STM32F405, the stm32f4 port of the real Nucleo), each
# built with its core's own features and run end to end (the fmnist suite
# where it fits).

# check_board_record FILE BOARD PORT CORE: a clean run whose outputs equal
# the host's and whose counts are instructions QEMU counted.
check_board_record() {
	local file=$1 board=$2 port=$3 core=$4
	[ "$(json "$file" 'd["status"]')" = "ok" ] || fail "$board: status not ok"
	[ "$(json "$file" 'd["board"]["id"]')" = "$board" ] || fail "$board: board id"
	[ "$(json "$file" 'd["firmware"]["port"]')" = "$port" ] || fail "$board: port"
	[ "$(json "$file" 'd["firmware"]["core"]')" = "$core" ] || fail "$board: core"
	[ "$(json "$file" 'd["output_check"]["mismatches"] == 0 and d["output_check"]["samples_compared"] == 1')" = "True" ] \
		|| fail "$board: output differs from the host's"
	[ "$(json "$file" 'd["measurements"]["count_per_inference"]["unit"]')" = "instructions" ] || fail "$board: unit"
	[ "$(json "$file" 'd["measurements"]["count_per_inference"]["source"]')" = "emulated" ] || fail "$board: source"
	[ "$(json "$file" 'd["measurements"]["count_per_inference"]["min"] > d["model"]["macs"]')" = "True" ] \
		|| fail "$board: fewer instructions than MACs"
	[ "$(json "$file" 'd["firmware"]["counter_units_per_tick"] > 8')" = "True" ] || fail "$board: counter scale"
	[ "$(json "$file" 'd["link"]["target_exit_status"]')" = "0" ] || fail "$board: QEMU did not exit cleanly"
}

# readelf's build attributes of the record's firmware, to see what the
# compiler was allowed to use.
firmware_attributes() {
	arm-none-eabi-readelf -A "$(json "$1" 'd["firmware"]["elf"]')"
}

# check_suite_record FILE BOARD PORT CORE SAMPLES: both fmnist variants ran
# every sample clean, outputs equal to the host's, counts from QEMU.
check_suite_record() {
	local file=$1 board=$2 port=$3 core=$4 samples=$5
	[ "$(json "$file" '[v["variant"] for v in d["variants"]]')" = "['float32', 'int8']" ] || fail "$board: variants"
	[ "$(json "$file" "all(v['status'] == 'ok' and v['output_check']['mismatches'] == 0 and v['output_check']['samples_compared'] == $samples and v['accuracy']['samples'] == $samples for v in d['variants'])")" = "True" ] \
		|| fail "$board: a variant failed, differs from the host or skipped samples"
	[ "$(json "$file" 'set((v["board"]["id"], v["firmware"]["port"], v["firmware"]["core"], v["measurements"]["count_per_inference"]["unit"], v["measurements"]["count_per_inference"]["source"]) for v in d["variants"])')" \
		= "{('$board', '$port', '$core', 'instructions', 'emulated')}" ] || fail "$board: board, port, core or count source"
}

# The cores the MPS2 tests do not cover run the fmnist suite, all at once
# as a lab would (--board a,b,c), each built with its core's own features.
test_boards_more_m33_m55_and_l4r5zi_run_the_fmnist_suite() {
	[ -d /usr/share/datasets/fashion-mnist ] || skip "dataset-fashion-mnist not installed"
	local board port core file
	hb run --board qemu-m33,qemu-m55,qemu-l4r5zi --suite "$ROOT/suites/fmnist" --limit 4 --results results
	expect_rc 0
	expect_out_contains "hilbench run: 3 boards"
	for board in qemu-m33:mps2-an505:cortex-m33 qemu-m55:mps3-an547:cortex-m55 qemu-l4r5zi:mps2:cortex-m4; do
		IFS=: read -r board port core <<<"$board"
		file=$(ls results/*_"$board"_fmnist.json) || fail "no record of $board"
		check_suite_record "$file" "$board" "$port" "$core" 4
		arm-none-eabi-readelf -A "$(json "$file" 'd["variants"][1]["firmware"]["elf"]')" >"attributes-$board.txt"
		grep -q "Tag_DSP_extension: Allowed\|Tag_CPU_arch: v7E-M" "attributes-$board.txt" || fail "$board: built without DSP"
		grep -q "Tag_ABI_VFP_args: VFP registers" "attributes-$board.txt" || fail "$board: built without the FPU"
	done
	grep -q "Tag_CPU_arch: v8.1-M.mainline" attributes-qemu-m55.txt || fail "qemu-m55: not ARMv8.1-M"
	grep -q "Tag_MVE_arch: MVE Integer and FP" attributes-qemu-m55.txt || fail "qemu-m55: built without MVE"
	grep -q "Tag_CPU_arch: v8-M.mainline" attributes-qemu-m33.txt || fail "qemu-m33: not ARMv8-M mainline"
}

test_boards_more_m0_runs_a_dense_model() {
	local tool="${HB_TOOLS:-$ROOT/build/tools}/make_dense_model" file
	[ -x "$tool" ] || skip "$tool not built (make e2e builds it)"
	"$tool" dense.tflite 2 || fail "make_dense_model"
	hb run --board qemu-m0 --model dense.tflite --runs 2 --warmup 0 --results results
	expect_rc 0
	expect_out_contains "output check           equal"
	file=$(only_result)
	check_board_record "$file" qemu-m0 nrf51 cortex-m0
	[ "$(json "$file" 'd["board"]["ram_bytes"]')" = "16384" ] || fail "RAM size"
	firmware_attributes "$file" >attributes.txt
	grep -q "Tag_CPU_arch: v6S-M" attributes.txt || fail "not built for ARMv6-M"
	! grep -q "Tag_FP_arch" attributes.txt || fail "built with an FPU"
}

# The fmnist CNN's arena alone is larger than the micro:bit's RAM: refused
# before anything starts, with the sizes.
test_boards_more_m0_refuses_fmnist() {
	hb run --board qemu-m0 --model "$ROOT/suites/fmnist/fmnist_int8.tflite" --runs 1 --results results
	[ "$rc" -ne 0 ] || fail "fmnist_int8 ran on 16 KiB of RAM"
	expect_err_contains "needs 16482 bytes of RAM"
	expect_err_contains "board 'qemu-m0' has"
}

# arm-none-eabi-nm -a of an ELF: which source files and buffers went in.
firmware_symbols() {
	arm-none-eabi-nm -a "$1"
}

# The register-level stm32f4 port of the Nucleo, on QEMU's STM32F405: the
# fmnist suite end to end, outputs equal to the host's, counts from SysTick
# (QEMU has no DWT) at the 168 MHz QEMU clocks it with, and a receive path
# that polls (QEMU has no DMA). The Nucleo's own build keeps the DMA ring
# and the DWT counter.
test_boards_more_f405_runs_the_stm32f4_port_on_fmnist() {
	[ -d /usr/share/datasets/fashion-mnist ] || skip "dataset-fashion-mnist not installed"
	local file elf
	hb run --board qemu-f405 --suite "$ROOT/suites/fmnist" --limit 10 --results results
	expect_rc 0
	expect_out_contains "suite fmnist on qemu-f405: 10 samples"
	file=$(only_result)
	[ "$(json "$file" '[v["variant"] for v in d["variants"]]')" = "['float32', 'int8']" ] || fail "variants"
	[ "$(json "$file" 'all(v["status"] == "ok" and v["output_check"]["mismatches"] == 0 and v["output_check"]["samples_compared"] == 10 for v in d["variants"])')" = "True" ] \
		|| fail "a variant failed or differs from the host"
	[ "$(json "$file" 'all(v["accuracy"]["samples"] == 10 and 0.5 < v["accuracy"]["value"] <= 1 for v in d["variants"])')" = "True" ] \
		|| fail "implausible accuracy: $(json "$file" '[v["accuracy"]["value"] for v in d["variants"]]')"
	[ "$(json "$file" 'set((v["board"]["id"], v["board"]["verified"], v["firmware"]["port"], v["firmware"]["counter"]) for v in d["variants"])')" \
		= "{('qemu-f405', 'emulated', 'stm32f4-netduinoplus2', 'systick')}" ] || fail "board, port or counter"
	[ "$(json "$file" 'all(v["measurements"]["count_per_inference"]["unit"] == "instructions" and v["measurements"]["count_per_inference"]["source"] == "emulated" for v in d["variants"])')" = "True" ] \
		|| fail "counts are not emulated instructions"
	[ "$(json "$file" 'all(5.9 < v["firmware"]["counter_units_per_tick"] < 6.0 for v in d["variants"])')" = "True" ] \
		|| fail "SysTick scale not 1e9/168e6 instructions per tick"
	[ "$(json "$file" 'all(v["firmware"]["uart_rx_window"] == 8192 and v["link"]["target_exit_status"] == 0 for v in d["variants"])')" = "True" ] \
		|| fail "receive window or exit status"
	elf=$(json "$file" 'd["variants"][1]["firmware"]["elf"]')
	arm-none-eabi-readelf -A "$elf" >attributes.txt
	grep -q "Tag_CPU_arch: v7E-M" attributes.txt || fail "not built for ARMv7E-M (with DSP)"
	grep -q "Tag_ABI_VFP_args: VFP registers" attributes.txt || fail "built without the FPU"
	firmware_symbols "$elf" >f405.txt
	grep -q " counter_systick.c$" f405.txt || fail "qemu-f405 not built with the SysTick counter"
	! grep -q " rx_ring$" f405.txt || fail "qemu-f405 built with the DMA ring"

	hb build --board nucleo-f446re
	expect_rc 0
	firmware_symbols "$ROOT/build/fw/nucleo-f446re/firmware.elf" >nucleo.txt
	grep -q " counter_dwt.c$" nucleo.txt || fail "nucleo-f446re not built with the DWT counter"
	grep -q " rx_ring$" nucleo.txt || fail "nucleo-f446re built without the DMA ring"
	grep -q " reset.c$" nucleo.txt || fail "nucleo-f446re does not end a run by reset"
}
