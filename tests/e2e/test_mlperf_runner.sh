# The MLPerf Tiny runner's own code, unchanged, from the mirror of
# mlcommons/tiny, driving hilbench firmware through `hilbench serve`'s pty
# (tests/e2e/mlperf_runner_drive.py says which parts of the runner run).
# Skipped where the mirror or the runner's Python modules are absent.

MLPERF_TINY_MIRROR=${MLPERF_TINY_MIRROR:-/work/.mirror/mlcommons+tiny/repo}

# Extracts benchmark/runner from the mirror into ./runner; skips without it.
mlperf_runner_extract() {
	git -C "$MLPERF_TINY_MIRROR" rev-parse --verify -q HEAD >/dev/null 2>&1 ||
		skip "no mirror of mlcommons/tiny at $MLPERF_TINY_MIRROR (set MLPERF_TINY_MIRROR)"
	/usr/bin/python3 -c 'import serial, numpy, yaml' 2>/dev/null ||
		skip "the runner needs pyserial, numpy and PyYAML for /usr/bin/python3 (Debian: python3-serial python3-numpy python3-yaml)"
	mkdir -p runner
	git -C "$MLPERF_TINY_MIRROR" archive HEAD benchmark/runner/'*.py' benchmark/runner/'*.yaml' 2>archive.err |
		tar -x -C runner --strip-components=2
	# The mirror may lack blobs outside benchmark/runner (archive.err says so).
	[ -f runner/device_under_test.py ] && [ -f runner/tests_accuracy.yaml ] ||
		fail "cannot extract the runner from the mirror: $(cat archive.err)"
}

# Runs the runner's accuracy script for the served model on a one-file
# data set (NAME/y_labels.csv and NAME/FILE) and checks its scores against
# the host's output for the same input.
mlperf_runner_check() {
	local name=$1 data=$2 width=$3
	mkdir -p "data/$name"
	cp "$data" "data/$name/input.bin"
	echo "input.bin,$width,0,$(stat -c %s "$data"),$(stat -c %s "$data")" >"data/$name/y_labels.csv"
	timeout 300 /usr/bin/python3 "$ROOT/tests/e2e/mlperf_runner_drive.py" runner "$pty" data out.json \
		>runner.log 2>&1 || { mlperf_serve_stop; fail "the runner failed: $(tail -5 runner.log)"; }
	mlperf_serve_stop
	python3 - "$image" "$name" <<'PY' || fail "the runner's result is wrong: $(cat out.json)"
import json, struct, sys
image = open(sys.argv[1], "rb").read()
name = sys.argv[2]
header = struct.unpack_from("<16I", image, 0)
def tensor(index):
    fields = struct.unpack_from("<4I4ifi", image, header[7] + 40 * index)
    return fields[3], fields[8], fields[9]
out_size, out_scale, out_zero = tensor(header[11])
in_size, in_scale, in_zero = tensor(header[10])
expected = struct.unpack("<%db" % out_size, open("expected.bin", "rb").read())
want = [(q - out_zero) * out_scale for q in expected]
if name == "ad01":
    sent = struct.unpack("<%df" % in_size, open("in_f32.bin", "rb").read())
    want = [sum((w - s) ** 2 for w, s in zip(want, sent)) / out_size]
record = json.load(open("out.json"))
assert record["model"] == name, record["model"]
assert record["profile"], "no profile"
infers = [r["infer"] for r in record["result"] if "infer" in r]
assert len(infers) == 1, infers
got = infers[0]["results"]
assert len(got) == len(want) and all(abs(g - w) <= 0.0005 + 1e-6 for g, w in zip(got, want)), (got, want)
assert infers[0]["total_inferences"] == 1
print("runner scores", got[:4], "match the host")
PY
}

test_mlperf_runner_drives_served_firmware() {
	local tool="${HB_TOOLS:-$ROOT/build/tools}/make_dense_model"
	mlperf_runner_extract
	[ -x "$tool" ] || skip "make_dense_model not built (make build/tools/make_dense_model)"
	"$tool" dense.tflite 2 || fail "make_dense_model"
	mlperf_serve_start --model-name kws01 --model dense.tflite
	mlperf_inputs dense.tflite
	mlperf_runner_check kws01 in.bin 64
}

# ad01 through the runner's download step: a 2560-byte float32 window.
test_mlperf_runner_drives_served_ad01() {
	local model="$ROOT/../shared/mlperf-tiny/ad01_int8.tflite"
	mlperf_runner_extract
	[ -f "$model" ] || skip "MLPerf Tiny's ad01_int8.tflite not in ../shared/mlperf-tiny"
	mlperf_serve_start --model-name ad01 --model "$model"
	mlperf_inputs "$model"
	mlperf_runner_check ad01 in_f32.bin 1
}
