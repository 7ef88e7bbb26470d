#!/usr/bin/python3
"""Runs one .tflite model on ArmNN's reference backend (CpuRef).

An independent second opinion on hilbench's own execution: the same model
file, the same raw input bytes, a runtime written by other people. Input and
output files hold the model's tensor as raw little-endian bytes in the
model's own type (int8 or float32) and layout (NHWC), exactly what
'hilbench infer' reads and writes.

Usage: armnn_infer.py MODEL.tflite IN.bin OUT.bin [IN.bin OUT.bin ...]
Several input/output pairs run through one loaded network, which saves the
second or so ArmNN takes to start.

Exit status: 0 success, 1 ArmNN could not load or run the model (for
example a hybrid model with float activations and int8 weights),
2 bad command line or input file.

Needs the Debian packages python3-pyarmnn and python3-numpy; run it with
/usr/bin/python3, the interpreter those packages are installed for.
"""

import logging
import os
import sys
import warnings

PROGRAM = "armnn_infer"


class UsageError(Exception):
	"""Bad command line or input file: exit status 2."""


class RuntimeFailure(Exception):
	"""ArmNN refused or failed the model: exit status 1."""


def import_armnn():
	# pyarmnn logs a warning on import for every parser it was built
	# without (Caffe, ONNX, TF); only the TFLite parser matters here.
	logging.getLogger("pyarmnn").setLevel(logging.ERROR)
	with warnings.catch_warnings():
		warnings.simplefilter("ignore")
		try:
			import numpy
			import pyarmnn
		except ImportError as error:
			raise RuntimeFailure(
				f"python module '{error.name}' not found in {sys.executable}: "
				"expected the Debian packages python3-pyarmnn and python3-numpy "
				"(run with /usr/bin/python3)") from error
	if not hasattr(pyarmnn, "ITfLiteParser"):
		raise RuntimeFailure("pyarmnn: expected a build with the TFLite parser, this one has none")
	return pyarmnn, numpy


def parse_arguments(argv):
	if len(argv) < 3 or len(argv) % 2 == 0:
		raise UsageError(
			"usage: armnn_infer.py MODEL.tflite IN.bin OUT.bin [IN.bin OUT.bin ...]")
	model = argv[0]
	pairs = list(zip(argv[1::2], argv[2::2]))
	if not os.path.isfile(model):
		raise UsageError(f"model '{model}': no such file")
	return model, pairs


def single_binding(parser, names, kind, model, get_binding):
	if len(names) != 1:
		raise RuntimeFailure(
			f"model '{model}': expected one {kind} tensor, found {len(names)}")
	return get_binding(0, names[0])


def load_network(ann, model):
	"""Parses the model and loads it on CpuRef; returns the runtime,
	network id and input/output bindings."""
	try:
		parser = ann.ITfLiteParser()
		network = parser.CreateNetworkFromBinaryFile(model)
		if parser.GetSubgraphCount() != 1:
			raise RuntimeFailure(
				f"model '{model}': expected one subgraph, found {parser.GetSubgraphCount()}")
		input_binding = single_binding(parser, parser.GetSubgraphInputTensorNames(0),
			"input", model, parser.GetNetworkInputBindingInfo)
		output_binding = single_binding(parser, parser.GetSubgraphOutputTensorNames(0),
			"output", model, parser.GetNetworkOutputBindingInfo)
		runtime = ann.IRuntime(ann.CreationOptions())
		optimized, _ = ann.Optimize(network, [ann.BackendId("CpuRef")],
			runtime.GetDeviceSpec(), ann.OptimizerOptions())
		network_id, _ = runtime.LoadNetwork(optimized)
	except RuntimeFailure:
		raise
	except Exception as error:
		# ArmNN raises RuntimeError with its own message, e.g. for a hybrid
		# model "... not supported ... CpuRef"; keep that text.
		detail = " ".join(str(error).split())
		if "input and weights types mismatched" in detail:
			raise RuntimeFailure(
				f"model '{model}': ArmNN CpuRef cannot run it: a hybrid model "
				"(float activations, int8 weights) is not supported") from error
		if "None of the preferred backends" in detail:
			raise RuntimeFailure(
				"ArmNN: backend 'CpuRef' not found: expected the Debian package "
				"libarmnn-cpuref-backend22") from error
		raise RuntimeFailure(f"model '{model}': ArmNN CpuRef cannot run it: {detail}") from error
	return runtime, network_id, input_binding, output_binding


def numpy_type(ann, numpy, tensor_info, model, kind):
	types = {
		ann.DataType_Float32: numpy.float32,
		ann.DataType_QAsymmS8: numpy.int8,
		ann.DataType_QSymmS8: numpy.int8,
		ann.DataType_QAsymmU8: numpy.uint8,
	}
	data_type = tensor_info.GetDataType()
	if data_type not in types:
		raise RuntimeFailure(
			f"model '{model}': {kind} tensor type {data_type}: expected float32, int8 or uint8")
	return numpy.dtype(types[data_type]).newbyteorder("<")


def read_input(numpy, path, dtype, tensor_info):
	expected = tensor_info.GetNumBytes()
	try:
		with open(path, "rb") as file:
			data = file.read()
	except OSError as error:
		raise UsageError(f"input '{path}': cannot read: {error.strerror}") from error
	if len(data) != expected:
		raise UsageError(
			f"input '{path}': expected {expected} bytes (the model's input tensor), "
			f"got {len(data)}")
	values = numpy.frombuffer(data, dtype=dtype)
	return values.astype(dtype.newbyteorder("="))


def write_output(path, values, dtype):
	temporary = path + ".part"
	try:
		with open(temporary, "wb") as file:
			file.write(values.astype(dtype).tobytes())
		os.replace(temporary, path)
	except OSError as error:
		if os.path.exists(temporary):
			os.remove(temporary)
		raise UsageError(f"output '{path}': cannot write: {error.strerror}") from error


def run(argv):
	model, pairs = parse_arguments(argv)
	ann, numpy = import_armnn()
	runtime, network_id, input_binding, output_binding = load_network(ann, model)
	input_type = numpy_type(ann, numpy, input_binding[1], model, "input")
	output_type = numpy_type(ann, numpy, output_binding[1], model, "output")
	inputs = [read_input(numpy, source, input_type, input_binding[1]) for source, _ in pairs]
	for values, (_, destination) in zip(inputs, pairs):
		input_tensors = ann.make_input_tensors([input_binding], [values])
		output_tensors = ann.make_output_tensors([output_binding])
		try:
			runtime.EnqueueWorkload(network_id, input_tensors, output_tensors)
		except Exception as error:
			detail = " ".join(str(error).split())
			raise RuntimeFailure(f"model '{model}': ArmNN CpuRef run failed: {detail}") from error
		result = ann.workload_tensors_to_ndarray(output_tensors)[0]
		write_output(destination, result.reshape(-1), output_type)


def main():
	if sys.argv[1:2] in (["-h"], ["--help"]):
		print(__doc__.strip())
		return 0
	try:
		run(sys.argv[1:])
	except UsageError as error:
		print(f"{PROGRAM}: error: {error}", file=sys.stderr)
		return 2
	except RuntimeFailure as error:
		print(f"{PROGRAM}: error: {error}", file=sys.stderr)
		return 1
	return 0


if __name__ == "__main__":
	sys.exit(main())
