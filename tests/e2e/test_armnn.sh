# Independent check of hilbench's model execution: the board's output
# ('hilbench infer' on qemu-m4) against ArmNN 20.08's reference backend
# (CpuRef, through scripts/armnn_infer.py) on the same .tflite and the same
# input bytes. The host already checks the board bit-exactly against its own
# execution; this asks whether that execution means what TFLite means.
#
# ArmNN computes an int8 layer in float and rounds once where TFLite (and
# hilbench) rescale in fixed point and round twice, so single layers agree
# within one step and the differences grow with depth. Checked layer by layer
# (models cut after each operator): every hilbench layer equals a float
# recomputation from its own inputs within one step; larger gaps are only
# earlier one-step differences carried forward.

ARMNN_MLPERF="$ROOT/../shared/mlperf-tiny"
# The Debian packages python3-pyarmnn and python3-numpy are installed for the
# system interpreter, not for whatever python3 comes first on PATH.
ARMNN_PYTHON=/usr/bin/python3
ARMNN_INFER="$ROOT/scripts/armnn_infer.py"

# Tolerances, in int8 steps of the tensor compared, or relative for float32.
# Each is the worst seen over a wider sweep (30 random inputs per classifier,
# all 196 windows of the anomaly-detection clip) and holds for the inputs below.
#
# KWS logits (input of the final SOFTMAX, after 9 convolutions, average
# pool and FULLY_CONNECTED): 2. Per layer 1; the sweep saw 263 elements
# equal, 95 off by 1, 2 off by 2.
ARMNN_KWS_LOGIT_TOLERANCE=2
# ResNet-8 logits (after 9 convolutions, 3 ADDs, pool, FULLY_CONNECTED): 5.
# Each ADD rescales an input of scale 0.104 into an output of scale 0.051,
# so a one-step difference in a branch becomes two.
ARMNN_RESNET_LOGIT_TOLERANCE=5
# The SOFTMAX output itself is not compared element by element: a logit step
# of scale s moves a probability near 0.5 by up to 256*s/4 output steps
# (KWS s=0.145: 2 logit steps gave 18; ResNet s=0.172: 5 gave 63). Instead
# top-1 must agree unless ArmNN's two best logits are within twice the logit
# tolerance of each other, and the board's SOFTMAX must equal a float
# softmax of the board's own logits within one step (its only rounding).
ARMNN_SOFTMAX_TOLERANCE=1
# Anomaly-detection autoencoder, 10 FULLY_CONNECTED layers, real log-mel
# input: 12. dense_2 has max|w|*s_in*s_w/s_out = 17.5, so one input step can
# move an output by up to 17 steps. Window 103 of the clip is the worst case
# (12, mean 1.63); the typical window differs by 1-2 (mean 0.33). The mean
# bound catches systematic errors that stay under the maximum.
ARMNN_AD01_TOLERANCE=12
ARMNN_AD01_MEAN_TOLERANCE=2.0
# float32: different summation order only; the sweep saw 2e-5 relative
# (ResNet) and exact equality (ad01).
ARMNN_FLOAT_RELATIVE_TOLERANCE=1e-4
ARMNN_FLOAT_ABSOLUTE_TOLERANCE=1e-6

# Windows of the real clip (200 frames x 128 mel bands; the model takes 5
# consecutive frames, 640 floats): first, worst known, last.
ARMNN_AD01_WINDOWS="0,103,195"
ARMNN_RANDOM_INPUTS=3

# Helper run by the system python: makes inputs, cuts a model before its
# SOFTMAX, compares outputs. Reads the .tflite flatbuffer directly (just the
# tables it needs), so it needs nothing beyond numpy.
ARMNN_TOOL=$(cat <<'PYTHON'
import struct
import sys

import numpy

TYPE_FLOAT32, TYPE_INT8, OPERATOR_SOFTMAX = 0, 9, 25


class Flatbuffer:
	def __init__(self, data):
		self.data = bytearray(data)

	def u32(self, at):
		return struct.unpack_from("<I", self.data, at)[0]

	def field(self, table, index):
		vtable = table - struct.unpack_from("<i", self.data, table)[0]
		if 4 + 2 * index >= struct.unpack_from("<H", self.data, vtable)[0]:
			return None
		offset = struct.unpack_from("<H", self.data, vtable + 4 + 2 * index)[0]
		return table + offset if offset else None

	def scalar(self, table, index, form, default=0):
		at = self.field(table, index)
		return default if at is None else struct.unpack_from(form, self.data, at)[0]

	def vector(self, table, index):
		"""(address of the first element, length)."""
		at = self.field(table, index)
		if at is None:
			return None, 0
		at += self.u32(at)
		return at + 4, self.u32(at)

	def tables(self, table, index):
		start, length = self.vector(table, index)
		return [start + 4 * k + self.u32(start + 4 * k) for k in range(length)]

	def ints(self, table, index):
		start, length = self.vector(table, index)
		return [struct.unpack_from("<i", self.data, start + 4 * k)[0] for k in range(length)]


class Model:
	def __init__(self, path):
		with open(path, "rb") as file:
			self.flatbuffer = Flatbuffer(file.read())
		self.root = self.flatbuffer.u32(0)
		self.subgraph = self.flatbuffer.tables(self.root, 2)[0]
		self.tensors = self.flatbuffer.tables(self.subgraph, 0)

	def tensor(self, index):
		"""(element count, numpy type, scale, zero point)."""
		fb, table = self.flatbuffer, self.tensors[index]
		count = int(numpy.prod(fb.ints(table, 0)))
		kind = fb.scalar(table, 1, "<b")
		if kind not in (TYPE_FLOAT32, TYPE_INT8):
			sys.exit(f"tensor {index}: type {kind}: expected float32 or int8")
		scale, zero = 0.0, 0
		quantization = fb.field(table, 4)
		if quantization is not None:
			quantization += fb.u32(quantization)
			start, length = fb.vector(quantization, 2)
			if length:
				scale = struct.unpack_from("<f", fb.data, start)[0]
			start, length = fb.vector(quantization, 3)
			if length:
				zero = struct.unpack_from("<q", fb.data, start)[0]
		return count, ("<f4" if kind == TYPE_FLOAT32 else "i1"), scale, zero

	def input(self):
		return self.tensor(self.flatbuffer.ints(self.subgraph, 1)[0])

	def output(self):
		return self.tensor(self.flatbuffer.ints(self.subgraph, 2)[0])


def read(path, dtype):
	return numpy.fromfile(path, dtype).astype(numpy.float64)


def round_half_away(values):
	return numpy.sign(values) * numpy.floor(numpy.abs(values) + 0.5)


def make_inputs(model_path, kind, spec, features_path=""):
	"""Writes in0.bin, in1.bin, ...: random (spec = count) or windows of
	the real clip (spec = comma separated frame offsets)."""
	count, dtype, scale, zero = Model(model_path).input()
	random = numpy.random.RandomState(20201)
	if kind == "random":
		inputs = []
		for _ in range(int(spec)):
			# int8: uniform over the whole range. float32 (ResNet): pixel
			# values 0..255, the range the int8 twin's input quantisation
			# (scale 1, zero point -128) was calibrated for.
			if dtype == "i1":
				inputs.append(random.randint(-128, 128, count))
			else:
				inputs.append(random.randint(0, 256, count))
	else:
		frames = numpy.fromfile(features_path, "<f4").reshape(-1, 128)
		per_window = count // 128
		inputs = [frames[start:start + per_window].reshape(-1) for start in map(int, spec.split(","))]
		if dtype == "i1":
			# What TFLite's QUANTIZE does with the model's own parameters.
			inputs = [numpy.clip(round_half_away(window / scale) + zero, -128, 127) for window in inputs]
	for index, values in enumerate(inputs):
		assert values.size == count
		values.astype(dtype).tofile(f"in{index}.bin")


def cut_before_softmax(model_path, cut_path):
	"""Copies the model with its last operator, a SOFTMAX, removed and its
	input made the graph's output: the logits."""
	model = Model(model_path)
	fb = model.flatbuffer
	operators = fb.tables(model.subgraph, 3)
	codes = fb.tables(model.root, 1)
	last = operators[-1]
	code = codes[fb.scalar(last, 0, "<I")]
	builtin = max(fb.scalar(code, 0, "<b"), fb.scalar(code, 3, "<i"))
	if builtin != OPERATOR_SOFTMAX:
		sys.exit(f"{model_path}: last operator is builtin {builtin}: expected SOFTMAX ({OPERATOR_SOFTMAX})")
	logits = fb.ints(last, 1)[0]
	outputs, _ = fb.vector(model.subgraph, 2)
	struct.pack_into("<i", fb.data, outputs, logits)
	operator_vector, length = fb.vector(model.subgraph, 3)
	struct.pack_into("<I", fb.data, operator_vector - 4, length - 1)
	with open(cut_path, "wb") as file:
		file.write(fb.data)


def check_int8(name, count, tolerance, mean_tolerance):
	worst, worst_mean, failures = 0, 0.0, []
	for index in range(int(count)):
		board, armnn = read(f"board{index}.bin", "i1"), read(f"armnn{index}.bin", "i1")
		difference = numpy.abs(board - armnn)
		worst, worst_mean = max(worst, difference.max()), max(worst_mean, difference.mean())
		if difference.max() > float(tolerance) or difference.mean() > float(mean_tolerance):
			at = int(difference.argmax())
			failures.append(f"input {index}: max |diff| {difference.max():.0f} at element {at} "
				f"(board {board[at]:.0f}, armnn {armnn[at]:.0f}), mean {difference.mean():.2f}")
	print(f"{name}: {count} inputs, int8 max |diff| {worst:.0f} (tolerance {tolerance}), "
		f"worst mean {worst_mean:.2f} (tolerance {mean_tolerance})")
	return failures


def check_float(name, count, relative, absolute, classifier):
	worst, agree, failures = 0.0, 0, []
	for index in range(int(count)):
		board, armnn = read(f"board{index}.bin", "<f4"), read(f"armnn{index}.bin", "<f4")
		difference = numpy.abs(board - armnn)
		allowed = float(absolute) + float(relative) * numpy.abs(armnn)
		worst = max(worst, (difference / numpy.maximum(numpy.abs(armnn), 1e-30)).max())
		if (difference > allowed).any():
			at = int((difference - allowed).argmax())
			failures.append(f"input {index}: element {at}: board {board[at]!r}, armnn {armnn[at]!r}")
		if classifier == "classifier":
			if board.argmax() == armnn.argmax():
				agree += 1
			else:
				failures.append(f"input {index}: top-1 board {board.argmax()}, armnn {armnn.argmax()}")
	top1 = f", top-1 {agree}/{count}" if classifier == "classifier" else ""
	print(f"{name}: {count} inputs, float32 max relative diff {worst:.2e} "
		f"(tolerance {relative} + {absolute} absolute){top1}")
	return failures


def check_classifier(model_path, logits_path, count, logit_tolerance, softmax_tolerance):
	_, _, logit_scale, logit_zero = Model(logits_path).output()
	_, _, out_scale, out_zero = Model(model_path).output()
	name = model_path.rsplit("/", 1)[-1]
	worst_logit, worst_output, worst_softmax, agree, failures = 0, 0, 0, 0, []
	for index in range(int(count)):
		board, armnn = read(f"board{index}.bin", "i1"), read(f"armnn{index}.bin", "i1")
		board_logits, armnn_logits = read(f"logits_board{index}.bin", "i1"), read(f"logits_armnn{index}.bin", "i1")
		difference = numpy.abs(board_logits - armnn_logits)
		worst_logit = max(worst_logit, difference.max())
		worst_output = max(worst_output, numpy.abs(board - armnn).max())
		if difference.max() > int(logit_tolerance):
			failures.append(f"input {index}: logits differ by {difference.max():.0f}: "
				f"board {board_logits.astype(int).tolist()}, armnn {armnn_logits.astype(int).tolist()}")
		real = logit_scale * (board_logits - logit_zero)
		exponentials = numpy.exp(real - real.max())
		expected = numpy.clip(round_half_away(exponentials / exponentials.sum() / out_scale) + out_zero, -128, 127)
		softmax_difference = numpy.abs(expected - board).max()
		worst_softmax = max(worst_softmax, softmax_difference)
		if softmax_difference > int(softmax_tolerance):
			failures.append(f"input {index}: board SOFTMAX {board.astype(int).tolist()}, "
				f"float softmax of its logits {expected.astype(int).tolist()}")
		ranked = numpy.sort(armnn_logits)
		if board.argmax() == armnn.argmax():
			agree += 1
		elif ranked[-1] - ranked[-2] > 2 * int(logit_tolerance):
			failures.append(f"input {index}: top-1 board {board.argmax()}, armnn {armnn.argmax()}, "
				f"armnn logits {armnn_logits.astype(int).tolist()}")
	print(f"{name}: {count} inputs, logits max |diff| {worst_logit:.0f} (tolerance {logit_tolerance}), "
		f"top-1 {agree}/{count}, SOFTMAX vs float softmax of the board's logits {worst_softmax:.0f} "
		f"(tolerance {softmax_tolerance}), output max |diff| {worst_output:.0f} (not bounded, see test)")
	return failures


def main(command, *arguments):
	failures = {
		"inputs": make_inputs,
		"cut": cut_before_softmax,
		"check-int8": check_int8,
		"check-float": check_float,
		"check-classifier": check_classifier,
	}[command](*arguments)
	for failure in failures or []:
		print(f"armnn differs: {failure}")
	return 1 if failures else 0


sys.exit(main(*sys.argv[1:]))
PYTHON
)

armnn_tool() {
	"$ARMNN_PYTHON" -c "$ARMNN_TOOL" "$@"
}

need_armnn() {
	[ -d "$ARMNN_MLPERF" ] || skip "$ARMNN_MLPERF not found: ArmNN comparison skipped"
	[ -x "$ARMNN_PYTHON" ] && "$ARMNN_PYTHON" -c 'import numpy, pyarmnn' >/dev/null 2>&1 \
		|| skip "$ARMNN_PYTHON cannot import pyarmnn and numpy (Debian packages python3-pyarmnn python3-numpy): ArmNN comparison skipped"
}

# armnn_run_both MODEL PREFIX: in<i>.bin through the board and through ArmNN
# into PREFIXboard<i>.bin and PREFIXarmnn<i>.bin.
armnn_run_both() {
	local model=$1 prefix=$2 count index pairs=() file
	count=$(ls in*.bin | wc -l)
	for ((index = 0; index < count; index++)); do
		hb infer --model "$model" --input "in$index.bin" --output "${prefix}board$index.bin" \
			--results "results_$prefix"
		expect_rc 0
		pairs+=("in$index.bin" "${prefix}armnn$index.bin")
	done
	"$ARMNN_PYTHON" "$ARMNN_INFER" "$model" "${pairs[@]}" || fail "armnn_infer.py failed on $model"
	for file in "results_$prefix"/*.json; do
		[ "$(json "$file" 'd["output_check"]["mismatches"]')" = "0" ] \
			|| fail "$file: board differs from the host's execution"
	done
}

armnn_check_classifier() {
	local model="$ARMNN_MLPERF/$1.tflite" tolerance=$2
	armnn_tool inputs "$model" random "$ARMNN_RANDOM_INPUTS"
	armnn_tool cut "$model" logits.tflite || fail "cannot cut $model before its SOFTMAX"
	armnn_run_both "$model" ""
	armnn_run_both logits.tflite logits_
	armnn_tool check-classifier "$model" logits.tflite "$ARMNN_RANDOM_INPUTS" "$tolerance" \
		"$ARMNN_SOFTMAX_TOLERANCE" || fail "$1: hilbench and ArmNN disagree beyond quantisation noise"
}

test_armnn_agrees_kws_int8() {
	need_armnn
	armnn_check_classifier kws_ref_model "$ARMNN_KWS_LOGIT_TOLERANCE"
}

test_armnn_agrees_resnet_int8() {
	need_armnn
	armnn_check_classifier pretrainedResnet_quant "$ARMNN_RESNET_LOGIT_TOLERANCE"
}

test_armnn_agrees_resnet_float32() {
	need_armnn
	local model="$ARMNN_MLPERF/pretrainedResnet.tflite"
	armnn_tool inputs "$model" random "$ARMNN_RANDOM_INPUTS"
	armnn_run_both "$model" ""
	armnn_tool check-float pretrainedResnet "$ARMNN_RANDOM_INPUTS" "$ARMNN_FLOAT_RELATIVE_TOLERANCE" \
		"$ARMNN_FLOAT_ABSOLUTE_TOLERANCE" classifier || fail "pretrainedResnet: hilbench and ArmNN disagree"
}

test_armnn_agrees_ad01_int8() {
	need_armnn
	local model="$ARMNN_MLPERF/ad01_int8.tflite"
	armnn_tool inputs "$model" windows "$ARMNN_AD01_WINDOWS" "$ARMNN_MLPERF/normal_id_01_00000000_hist_librosa.bin"
	armnn_run_both "$model" ""
	armnn_tool check-int8 ad01_int8 "$(ls in*.bin | wc -l)" "$ARMNN_AD01_TOLERANCE" \
		"$ARMNN_AD01_MEAN_TOLERANCE" || fail "ad01_int8: hilbench and ArmNN disagree beyond quantisation noise"
}

test_armnn_agrees_ad01_float32() {
	need_armnn
	local model="$ARMNN_MLPERF/ad01_fp32.tflite"
	armnn_tool inputs "$model" windows "$ARMNN_AD01_WINDOWS" "$ARMNN_MLPERF/normal_id_01_00000000_hist_librosa.bin"
	armnn_run_both "$model" ""
	armnn_tool check-float ad01_fp32 "$(ls in*.bin | wc -l)" "$ARMNN_FLOAT_RELATIVE_TOLERANCE" \
		"$ARMNN_FLOAT_ABSOLUTE_TOLERANCE" autoencoder || fail "ad01_fp32: hilbench and ArmNN disagree"
}

# kws_ref_model_float32 keeps int8 weights with float activations (a hybrid
# model); ArmNN 20.08 refuses it, so there is nothing to compare against.
test_armnn_kws_float32_hybrid() {
	need_armnn
	local model="$ARMNN_MLPERF/kws_ref_model_float32.tflite"
	head -c 1960 /dev/zero > in0.bin
	set +e
	"$ARMNN_PYTHON" "$ARMNN_INFER" "$model" in0.bin armnn0.bin 2>armnn.err
	rc=$?
	set -e
	if [ "$rc" -eq 1 ] && grep -qF "hybrid model" armnn.err; then
		skip "kws_ref_model_float32 is a hybrid model (float activations, int8 weights): ArmNN CpuRef cannot run it, not compared"
	fi
	# Another ArmNN version may run it, and may quantise activations on the
	# fly as TFLite's hybrid kernels do: then this needs its own comparison.
	fail "armnn_infer.py on $model: expected the hybrid-model refusal (exit 1), got exit $rc: $(cat armnn.err)"
}

test_armnn_infer_reports_bad_input() {
	need_armnn
	local model="$ARMNN_MLPERF/kws_ref_model.tflite"
	head -c 3 /dev/zero > short.bin
	set +e
	"$ARMNN_PYTHON" "$ARMNN_INFER" "$model" short.bin out.bin 2>armnn.err
	rc=$?
	set -e
	[ "$rc" -eq 2 ] || fail "short input: expected exit 2, got $rc"
	grep -qF "input 'short.bin': expected 490 bytes (the model's input tensor), got 3" armnn.err \
		|| fail "short input: unclear message: $(cat armnn.err)"
	[ ! -e out.bin ] || fail "an output was written for a bad input"
	printf 'not a model' > text.tflite
	set +e
	"$ARMNN_PYTHON" "$ARMNN_INFER" text.tflite short.bin out.bin 2>armnn.err
	rc=$?
	set -e
	[ "$rc" -eq 1 ] || fail "text model: expected exit 1, got $rc"
	grep -qF "model 'text.tflite'" armnn.err || fail "text model: unclear message: $(cat armnn.err)"
	[ "$(wc -l < armnn.err)" -eq 1 ] || fail "expected one error line, got: $(cat armnn.err)"
}
