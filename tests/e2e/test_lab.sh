# Detection on recorded enumerations (tests/lab/*.json, written by hand in
# the shape real probes enumerate), `lab init` and `lab check`, and a run
# through a lab map instance on an emulated board.

test_lab_detect_a_recorded_stlink_and_nothing() {
	hb boards --detect --from-recording "$ROOT/tests/lab/stlink_v21_vcp.json"
	expect_rc 0
	expect_out_contains "stlink-v2-1"
	expect_out_contains "serial 0669FF485550755187034646"
	expect_out_contains "console /dev/serial/by-id/usb-STMicroelectronics_STM32_STLink_0669FF485550755187034646-if02"
	expect_out_contains "nucleo-f446re"
	expect_out_contains "serial bridges of no probe (0)"
	hb boards --detect --json --from-recording "$ROOT/tests/lab/stlink_v21_vcp.json"
	expect_rc 0
	echo "$out" >detect.json
	[ "$(json detect.json 'd["probes"][0]["kind"] + " " + d["probes"][0]["console"]["port"]')" = "stlink-v2-1 /dev/ttyACM0" ] \
		|| fail "detect --json: $out"
	[ "$(json detect.json '"nucleo-f446re" in d["probes"][0]["profiles"] and "qemu-m4" not in d["probes"][0]["profiles"]')" = "True" ] \
		|| fail "profiles: $out"
	# lab record writes a recording that detects the same.
	hb lab record --from-recording "$ROOT/tests/lab/stlink_v21_vcp.json"
	expect_rc 0
	echo "$out" >again.json
	cp detect.json detect-first.json
	hb boards --detect --json --from-recording again.json
	expect_rc 0
	[ "$out" = "$(cat detect-first.json)" ] || fail "lab record's recording detects otherwise: $out"
	hb boards --detect --from-recording "$ROOT/tests/lab/nothing.json"
	expect_rc 0
	expect_out_contains "no debug probes or USB serial bridges found"
	hb boards --detect --from-recording "$ROOT/tests/lab/ftdi_bridge.json"
	expect_rc 0
	expect_out_contains "debug probes (0)"
	expect_out_contains "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0  0403:6001"
	echo '{"schema": 1, "usb": [{"vid": "0483", "pid": "374g", "bus": 1}]}' >bad.json
	hb boards --detect --from-recording bad.json
	expect_rc 2
	expect_err_contains "bad.json: field 'usb[0].pid': expected a USB id as 4 hex digits"
}

test_lab_init_drafts_a_map_that_check_validates() {
	hb lab init --from-recording "$ROOT/tests/lab/stlink_v21_vcp.json"
	expect_rc 0
	echo "$out" >lab.json
	[ "$(json lab.json 'd["boards"][0]["probe"]["serial"]')" = "0669FF485550755187034646" ] || fail "serial: $out"
	if grep -q TODO lab.json; then
		# More than one shipped profile flashes through an ST-LINK.
		expect_err_contains "placeholder(s) to replace"
		hb lab check lab.json
		expect_rc 2
		expect_err_contains "lab.json: field 'boards[0].profile': \"TODO: the board's profile, one of"
		python3 - lab.json <<-'PY'
			import json, sys
			d = json.load(open(sys.argv[1]))
			d["boards"][0]["profile"] = "nucleo-f446re"
			d["boards"][0]["id"] = "nucleo-f446re-1"
			json.dump(d, open(sys.argv[1], "w"))
		PY
	fi
	hb lab check lab.json
	expect_rc 0
	expect_out_contains "nucleo-f446re-1"
	expect_out_contains "stlink-v2-1 0669FF485550755187034646 /dev/serial/by-id/"
}

test_lab_run_on_an_emulated_instance() {
	local file
	cat >lab.json <<-'EOF2'
		{"schema": 1, "boards": [
		 {"id": "bench-m4", "profile": "qemu-m4"},
		 {"id": "f446-1", "profile": "nucleo-f446re",
		  "probe": {"kind": "stlink-v2-1", "serial": "0669FF485550755187034646"},
		  "console": "/dev/serial/by-id/usb-STMicroelectronics_STM32_STLink_0669FF485550755187034646-if02"}]}
	EOF2
	hb run --lab lab.json --board bench-m4 --runs 2 --warmup 0 --results results
	expect_rc 0
	file=$(only_result)
	[ "$(json "$file" 'd["board"]["id"]')" = "qemu-m4" ] || fail "board id"
	[ "$(json "$file" 'd["board"]["instance"]')" = "{'id': 'bench-m4'}" ] || fail "instance"
	[ "$(json "$file" 'd["status"]')" = "ok" ] || fail "status"
	# A real profile is not an instance; a misspelt instance is named.
	hb run --lab lab.json --board nucleo-f446re --runs 2
	expect_rc 2
	expect_err_contains "board 'nucleo-f446re' is not in lab map 'lab.json' (its boards: bench-m4, f446-1)"
	hb build --lab lab.json --board f446-2
	expect_rc 2
	expect_err_contains "(did you mean 'f446-1'?"
	sed 's/"bench-m4", "profile": "qemu-m4"}/"bench-m4", "profile": "qemu-m4", "console": "\/dev\/ttyACM9"}/' lab.json >bad.json
	hb inspect "$ROOT/suites/fmnist/fmnist_int8.tflite" --lab bad.json --board bench-m4
	expect_rc 2
	expect_err_contains "bad.json: field 'boards[0].console': not used with profile \"qemu-m4\""
}
