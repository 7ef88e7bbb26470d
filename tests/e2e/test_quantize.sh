# hilbench quantize calibrates on the suite's calibration set, never silently
# on the evaluation inputs it will be scored on.

test_quantize_calibrates_apart_from_the_evaluation_set() {
	[ -d /usr/share/datasets/fashion-mnist ] || skip "dataset-fashion-mnist not installed"
	local float="$ROOT/suites/fmnist/fmnist_float32.tflite"
	hb quantize "$float" --calib "$ROOT/suites/fmnist" --samples 20 --out q.tflite
	expect_rc 0
	expect_out_contains "calibrated on 20 samples of /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
	# The model file itself says so too, in its TFLite description.
	grep -aqF "20 samples of a set apart from the evaluation inputs" q.tflite || fail "description lacks the origin"
	json q.tflite.quant.json 'd["description"]' | grep -qF "set apart from the evaluation" || fail "record lacks the description"
	[ "$(json q.tflite.quant.json 'd["calibrated_on_evaluation_set"]')" = "False" ] || fail "record says eval"
	[ "$(json q.tflite.quant.json 'd["calibration_samples"]')" = "20" ] || fail "samples"
	json q.tflite.quant.json 'd["calibration_inputs"]' | grep -q train-images || fail "calibration file"
	[ "$(json q.tflite.quant.json 'd["float_model"]')" = "$float" ] || fail "float model not recorded"
	json q.tflite.quant.json 'd["suite"]' | grep -q 'fmnist/suite.json$' || fail "suite not recorded"

	# A suite with no calibration set is refused, unless told to use the evaluation inputs.
	mkdir -p nocal
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["calibration"]; json.dump(d, open("nocal/suite.json","w"))' \
		"$ROOT/suites/fmnist/suite.json"
	hb quantize "$float" --calib nocal --samples 20 --out e.tflite
	expect_rc 2
	expect_one_error_line
	expect_err_contains "nocal/suite.json"
	expect_err_contains "'calibration'"
	expect_err_contains "--calib-on-eval"
	[ ! -e e.tflite ] || fail "a refused quantisation wrote a model"
	hb quantize "$float" --calib nocal --calib-on-eval --samples 20 --out e.tflite
	expect_rc 0
	expect_out_contains "EVALUATION"
	grep -aqF "20 samples of the EVALUATION inputs" e.tflite || fail "description hides eval"
	[ "$(json e.tflite.quant.json 'd["calibrated_on_evaluation_set"]')" = "True" ] || fail "record hides eval"
}

# The calibration source is read as such: a missing file is named, and nothing is written.
test_quantize_missing_calibration_file_is_named() {
	[ -d /usr/share/datasets/fashion-mnist ] || skip "dataset-fashion-mnist not installed"
	mkdir -p badcal
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["calibration"]["path"]="/nonexistent/train.gz"; json.dump(d, open("badcal/suite.json","w"))' \
		"$ROOT/suites/fmnist/suite.json"
	hb quantize "$ROOT/suites/fmnist/fmnist_float32.tflite" --calib badcal --out b.tflite
	[ "$rc" -ne 0 ] || fail "a missing calibration file was accepted"
	expect_one_error_line
	expect_err_contains "/nonexistent/train.gz"
	[ ! -e b.tflite ] && [ ! -e b.tflite.quant.json ] || fail "a failed quantisation wrote output"
}
