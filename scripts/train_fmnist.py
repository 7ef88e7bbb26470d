#!/usr/bin/python3
"""Train the Fashion-MNIST suite's small CNN and export it as a float32 .tflite.

The model ships in suites/fmnist/; this script is how it was made and how to
make it again. It reads the IDX files Debian's dataset-fashion-mnist package
installs (nothing is downloaded), trains on the CPU with fixed seeds, writes
the TFLite FlatBuffer with the flatbuffers runtime's Builder (TensorFlow is
not needed), then reads the written file back and runs it with a small numpy
interpreter to prove the file computes what the PyTorch model computes.

    /usr/bin/python3 scripts/train_fmnist.py
    /usr/bin/python3 scripts/train_fmnist.py --evaluate suites/fmnist/fmnist_float32.tflite

Network (NHWC in the file, input x/255 in [0, 1]):
    CONV_2D 3x3x16 SAME + RELU, MAX_POOL_2D 2x2/2,
    CONV_2D 3x3x32 SAME + RELU, MAX_POOL_2D 2x2/2,
    RESHAPE [1, 1568], FULLY_CONNECTED 10, SOFTMAX (beta 1)

Run it with Debian's interpreter (/usr/bin/python3): python3-torch,
python3-numpy and python3-flatbuffers are installed for that one.
"""

import argparse
import gzip
import os
import struct
import sys
import time

import numpy as np

DATA_DIR = "/usr/share/datasets/fashion-mnist"
DEFAULT_OUTPUT = os.path.normpath(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), os.pardir, "suites", "fmnist",
    "fmnist_float32.tflite"))

CONV1_CHANNELS = 16
CONV2_CHANNELS = 32
CLASSES = 10
IMAGE_SIZE = 28
FLAT_SIZE = (IMAGE_SIZE // 4) * (IMAGE_SIZE // 4) * CONV2_CHANNELS

# TFLite schema (schema.fbs, version 3): the values and vtable slots we write.
SCHEMA_VERSION = 3
TYPE_FLOAT32, TYPE_INT32 = 0, 2
OP_CONV_2D, OP_FULLY_CONNECTED, OP_MAX_POOL_2D, OP_RESHAPE, OP_SOFTMAX = 3, 9, 17, 22, 25
OPTIONS_CONV_2D, OPTIONS_POOL_2D, OPTIONS_FULLY_CONNECTED = 1, 5, 8
OPTIONS_SOFTMAX, OPTIONS_RESHAPE = 9, 17
PADDING_SAME, PADDING_VALID = 0, 1
ACTIVATION_NONE, ACTIVATION_RELU = 0, 1
MODEL_VERSION, MODEL_OPERATOR_CODES, MODEL_SUBGRAPHS, MODEL_DESCRIPTION, MODEL_BUFFERS = range(5)
SUBGRAPH_TENSORS, SUBGRAPH_INPUTS, SUBGRAPH_OUTPUTS, SUBGRAPH_OPERATORS, SUBGRAPH_NAME = range(5)
TENSOR_SHAPE, TENSOR_TYPE, TENSOR_BUFFER, TENSOR_NAME = range(4)
OPCODE_DEPRECATED_BUILTIN, OPCODE_CUSTOM, OPCODE_VERSION, OPCODE_BUILTIN = range(4)
OPERATOR_OPCODE_INDEX, OPERATOR_INPUTS, OPERATOR_OUTPUTS = range(3)
OPERATOR_OPTIONS_TYPE, OPERATOR_OPTIONS = 3, 4
BUFFER_DATA = 0
BUFFER_ALIGNMENT = 16


# ---------------------------------------------------------------- data

def read_idx(path):
    """An IDX file (gzip) as a numpy array of its declared shape."""
    with gzip.open(path, "rb") as stream:
        data = stream.read()
    zero, dtype_code, rank = struct.unpack_from(">HBB", data, 0)
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {data[:4].hex()})")
    shape = struct.unpack_from(f">{rank}I", data, 4)
    offset = 4 + 4 * rank
    count = int(np.prod(shape))
    if len(data) - offset != count:
        raise ValueError(f"{path}: expected {count} bytes of data for shape {shape}, "
                         f"found {len(data) - offset}")
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(shape)


def load_split(data_dir, prefix):
    """Images as float32 NHWC in [0, 1] and labels as int64."""
    images = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte.gz"))
    if images.shape[0] != labels.shape[0] or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(f"{prefix}: images {images.shape} and labels {labels.shape} disagree")
    images = (images.astype(np.float32) / np.float32(255.0))[..., np.newaxis]
    return images, labels.astype(np.int64)


# ---------------------------------------------------------------- training

def build_network(torch):
    nn = torch.nn
    # padding=1 with a 3x3 kernel at stride 1 is exactly TFLite's SAME.
    return nn.Sequential(
        nn.Conv2d(1, CONV1_CHANNELS, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(CONV1_CHANNELS, CONV2_CHANNELS, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(FLAT_SIZE, CLASSES))


def to_nchw(torch, images):
    return torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))


def predict(torch, network, images, batch=1000):
    """Softmax probabilities for NHWC images."""
    network.eval()
    outputs = []
    with torch.no_grad():
        for start in range(0, len(images), batch):
            logits = network(to_nchw(torch, images[start:start + batch]))
            outputs.append(torch.softmax(logits, dim=1).numpy())
    return np.concatenate(outputs)


def train(torch, network, images, labels, epochs, batch, seed, log):
    generator = torch.Generator().manual_seed(seed)
    inputs = to_nchw(torch, images)
    targets = torch.from_numpy(labels)
    optimizer = torch.optim.Adam(network.parameters(), lr=2e-3)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    loss_function = torch.nn.CrossEntropyLoss()
    for epoch in range(epochs):
        network.train()
        started = time.monotonic()
        order = torch.randperm(len(inputs), generator=generator)
        total = 0.0
        for start in range(0, len(order), batch):
            index = order[start:start + batch]
            optimizer.zero_grad()
            loss = loss_function(network(inputs[index]), targets[index])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(index)
        schedule.step()
        log(f"epoch {epoch + 1}/{epochs}: loss {total / len(inputs):.4f}, "
            f"{time.monotonic() - started:.1f} s")


# ---------------------------------------------------------------- export

def nhwc_weights(network):
    """The trained parameters laid out as TFLite wants them."""
    conv1, conv2, dense = network[0], network[3], network[7]

    def array(parameter):
        return parameter.detach().numpy().astype(np.float32)

    # PyTorch flattens C,H,W; the RESHAPE in the file flattens H,W,C.
    dense_weights = array(dense.weight).reshape(CLASSES, CONV2_CHANNELS, IMAGE_SIZE // 4,
                                                IMAGE_SIZE // 4)
    return {
        "conv1/weights": array(conv1.weight).transpose(0, 2, 3, 1),  # [out, kh, kw, in]
        "conv1/bias": array(conv1.bias),
        "conv2/weights": array(conv2.weight).transpose(0, 2, 3, 1),
        "conv2/bias": array(conv2.bias),
        "dense/weights": dense_weights.transpose(0, 2, 3, 1).reshape(CLASSES, FLAT_SIZE),
        "dense/bias": array(dense.bias),
    }


def graph_description(weights):
    """Tensors (name, shape, type, constant data or None) and operators."""
    half, quarter = IMAGE_SIZE // 2, IMAGE_SIZE // 4
    tensors = [
        ("input", [1, IMAGE_SIZE, IMAGE_SIZE, 1], TYPE_FLOAT32, None),
        ("conv1/weights", [CONV1_CHANNELS, 3, 3, 1], TYPE_FLOAT32, weights["conv1/weights"]),
        ("conv1/bias", [CONV1_CHANNELS], TYPE_FLOAT32, weights["conv1/bias"]),
        ("conv1/relu", [1, IMAGE_SIZE, IMAGE_SIZE, CONV1_CHANNELS], TYPE_FLOAT32, None),
        ("pool1", [1, half, half, CONV1_CHANNELS], TYPE_FLOAT32, None),
        ("conv2/weights", [CONV2_CHANNELS, 3, 3, CONV1_CHANNELS], TYPE_FLOAT32,
         weights["conv2/weights"]),
        ("conv2/bias", [CONV2_CHANNELS], TYPE_FLOAT32, weights["conv2/bias"]),
        ("conv2/relu", [1, half, half, CONV2_CHANNELS], TYPE_FLOAT32, None),
        ("pool2", [1, quarter, quarter, CONV2_CHANNELS], TYPE_FLOAT32, None),
        ("flatten/shape", [2], TYPE_INT32, np.array([1, FLAT_SIZE], dtype=np.int32)),
        ("flatten", [1, FLAT_SIZE], TYPE_FLOAT32, None),
        ("dense/weights", [CLASSES, FLAT_SIZE], TYPE_FLOAT32, weights["dense/weights"]),
        ("dense/bias", [CLASSES], TYPE_FLOAT32, weights["dense/bias"]),
        ("logits", [1, CLASSES], TYPE_FLOAT32, None),
        ("probabilities", [1, CLASSES], TYPE_FLOAT32, None),
    ]
    index = {name: i for i, (name, _, _, _) in enumerate(tensors)}

    def ids(*names):
        return [index[name] for name in names]

    conv = {"padding": PADDING_SAME, "stride": 1, "activation": ACTIVATION_RELU}
    pool = {"padding": PADDING_VALID, "stride": 2, "filter": 2}
    operators = [
        (OP_CONV_2D, ids("input", "conv1/weights", "conv1/bias"), ids("conv1/relu"), conv),
        (OP_MAX_POOL_2D, ids("conv1/relu"), ids("pool1"), pool),
        (OP_CONV_2D, ids("pool1", "conv2/weights", "conv2/bias"), ids("conv2/relu"), conv),
        (OP_MAX_POOL_2D, ids("conv2/relu"), ids("pool2"), pool),
        (OP_RESHAPE, ids("pool2", "flatten/shape"), ids("flatten"),
         {"new_shape": [1, FLAT_SIZE]}),
        (OP_FULLY_CONNECTED, ids("flatten", "dense/weights", "dense/bias"), ids("logits"),
         {"activation": ACTIVATION_NONE}),
        (OP_SOFTMAX, ids("logits"), ids("probabilities"), {"beta": 1.0}),
    ]
    return tensors, operators, ids("input"), ids("probabilities")


def write_tflite(path, weights, description):
    import flatbuffers

    builder = flatbuffers.Builder(1 << 16)
    tensors, operators, graph_inputs, graph_outputs = graph_description(weights)

    def int32_vector(values):
        builder.StartVector(4, len(values), 4)
        for value in reversed(values):
            builder.PrependInt32(int(value))
        return builder.EndVector()

    def offset_vector(offsets):
        builder.StartVector(4, len(offsets), 4)
        for offset in reversed(offsets):
            builder.PrependUOffsetTRelative(offset)
        return builder.EndVector()

    def byte_vector(data, alignment):
        builder.StartVector(1, len(data), alignment)
        for byte in reversed(data):
            builder.PrependUint8(byte)
        return builder.EndVector()

    def table(fields):
        """fields: (slot, kind, value); offsets must be made before StartObject."""
        builder.StartObject(max(slot for slot, _, _ in fields) + 1 if fields else 0)
        for slot, kind, value in fields:
            if kind == "offset":
                builder.PrependUOffsetTRelativeSlot(slot, value, 0)
            elif kind == "int32":
                builder.PrependInt32Slot(slot, value, 0)
            elif kind == "uint32":
                builder.PrependUint32Slot(slot, value, 0)
            elif kind == "uint8":
                builder.PrependUint8Slot(slot, value, 0)
            elif kind == "int8":
                builder.PrependInt8Slot(slot, value, 0)
            elif kind == "float32":
                builder.PrependFloat32Slot(slot, value, 0.0)
            else:
                raise ValueError(kind)
        return builder.EndObject()

    # Buffer 0 is the schema's empty sentinel; constants get one buffer each.
    buffer_data = [None]
    tensor_buffers = []
    for _, _, _, data in tensors:
        if data is None:
            tensor_buffers.append(0)
        else:
            tensor_buffers.append(len(buffer_data))
            buffer_data.append(np.ascontiguousarray(data).astype(data.dtype.newbyteorder("<"))
                               .tobytes())
    buffers = []
    for data in buffer_data:
        if data is None:
            buffers.append(table([]))
        else:
            vector = byte_vector(data, BUFFER_ALIGNMENT)
            buffers.append(table([(BUFFER_DATA, "offset", vector)]))

    tensor_tables = []
    for (name, shape, tensor_type, _), buffer in zip(tensors, tensor_buffers):
        name_offset = builder.CreateString(name)
        shape_offset = int32_vector(shape)
        tensor_tables.append(table([
            (TENSOR_SHAPE, "offset", shape_offset),
            (TENSOR_TYPE, "int8", tensor_type),
            (TENSOR_BUFFER, "uint32", buffer),
            (TENSOR_NAME, "offset", name_offset),
        ]))

    codes = []
    for builtin, _, _, _ in operators:
        if builtin not in codes:
            codes.append(builtin)
    code_tables = [table([
        (OPCODE_DEPRECATED_BUILTIN, "int8", code),
        (OPCODE_VERSION, "int32", 1),
        (OPCODE_BUILTIN, "int32", code),
    ]) for code in codes]

    operator_tables = []
    for builtin, inputs, outputs, options in operators:
        if builtin == OP_CONV_2D:
            options_type = OPTIONS_CONV_2D
            options_table = table([
                (0, "int8", options["padding"]),
                (1, "int32", options["stride"]),
                (2, "int32", options["stride"]),
                (3, "int8", options["activation"]),
            ])
        elif builtin == OP_MAX_POOL_2D:
            options_type = OPTIONS_POOL_2D
            options_table = table([
                (0, "int8", options["padding"]),
                (1, "int32", options["stride"]),
                (2, "int32", options["stride"]),
                (3, "int32", options["filter"]),
                (4, "int32", options["filter"]),
            ])
        elif builtin == OP_RESHAPE:
            options_type = OPTIONS_RESHAPE
            new_shape = int32_vector(options["new_shape"])
            options_table = table([(0, "offset", new_shape)])
        elif builtin == OP_FULLY_CONNECTED:
            options_type = OPTIONS_FULLY_CONNECTED
            options_table = table([(0, "int8", options["activation"])])
        elif builtin == OP_SOFTMAX:
            options_type = OPTIONS_SOFTMAX
            options_table = table([(0, "float32", options["beta"])])
        else:
            raise ValueError(builtin)
        inputs_offset = int32_vector(inputs)
        outputs_offset = int32_vector(outputs)
        operator_tables.append(table([
            (OPERATOR_OPCODE_INDEX, "uint32", codes.index(builtin)),
            (OPERATOR_INPUTS, "offset", inputs_offset),
            (OPERATOR_OUTPUTS, "offset", outputs_offset),
            (OPERATOR_OPTIONS_TYPE, "uint8", options_type),
            (OPERATOR_OPTIONS, "offset", options_table),
        ]))

    subgraph_fields = [
        (SUBGRAPH_TENSORS, "offset", offset_vector(tensor_tables)),
        (SUBGRAPH_INPUTS, "offset", int32_vector(graph_inputs)),
        (SUBGRAPH_OUTPUTS, "offset", int32_vector(graph_outputs)),
        (SUBGRAPH_OPERATORS, "offset", offset_vector(operator_tables)),
        (SUBGRAPH_NAME, "offset", builder.CreateString("main")),
    ]
    subgraph = table(subgraph_fields)
    model_fields = [
        (MODEL_VERSION, "uint32", SCHEMA_VERSION),
        (MODEL_OPERATOR_CODES, "offset", offset_vector(code_tables)),
        (MODEL_SUBGRAPHS, "offset", offset_vector([subgraph])),
        (MODEL_DESCRIPTION, "offset", builder.CreateString(description)),
        (MODEL_BUFFERS, "offset", offset_vector(buffers)),
    ]
    model = table(model_fields)
    builder.Finish(model, file_identifier=b"TFL3")
    output = builder.Output()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as stream:
        stream.write(output)
    return len(output)


# ---------------------------------------------------------------- reading back

class TfliteGraph:
    """The parts of a .tflite this script writes, read with the generic
    flatbuffers Table accessors (no generated code)."""

    def __init__(self, path):
        from flatbuffers import encode, number_types, table

        self._table = table.Table
        self._types = number_types
        with open(path, "rb") as stream:
            self.data = bytearray(stream.read())
        if self.data[4:8] != b"TFL3":
            raise ValueError(f"{path}: file identifier {bytes(self.data[4:8])!r}, "
                             "expected b'TFL3'")
        root = self._table(self.data, encode.Get(number_types.UOffsetTFlags.packer_type,
                                                  self.data, 0))
        version = self._scalar(root, MODEL_VERSION, number_types.Uint32Flags, 0)
        if version != SCHEMA_VERSION:
            raise ValueError(f"{path}: schema version {version}, expected {SCHEMA_VERSION}")
        codes = [max(self._scalar(code, OPCODE_DEPRECATED_BUILTIN, number_types.Int8Flags, 0),
                     self._scalar(code, OPCODE_BUILTIN, number_types.Int32Flags, 0))
                 for code in self._tables(root, MODEL_OPERATOR_CODES)]
        buffers = [self._ints(buffer, BUFFER_DATA, number_types.Uint8Flags)
                   for buffer in self._tables(root, MODEL_BUFFERS)]
        subgraphs = self._tables(root, MODEL_SUBGRAPHS)
        if len(subgraphs) != 1:
            raise ValueError(f"{path}: {len(subgraphs)} subgraphs, expected 1")
        subgraph = subgraphs[0]
        self.tensors = []
        for tensor in self._tables(subgraph, SUBGRAPH_TENSORS):
            shape = [int(v) for v in self._ints(tensor, TENSOR_SHAPE, number_types.Int32Flags)]
            tensor_type = self._scalar(tensor, TENSOR_TYPE, number_types.Int8Flags, 0)
            raw = buffers[self._scalar(tensor, TENSOR_BUFFER, number_types.Uint32Flags, 0)]
            value = None
            if len(raw):
                dtype = {TYPE_FLOAT32: "<f4", TYPE_INT32: "<i4"}[tensor_type]
                value = np.frombuffer(raw.tobytes(), dtype=dtype).reshape(shape)
            self.tensors.append({"shape": shape, "type": tensor_type, "value": value})
        self.inputs = list(self._ints(subgraph, SUBGRAPH_INPUTS, number_types.Int32Flags))
        self.outputs = list(self._ints(subgraph, SUBGRAPH_OUTPUTS, number_types.Int32Flags))
        self.operators = []
        for operator in self._tables(subgraph, SUBGRAPH_OPERATORS):
            builtin = codes[self._scalar(operator, OPERATOR_OPCODE_INDEX,
                                         number_types.Uint32Flags, 0)]
            options = self._options(builtin, self._table_field(operator, OPERATOR_OPTIONS))
            self.operators.append((builtin,
                                   list(self._ints(operator, OPERATOR_INPUTS,
                                                   number_types.Int32Flags)),
                                   list(self._ints(operator, OPERATOR_OUTPUTS,
                                                   number_types.Int32Flags)),
                                   options))

    @staticmethod
    def _slot(slot):
        return 4 + 2 * slot

    def _scalar(self, table, slot, flags, default):
        offset = table.Offset(self._slot(slot))
        return table.Get(flags, table.Pos + offset) if offset else default

    def _table_field(self, table, slot):
        offset = table.Offset(self._slot(slot))
        return self._table(table.Bytes, table.Indirect(table.Pos + offset)) if offset else None

    def _tables(self, table, slot):
        offset = table.Offset(self._slot(slot))
        if not offset:
            return []
        start = table.Vector(offset)
        return [self._table(table.Bytes, table.Indirect(start + 4 * i))
                for i in range(table.VectorLen(offset))]

    def _ints(self, table, slot, flags):
        offset = table.Offset(self._slot(slot))
        if not offset:
            return np.zeros(0, dtype=flags.py_type)
        return table.GetVectorAsNumpy(flags, offset)

    def _options(self, builtin, table):
        types = self._types
        if table is None:
            return {}
        if builtin == OP_CONV_2D:
            return {"padding": self._scalar(table, 0, types.Int8Flags, 0),
                    "stride_w": self._scalar(table, 1, types.Int32Flags, 0),
                    "stride_h": self._scalar(table, 2, types.Int32Flags, 0),
                    "activation": self._scalar(table, 3, types.Int8Flags, 0)}
        if builtin == OP_MAX_POOL_2D:
            return {"padding": self._scalar(table, 0, types.Int8Flags, 0),
                    "stride_w": self._scalar(table, 1, types.Int32Flags, 0),
                    "stride_h": self._scalar(table, 2, types.Int32Flags, 0),
                    "filter_w": self._scalar(table, 3, types.Int32Flags, 0),
                    "filter_h": self._scalar(table, 4, types.Int32Flags, 0),
                    "activation": self._scalar(table, 5, types.Int8Flags, 0)}
        if builtin == OP_FULLY_CONNECTED:
            return {"activation": self._scalar(table, 0, types.Int8Flags, 0)}
        if builtin == OP_SOFTMAX:
            return {"beta": self._scalar(table, 0, types.Float32Flags, 0.0)}
        if builtin == OP_RESHAPE:
            return {"new_shape": list(self._ints(table, 0, types.Int32Flags))}
        return {}


def same_padding(size, kernel, stride):
    """TFLite's SAME: output ceil(size/stride), extra padding at the end."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return out, total // 2, total - total // 2


def conv2d_nhwc(x, filters, bias, options):
    batch, height, width, channels = x.shape
    out_channels, kernel_h, kernel_w, _ = filters.shape
    stride_h, stride_w = options["stride_h"], options["stride_w"]
    if options["padding"] == PADDING_SAME:
        out_h, top, bottom = same_padding(height, kernel_h, stride_h)
        out_w, left, right = same_padding(width, kernel_w, stride_w)
        x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    else:
        out_h = (height - kernel_h) // stride_h + 1
        out_w = (width - kernel_w) // stride_w + 1
    patches = np.empty((batch, out_h, out_w, kernel_h, kernel_w, channels), dtype=np.float64)
    for ky in range(kernel_h):
        for kx in range(kernel_w):
            patches[:, :, :, ky, kx, :] = x[:, ky:ky + stride_h * out_h:stride_h,
                                            kx:kx + stride_w * out_w:stride_w, :]
    out = patches.reshape(batch * out_h * out_w, -1) @ \
        filters.reshape(out_channels, -1).astype(np.float64).T + bias
    return activate(out.reshape(batch, out_h, out_w, out_channels), options["activation"])


def max_pool_nhwc(x, options):
    if options["padding"] != PADDING_VALID:
        raise ValueError("only VALID pooling is interpreted here")
    batch, height, width, channels = x.shape
    kh, kw, sh, sw = (options["filter_h"], options["filter_w"], options["stride_h"],
                      options["stride_w"])
    out_h, out_w = (height - kh) // sh + 1, (width - kw) // sw + 1
    out = np.full((batch, out_h, out_w, channels), -np.inf)
    for ky in range(kh):
        for kx in range(kw):
            out = np.maximum(out, x[:, ky:ky + sh * out_h:sh, kx:kx + sw * out_w:sw, :])
    return activate(out, options["activation"])


def activate(x, activation):
    if activation == ACTIVATION_RELU:
        return np.maximum(x, 0)
    if activation != ACTIVATION_NONE:
        raise ValueError(f"activation {activation} is not interpreted here")
    return x


def run_graph(graph, images):
    """The file's operators, in its order, on a batch of NHWC images (float64)."""
    values = {graph.inputs[0]: images.astype(np.float64)}
    for builtin, inputs, outputs, options in graph.operators:
        x = values[inputs[0]]
        if builtin == OP_CONV_2D:
            y = conv2d_nhwc(x, graph.tensors[inputs[1]]["value"],
                            graph.tensors[inputs[2]]["value"], options)
        elif builtin == OP_MAX_POOL_2D:
            y = max_pool_nhwc(x, options)
        elif builtin == OP_RESHAPE:
            shape = graph.tensors[outputs[0]]["shape"]
            y = x.reshape(len(x), *shape[1:])  # the file's batch is 1; ours is len(x)
        elif builtin == OP_FULLY_CONNECTED:
            weights = graph.tensors[inputs[1]]["value"].astype(np.float64)
            y = activate(x.reshape(len(x), -1) @ weights.T + graph.tensors[inputs[2]]["value"],
                         options["activation"])
        elif builtin == OP_SOFTMAX:
            scaled = options["beta"] * (x - x.max(axis=-1, keepdims=True))
            exponent = np.exp(scaled)
            y = exponent / exponent.sum(axis=-1, keepdims=True)
        else:
            raise ValueError(f"operator {builtin} is not interpreted here")
        values[outputs[0]] = y
    return values[graph.outputs[0]]


def graph_accuracy(graph, images, labels, batch=1000):
    correct = 0
    for start in range(0, len(images), batch):
        probabilities = run_graph(graph, images[start:start + batch])
        correct += int((probabilities.argmax(axis=1) == labels[start:start + batch]).sum())
    return correct / len(images)


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=DATA_DIR,
                        help="folder with the Fashion-MNIST IDX .gz files")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="the .tflite to write")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check-images", type=int, default=100,
                        help="test images on which the file must match PyTorch")
    parser.add_argument("--tolerance", type=float, default=1e-4,
                        help="largest allowed difference in any probability")
    parser.add_argument("--sample-dir",
                        help="also write input.bin (test image 0, float32 NHWC) and "
                             "expected.bin (PyTorch's probabilities for it) here")
    parser.add_argument("--evaluate", metavar="FILE",
                        help="no training: report the accuracy of FILE on the test set")
    args = parser.parse_args()

    def log(message):
        print(message, flush=True)

    test_images, test_labels = load_split(args.data_dir, "t10k")
    if args.evaluate:
        accuracy = graph_accuracy(TfliteGraph(args.evaluate), test_images, test_labels)
        log(f"{args.evaluate}: top-1 accuracy {accuracy * 100:.2f} % "
            f"on {len(test_images)} test images")
        return 0

    import torch

    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    np.random.seed(args.seed)

    train_images, train_labels = load_split(args.data_dir, "train")
    network = build_network(torch)
    parameters = sum(p.numel() for p in network.parameters())
    log(f"network: {parameters} parameters; training on {len(train_images)} images, "
        f"{args.epochs} epochs, batch {args.batch}, seed {args.seed}")
    started = time.monotonic()
    train(torch, network, train_images, train_labels, args.epochs, args.batch, args.seed, log)
    training_seconds = time.monotonic() - started

    probabilities = predict(torch, network, test_images)
    accuracy = float((probabilities.argmax(axis=1) == test_labels).mean())
    size = write_tflite(args.output, nhwc_weights(network),
                        f"hilbench fmnist CNN float32, {parameters} parameters, "
                        f"seed {args.seed}, {args.epochs} epochs")
    log(f"wrote {args.output} ({size} bytes)")

    graph = TfliteGraph(args.output)
    count = args.check_images
    difference = float(np.abs(run_graph(graph, test_images[:count]) -
                              probabilities[:count]).max())
    file_accuracy = graph_accuracy(graph, test_images, test_labels)
    log(f"PyTorch top-1 accuracy {accuracy * 100:.2f} %, the exported file "
        f"(numpy interpreter) {file_accuracy * 100:.2f} %, on {len(test_images)} test images")
    log(f"file vs PyTorch on {count} test images: largest probability difference "
        f"{difference:.3g} (tolerance {args.tolerance:g})")
    log(f"training took {training_seconds:.1f} s")

    if args.sample_dir:
        os.makedirs(args.sample_dir, exist_ok=True)
        test_images[0].astype("<f4").tofile(os.path.join(args.sample_dir, "input.bin"))
        probabilities[0].astype("<f4").tofile(os.path.join(args.sample_dir, "expected.bin"))
        log(f"wrote {args.sample_dir}/input.bin and expected.bin "
            f"(test image 0, label {test_labels[0]})")

    if difference >= args.tolerance:
        log(f"error: the exported file differs from PyTorch by {difference:.3g}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
