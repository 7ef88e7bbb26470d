# The real boards: every real-board firmware builds (compile-only: no board
# is attached here) and fits its flash, each profile's OpenOCD configs are
# OpenOCD's own, and an emulated stand-in answers for the real board's
# limits, labelled as such.

# real_boards: the ids of the profiles flashed by OpenOCD.
real_boards() {
	local file
	for file in "$ROOT"/boards/*.json; do
		[ "$(json "$file" 'd["flasher"]["driver"]')" = "openocd" ] && basename "$file" .json
	done
	return 0
}

# Two builds at a time (make runs one compiler per build), each printing
# its sizes; every image must leave the model region alone.
test_boards_real_firmware_builds_and_fits() {
	local board file room flash count=0 running=0
	for board in $(real_boards); do
		"$HILBENCH" build --board "$board" >"build-$board.txt" 2>&1 &
		running=$((running + 1))
		if [ "$running" -eq 2 ]; then
			wait -n || true
			running=$((running - 1))
		fi
	done
	wait || true
	for board in $(real_boards); do
		file="$ROOT/boards/$board.json"
		flash=$(sed -n 's/^  flash \([0-9]*\) B .*/\1/p' "build-$board.txt")
		[ -n "$flash" ] || fail "$board: build failed or printed no flash size: $(tail -3 "build-$board.txt")"
		room=$(json "$file" 'int(d["memory"]["model"]["origin"], 0) - int(d["memory"]["flash"]["origin"], 0)')
		[ "$flash" -gt 4096 ] && [ "$flash" -le "$room" ] || fail "$board: firmware $flash B, room $room B"
		echo "$board: firmware $flash B of $room B before the model region"
		count=$((count + 1))
	done
	[ "$count" -ge 5 ] || fail "only $count real boards"
	# What is the same is shared, not copied: the DWT counter where the
	# core has one, the newer STM32 USART's transmit on the L4R5 and F7.
	for board in $(real_boards); do
		arm-none-eabi-nm -a "$ROOT/build/fw/$board/firmware.elf" >"symbols-$board.txt"
		grep -q " reset.c$" "symbols-$board.txt" || fail "$board: no shared/reset.c"
		if [ "$(json "$ROOT/boards/$board.json" 'd["cycle_counter"]')" = "dwt" ]; then
			grep -q " counter_dwt.c$" "symbols-$board.txt" || fail "$board: no shared DWT counter"
		fi
	done
	grep -q " stm32_usart_tx.c$" symbols-nucleo-l4r5zi.txt || fail "nucleo-l4r5zi: USART transmit not shared"
	grep -q " stm32_usart_tx.c$" symbols-disco-f746.txt || fail "disco-f746: USART transmit not shared"
	! grep -q " counter_dwt.c$" symbols-pico.txt || fail "pico (ARMv6-M) built with the DWT counter"
}

# The configs named in a profile are the ones OpenOCD ships, and OpenOCD
# takes them together (read and shut down before any probe is looked for).
test_boards_real_openocd_configs_exist() {
	local scripts=/usr/share/openocd/scripts board file cfg interface target
	[ -d "$scripts" ] || skip "openocd not installed"
	for board in $(real_boards); do
		file="$ROOT/boards/$board.json"
		interface=$(json "$file" 'd["flasher"]["interface"]')
		target=$(json "$file" 'd["flasher"]["target"]')
		for cfg in "$interface" "$target"; do
			[ -f "$scripts/$cfg" ] || fail "$board: '$cfg' is not in $scripts"
		done
		timeout 20 openocd -f "$interface" -f "$target" -c shutdown >openocd.txt 2>&1 \
			|| fail "$board: openocd rejects its configs: $(tail -3 openocd.txt)"
	done
}

# The Pico's image starts with boot2: 256 bytes whose last 4 are the
# CRC-32 the RP2040 bootrom checks (polynomial 0x04c11db7, not reflected),
# recomputed here independently of the build's tool; then the vector table.
test_boards_real_pico_boot2_checksum() {
	local elf="$ROOT/build/fw/pico/firmware.elf"
	hb build --board pico
	expect_rc 0
	arm-none-eabi-objcopy -O binary -j .boot2 "$elf" boot2.bin
	python3 - boot2.bin <<'PY' || fail "boot2 checksum"
import sys
d = open(sys.argv[1], "rb").read()
assert len(d) == 256, len(d)
c = 0xFFFFFFFF
for b in d[:252]:
    c ^= b << 24
    for _ in range(8):
        c = ((c << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if c & 0x80000000 else (c << 1) & 0xFFFFFFFF
assert c == int.from_bytes(d[252:], "little"), hex(c)
PY
	arm-none-eabi-objdump -h "$elf" | grep -Eq "\.boot2 +00000100 +10000000" || fail "boot2 not at 0x10000000"
	arm-none-eabi-objdump -h "$elf" | grep -Eq "\.vectors +[0-9a-f]+ +10000100" || fail "vectors not at 0x10000100"
	arm-none-eabi-readelf -A "$elf" | grep -q "Tag_CPU_arch: v6S-M" || fail "not built for ARMv6-M"
}

test_boards_real_listed_with_verified_level() {
	hb boards
	expect_rc 0
	local board
	for board in $(real_boards); do
		grep -Eq "^$board +.* compile-only|^$board +.* hardware" stdout.txt || fail "$board not listed: $out"
	done
	expect_out_contains "emulated stand-in for nucleo-l4r5zi: limits from its profile, counts from QEMU"
}

# qemu-l4r5zi runs on QEMU's AN386 but answers for the NUCLEO-L4R5ZI.
test_boards_real_stand_in_answers_for_the_l4r5zi() {
	local file
	hb inspect "$ROOT/suites/fmnist/fmnist_int8.tflite" --board qemu-l4r5zi
	expect_rc 0
	expect_out_contains "emulated stand-in for nucleo-l4r5zi: limits from its profile, counts from QEMU"
	expect_out_contains "655360 B RAM, 1835008 B model region, 120.0 MHz"
	expect_out_contains "in a 1835008 B model region: fits"
	hb run --board qemu-l4r5zi --model "$ROOT/suites/fmnist/fmnist_int8.tflite" --runs 2 --warmup 0 --results results
	expect_rc 0
	file=$(only_result)
	[ "$(json "$file" 'd["board"]["emulates"]["id"]')" = "nucleo-l4r5zi" ] || fail "record not labelled"
	[ "$(json "$file" 'd["board"]["emulates"]["note"]')" = "emulated stand-in for nucleo-l4r5zi: limits from its profile, counts from QEMU" ] || fail "note"
	[ "$(json "$file" 'd["board"]["ram_bytes"]')" = "655360" ] || fail "RAM is not the L4R5ZI's"
	[ "$(json "$file" 'd["measurements"]["count_per_inference"]["unit"]')" = "instructions" ] || fail "unit"
	# Latency at the real board's 120 MHz: instructions / 120.
	[ "$(json "$file" 'abs(d["measurements"]["latency"]["median"] - d["measurements"]["count_per_inference"]["median"] / 120) < 1e-6 * d["measurements"]["latency"]["median"]')" = "True" ] \
		|| fail "latency not at 120 MHz"
}

# A stand-in for a board with too little RAM refuses what the emulator
# itself could run, naming the real board.
test_boards_real_stand_in_refuses_what_the_real_board_cannot_hold() {
	mkdir boards
	cp "$ROOT"/boards/qemu-m4.json boards/
	sed -e 's/"nucleo-f446re"/"small-m4"/' -e 's/"size": "128K"/"size": "16K"/' \
		"$ROOT/boards/nucleo-f446re.json" >boards/small-m4.json
	sed -e 's/"qemu-m4"/"qemu-small"/' -e 's/"verified"/"emulates": "small-m4", "verified"/' \
		"$ROOT/boards/qemu-m4.json" >boards/qemu-small.json
	hb inspect "$ROOT/suites/fmnist/fmnist_int8.tflite" --board qemu-small --boards-dir boards
	expect_rc 0
	expect_out_contains "emulated stand-in for small-m4"
	grep -q "RAM: .*DOES NOT FIT" stdout.txt || fail "inspect: $out"
	hb inspect "$ROOT/suites/fmnist/fmnist_int8.tflite" --board qemu-m4 --boards-dir boards
	grep -q "RAM: .*: fits" stdout.txt || fail "qemu-m4 itself: $out"
	hb run --board qemu-small --boards-dir boards --model "$ROOT/suites/fmnist/fmnist_int8.tflite" --runs 1 --results results
	[ "$rc" -ne 0 ] || fail "ran beyond the real board's RAM"
	expect_err_contains "board 'small-m4' has"
}
