# hilbench firmware in its MLPerf Tiny build, served on a pty by `hilbench
# serve` and driven by a plain client (tests/e2e/mlperf_client.py): every
# command the reference firmware answers, answered in the reference's forms,
# with scores that match the host's execution of the same model.

# A failed test still stops its serve (and so its QEMU).
mlperf_serve_cleanup() {
	if [ -n "${serve_pid:-}" ] && kill -0 "$serve_pid" 2>/dev/null; then
		kill -INT "$serve_pid"
		wait "$serve_pid" 2>/dev/null || true
	fi
}

# Starts `hilbench serve` in the background; sets $serve_pid, $pty, $image.
mlperf_serve_start() {
	# The old file would otherwise be read before the new serve truncates it.
	rm -f serve.json serve.err
	trap mlperf_serve_cleanup EXIT
	"$HILBENCH" serve --board qemu-m4 --protocol mlperf-tiny --json "$@" \
		>serve.json 2>serve.err &
	serve_pid=$!
	for _ in $(seq 1 600); do
		grep -q '"pty"' serve.json 2>/dev/null && break
		kill -0 "$serve_pid" 2>/dev/null || fail "serve stopped: $(cat serve.err)"
		sleep 0.2
	done
	pty=$(json serve.json 'd["pty"]')
	image=$(json serve.json 'd["model_image"]')
	[ -c "$pty" ] || fail "serve printed no pty: $(cat serve.json serve.err)"
}

# SIGINT, as Ctrl-C: the board is stopped and serve exits 0.
mlperf_serve_stop() {
	kill -INT "$serve_pid"
	set +e
	wait "$serve_pid"
	rc=$?
	set -e
	serve_pid=
	[ "$rc" -eq 0 ] || fail "serve exited $rc after SIGINT: $(cat serve.err)"
	grep -q "stopping board 'qemu-m4'" serve.err || fail "serve did not say it stopped: $(cat serve.err)"
}

# An int8 input of the image's input size, its float32 form (each value a
# fifth of a step off the quantized one, so it quantizes back unambiguously)
# and the host's output for it through `hilbench infer`.
mlperf_inputs() {
	local model=$1
	python3 - "$image" <<'EOF'
import random, struct, sys
image = open(sys.argv[1], "rb").read()
header = struct.unpack_from("<16I", image, 0)
fields = struct.unpack_from("<4I4ifi", image, header[7] + 40 * header[10])
size, scale, zero = fields[3], fields[8], fields[9]
rng = random.Random(11)
q = [rng.randrange(-128, 128) for _ in range(size)]
offsets = [rng.choice((-0.2, 0.2)) for _ in range(size)]
open("in.bin", "wb").write(struct.pack("<%db" % size, *q))
open("in_f32.bin", "wb").write(struct.pack("<%df" % size,
    *[(v - zero + o) * scale for v, o in zip(q, offsets)]))
EOF
	python3 "$ROOT/tests/e2e/mlperf_client.py" quantize "$image" in_f32.bin in_check.bin
	cmp -s in.bin in_check.bin || fail "the float input does not quantize back to the int8 one"
	hb infer --board qemu-m4 --model "$model" --input in.bin --output expected.bin
	expect_rc 0
}

test_mlperf_fw_serve_answers_as_the_reference() {
	local tool="${HB_TOOLS:-$ROOT/build/tools}/make_dense_model"
	[ -x "$tool" ] || skip "make_dense_model not built (make build/tools/make_dense_model)"
	"$tool" dense.tflite 2 || fail "make_dense_model"
	mlperf_serve_start --model-name kws01 --model dense.tflite
	[ "$(json serve.json 'd["model_name"]')" = kws01 ] || fail "json lacks the model name"
	mlperf_inputs dense.tflite
	python3 "$ROOT/tests/e2e/mlperf_client.py" session "$pty" "$image" kws01 \
		in.bin in_f32.bin expected.bin transcript.txt ||
		{ mlperf_serve_stop; fail "the session failed (transcript: $(tail -5 transcript.txt))"; }
	mlperf_serve_stop
	grep -q '^< m-model-\[kws01\]$' transcript.txt || fail "transcript lacks m-model-[kws01]"
}

# MLPerf Tiny's own KWS model: 490 int8 features in, 12 scores out.
test_mlperf_fw_serve_kws01_reference_model() {
	local model="$ROOT/../shared/mlperf-tiny/kws_ref_model.tflite"
	[ -f "$model" ] || skip "MLPerf Tiny's kws_ref_model.tflite not in ../shared/mlperf-tiny"
	mlperf_serve_start --model-name kws01 --model "$model"
	mlperf_inputs "$model"
	python3 "$ROOT/tests/e2e/mlperf_client.py" session "$pty" "$image" kws01 \
		in.bin in_f32.bin expected.bin transcript.txt ||
		{ mlperf_serve_stop; fail "the session failed (transcript: $(tail -5 transcript.txt))"; }
	mlperf_serve_stop
	grep -q '^> db load 490%$' transcript.txt || fail "no 490-byte load in the transcript"
	grep -Eq '^< m-results-\[([0-9]\.[0-9]{3},){11}[0-9]\.[0-9]{3}\]$' transcript.txt ||
		fail "no 12 scores in the transcript"
}

# ic01 as the runner sends it: uint8 pixels, offset to int8 on the board.
test_mlperf_fw_serve_ic01_uint8_pixels() {
	local tool="${HB_TOOLS:-$ROOT/build/tools}/make_dense_model"
	[ -x "$tool" ] || skip "make_dense_model not built (make build/tools/make_dense_model)"
	"$tool" dense.tflite 1 || fail "make_dense_model"
	mlperf_serve_start --model-name ic01 --model dense.tflite
	mlperf_inputs dense.tflite
	python3 "$ROOT/tests/e2e/mlperf_client.py" session "$pty" "$image" ic01 \
		in.bin in_f32.bin expected.bin transcript.txt ||
		{ mlperf_serve_stop; fail "the session failed (transcript: $(tail -5 transcript.txt))"; }
	mlperf_serve_stop
}

# ad01 as the runner sends it: 640 float32 values (2560 bytes) per window,
# and one anomaly score back.
test_mlperf_fw_serve_ad01_float_window() {
	local model="$ROOT/../shared/mlperf-tiny/ad01_int8.tflite"
	[ -f "$model" ] || skip "MLPerf Tiny's ad01_int8.tflite not in ../shared/mlperf-tiny"
	mlperf_serve_start --model-name ad01 --model "$model"
	mlperf_inputs "$model"
	[ "$(stat -c %s in_f32.bin)" -eq 2560 ] || fail "ad01's float window is not 2560 bytes"
	python3 "$ROOT/tests/e2e/mlperf_client.py" session "$pty" "$image" ad01 \
		in.bin in_f32.bin expected.bin transcript.txt ||
		{ mlperf_serve_stop; fail "the session failed (transcript: $(tail -5 transcript.txt))"; }
	mlperf_serve_stop
	grep -q '^> db load 2560%$' transcript.txt || fail "no 2560-byte load in the transcript"
}

# A model name firmware.mk would refuse is refused before anything starts.
test_mlperf_fw_serve_refuses_a_bad_model_name() {
	hb serve --protocol mlperf-tiny --model-name 'kws 01'
	expect_rc 2
	expect_one_error_line
	expect_err_contains "--model-name 'kws 01' is malformed"
	hb serve --model-name kws01
	expect_rc 2
	expect_err_contains "--protocol mlperf-tiny"
}

# The window pin's edges as QEMU sees them (its mps2_fpgaio_write trace of
# the FPGAIO LED register, which the mps2 port drives): raised for the
# timed runs only in performance mode; in energy mode idle high with a low
# pulse per timestamp, as the reference drives its timestamp pin.
mlperf_marker_edges() {
	local firmware=$1 commands=$2
	(sleep 0.5; printf '%s' "$commands"; sleep 1.5) |
		timeout 3 qemu-system-arm -M mps2-an386 -kernel "$firmware" -display none \
			-monitor none -icount shift=0,align=off,sleep=off -serial stdio \
			-device "loader,file=$image,addr=0x00100000" -trace mps2_fpgaio_write \
			2>trace.txt | tr -d '\r' >uart.txt || true
	sed -n 's/.*offset 0x0 data 0x\([01]\) .*/\1/p' trace.txt | tr -d '\n'
}

test_mlperf_fw_window_marker_edges() {
	local tool="${HB_TOOLS:-$ROOT/build/tools}/make_dense_model" load performance energy
	[ -x "$tool" ] || skip "make_dense_model not built (make build/tools/make_dense_model)"
	command -v qemu-system-arm >/dev/null || skip "qemu-system-arm not installed"
	"$tool" dense.tflite 1 || fail "make_dense_model"
	mlperf_serve_start --model-name kws01 --model dense.tflite
	performance=$(json serve.json 'd["firmware"]')
	mlperf_serve_stop
	mlperf_serve_start --model-name kws01 --model dense.tflite --energy-mode
	energy=$(json serve.json 'd["firmware"]')
	[ "$(json serve.json 'd["energy_mode"]')" = True ] || fail "json lacks energy_mode"
	mlperf_serve_stop
	[ "$performance" != "$energy" ] || fail "both modes built into one folder"
	load="db load 64%$(for _ in 1 2 3 4; do printf 'db %032d%%' 0; done)"

	# Low from reset, high for the two timed runs, low again.
	[ "$(mlperf_marker_edges "$performance" "${load}infer 2 0%")" = 010 ] ||
		fail "performance edges: $(cat trace.txt)"
	grep -q '^m-lap-us-' uart.txt || fail "performance mode printed no laps"
	# Reset low, idle high, a pulse at boot, two around the runs, one for timestamp%.
	[ "$(mlperf_marker_edges "$energy" "${load}infer 2 0%timestamp%")" = 0101010101 ] ||
		fail "energy edges: $(cat trace.txt)"
	grep -q '^m-timestamp-mode-energy$' uart.txt || fail "no energy banner: $(cat uart.txt)"
	! grep -q '^m-lap-us-' uart.txt || fail "energy mode printed laps"
	grep -q '^m-results-\[' uart.txt || fail "energy mode gave no results"
}
