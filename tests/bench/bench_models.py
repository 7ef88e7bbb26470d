#!/usr/bin/env python3
"""`make bench`, kernel part: instructions per MAC of whole models on the
emulated boards, through the real CLI (`hilbench run --json`), so what is
measured is exactly what a user's run measures, output check included.

    bench_models.py HILBENCH [--kernel-models TOOL] [--board ID]... [--runs N]

With --kernel-models (build/make_kernel_model), first one-operator models
of the kernel shapes of issue 12 (and four small ones that fit qemu-m0's
16 KiB of RAM), each against CMSIS-NN's figure for it on the emulated M4
(instructions per MAC of the whole inference, so the interpreter's few
hundred instructions per operator are included); the model table gains
make_kernel_model's MobileNet-style graph. Every table has a column per
emulated core (qemu-m0, m3, m4, m7, m33, m55 unless --board says), with
"does not fit: why" where a model is larger than the board's RAM or model
region: instructions per MAC per kernel shape and per model, the ratio to
the issue-12 anchor figures on the M4 (measured with the portable kernels
before the fast paths) and, per float32/int8 pair and board, int8
instructions over float32 instructions (below 1: int8 is faster); then the
five layers of kws_ref_model that took the most instructions on qemu-m4
and m7, from the run's own per-layer profile. A
benchmark: it prints what it measured and asserts nothing; a failed run
(an output mismatch included) is printed as such and makes the
exit status non-zero, since its figures would mean nothing.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The MLPerf Tiny files, beside the checkout unless HB_MLPERF_TINY says.
SHARED = os.environ.get("HB_MLPERF_TINY",
                        os.path.join(os.path.dirname(ROOT), "shared", "mlperf-tiny"))

# (label, path, pair key, variant): pairs share a key, int8 over float32.
MODELS = [
    ("kws_ref_model", os.path.join(SHARED, "kws_ref_model.tflite"), "kws", "int8"),
    ("kws_ref_model_float32", os.path.join(SHARED, "kws_ref_model_float32.tflite"), "kws", "float32"),
    ("pretrainedResnet_quant", os.path.join(SHARED, "pretrainedResnet_quant.tflite"), "resnet", "int8"),
    ("pretrainedResnet", os.path.join(SHARED, "pretrainedResnet.tflite"), "resnet", "float32"),
    ("ad01_int8", os.path.join(SHARED, "ad01_int8.tflite"), "ad01", "int8"),
    ("ad01_fp32", os.path.join(SHARED, "ad01_fp32.tflite"), "ad01", "float32"),
    ("fmnist_int8", os.path.join(ROOT, "suites", "fmnist", "fmnist_int8.tflite"), "fmnist", "int8"),
    ("fmnist_float32", os.path.join(ROOT, "suites", "fmnist", "fmnist_float32.tflite"), "fmnist", "float32"),
    # Written by make_kernel_model (no path): a depthwise-separable
    # MobileNet-style graph, int8 only.
    ("mobilenet_style", None, "mobilenet", "int8"),
]

# Issue 12's figures on qemu-m4 with the portable kernels (instructions/MAC;
# fmnist int8's 12.95 M instructions over its 1 031 744 MACs).
ANCHOR_M4 = {"kws_ref_model": 14.17, "pretrainedResnet_quant": 8.20, "ad01_int8": 6.44,
             "fmnist_int8": 12.55}


# (label, make_kernel_model arguments, CMSIS-NN instructions/MAC on the
# emulated M4 from issue 12). Spatial sizes are ours: the issue gives none.
KERNELS = [
    ("conv 3x3 16->16 16x16", ["conv3x3", "16", "16", "16"], 2.33),
    ("conv 3x3 32->32 16x16", ["conv3x3", "32", "16", "16"], 1.93),
    ("conv 3x3 64->64 8x8", ["conv3x3", "64", "8", "8"], 1.76),
    ("conv 1x1 64->64 16x16", ["conv1x1", "64", "16", "16"], 2.07),
    ("fc 640->128", ["fc", "640", "128"], 1.95),
    ("depthwise 3x3 64 16x16", ["dw3x3", "64", "16", "16"], 8.0),
    # Small enough for qemu-m0's 16 KiB of RAM (no CMSIS-NN figure).
    ("conv 3x3 16->16 8x8", ["conv3x3", "16", "8", "8"], None),
    ("conv 1x1 32->32 8x8", ["conv1x1", "32", "8", "8"], None),
    ("fc 256->16", ["fc", "256", "16"], None),
    ("depthwise 3x3 32 8x8", ["dw3x3", "32", "8", "8"], None),
]

# Every emulated core with a board profile; a model that does not fit a
# board gets a "does not fit" cell saying why.
BOARDS = ["qemu-m0", "qemu-m3", "qemu-m4", "qemu-m7", "qemu-m33", "qemu-m55"]
ANCHOR_BOARD = "qemu-m4"
# The model whose heaviest layers the bench lists, and on which boards.
LAYER_MODEL = "kws_ref_model"
LAYER_BOARDS = ["qemu-m4", "qemu-m7"]


def short_error(error):
    """A table cell for a run that gave no figure."""
    text = error or "unknown error"
    ram = re.search(r"needs (\d+) bytes of RAM .*has (\d+) left", text)
    if ram:
        return "does not fit: needs %s B RAM, %s B free" % ram.groups()
    image = re.search(r"needs a (\d+)-byte image, board '[^']*' has a (\d+)-byte", text)
    if image:
        return "does not fit: %s B image, %s B model region" % image.groups()
    return "FAILED: " + text[:120]


def run_model(hilbench, board, path, runs, results):
    """One `hilbench run --json`: ((instructions, MACs), None) or (None, error)."""
    cmd = [hilbench, "run", "--board", board, "--model", path, "--runs", str(runs),
           "--warmup", "1", "--results", results, "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    try:
        record = json.loads(proc.stdout)
    except ValueError:
        return None, "no record (exit %d): %s" % (proc.returncode, proc.stderr.strip()[-200:])
    if isinstance(record, list):
        if not record:
            return None, "no record (exit %d): %s" % (proc.returncode,
                                                      proc.stderr.strip()[-200:])
        record = record[0]
    if record.get("status") != "ok":
        error = record.get("error")
        if isinstance(error, dict):
            error = error.get("message")
        return None, str(error)
    if record.get("output_check", {}).get("mismatches"):
        return None, "output differs from the host's"
    measurements = record["measurements"]
    count = measurements["count_per_inference"]["median"]
    return (count, record["model"]["macs"], measurements.get("layers"),
            measurements.get("layer_profile")), None


def make_model(tool, arguments, results):
    """A model written by make_kernel_model into results: (path, error)."""
    path = os.path.join(results, "kernel_%s.tflite" % "_".join(arguments))
    if os.path.exists(path):
        return path, None
    if not tool:
        return None, "skipped: needs --kernel-models"
    made = subprocess.run([tool] + arguments + [path], capture_output=True, text=True,
                          check=False)
    if made.returncode != 0:
        return None, made.stderr.strip()
    return path, None


def measure(hilbench, boards, rows, runs, results):
    """{(label, board): (count, macs) or error text}; failed: a run failed
    for a reason other than the model not fitting."""
    cells = {}
    failed = False
    for label, path in rows:
        for board in boards:
            if path is None:
                cells[(label, board)] = "skipped: needs --kernel-models"
                continue
            measured, error = run_model(hilbench, board, path, runs, results)
            if error:
                cells[(label, board)] = short_error(error)
                failed |= not cells[(label, board)].startswith("does not fit")
            else:
                cells[(label, board)] = measured
    return cells, failed


def per_mac(cell):
    return "%.2f" % (cell[0] / cell[1]) if isinstance(cell, tuple) else cell


def print_table(title, header, lines):
    print("\n" + title)
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for line in lines:
        print("| " + " | ".join(line) + " |")


def bench_kernels(hilbench, tool, boards, runs, results):
    rows = []
    for label, arguments, _ in KERNELS:
        path, error = make_model(tool, arguments, results)
        if error:
            print("%s: FAILED: %s" % (label, error))
        rows.append((label, None if error else path))
    cells, failed = measure(hilbench, boards, rows, runs, results)
    lines = []
    for label, _, cmsis in KERNELS:
        anchor = cells.get((label, ANCHOR_BOARD))
        ratio = "%.2fx" % (anchor[0] / anchor[1] / cmsis) \
            if cmsis and isinstance(anchor, tuple) else "-"
        lines.append([label, str(cmsis) if cmsis else "-", ratio] +
                     [per_mac(cells[(label, board)]) for board in boards])
    print_table("kernel shapes: instructions/MAC of a one-operator model (emulated "
                "instructions, QEMU -icount, median of %d runs; vs CMSIS-NN on %s)" %
                (runs, ANCHOR_BOARD),
                ["kernel", "CMSIS-NN m4", "vs CMSIS"] + boards, lines)
    return failed


def print_layers(cells, label, boards, top=5):
    """The layers that took the most instructions, from the run's own
    per-layer profile (measurements.layers)."""
    for board in boards:
        cell = cells.get((label, board))
        if not isinstance(cell, tuple) or not cell[2]:
            continue
        profile = cell[3] or {}
        lines = []
        for layer in sorted(cell[2], key=lambda layer: -layer["count"])[:top]:
            per = layer.get("count_per_mac")
            lines.append([str(layer["index"]), layer["op"], layer.get("path", "-"),
                          str(layer["macs"]), str(layer["count"]),
                          "%.3f" % per if per else "-", "%.1f %%" % (100 * layer["share"])])
        overhead = profile.get("overhead_share")
        print_table("per-layer top %d of %s on %s (emulated instructions of one profiled "
                    "inference; profiling changes the inference's count by %s)" %
                    (top, label, board, "%+.3f %%" % (100 * overhead)
                     if overhead is not None else "an unknown amount"),
                    ["op", "kernel", "path", "MACs", "instructions", "instr/MAC", "share"],
                    lines)


def bench_models(hilbench, boards, runs, results, tool):
    rows = []
    for label, path, _, _ in MODELS:
        if path is None:
            path, error = make_model(tool, ["mobilenet"], results)
            if error:
                path = None
        rows.append((label, path))
    cells, failed = measure(hilbench, boards, rows, runs, results)
    lines, ratios = [], []
    for label, _, pair, variant in MODELS:
        anchor = ANCHOR_M4.get(label)
        measured = cells.get((label, ANCHOR_BOARD))
        vs_anchor = "%.2fx" % (measured[0] / measured[1] / anchor) \
            if anchor and isinstance(measured, tuple) else "-"
        macs = next((c[1] for b in boards for c in [cells[(label, b)]]
                     if isinstance(c, tuple)), None)
        lines.append([label, str(macs) if macs else "-", vs_anchor] +
                     [per_mac(cells[(label, board)]) for board in boards])
        if variant != "int8":
            continue
        partner = next((m[0] for m in MODELS if m[2] == pair and m[3] == "float32"), None)
        if partner is None:
            continue
        line = [label]
        for board in boards:
            a, b = cells[(label, board)], cells[(partner, board)]
            if isinstance(a, tuple) and isinstance(b, tuple):
                line.append("%.3f" % (a[0] / b[0]))
            else:
                line.append("-")
        ratios.append(line)
    print_table("models: instructions/MAC (emulated instructions, median of %d runs; "
                "vs anchor: issue 12's portable-kernel figure on %s)" % (runs, ANCHOR_BOARD),
                ["model", "MACs", "vs anchor"] + boards, lines)
    print_table("int8 instructions over float32 instructions per inference (below 1: "
                "int8 is faster; '-' where either does not run)", ["model"] + boards, ratios)
    print_layers(cells, LAYER_MODEL, [board for board in LAYER_BOARDS if board in boards])
    return failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("hilbench")
    parser.add_argument("--kernel-models")
    parser.add_argument("--board", action="append")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    boards = args.board or BOARDS
    failed = False
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="hb-bench-") as results:
        if args.kernel_models:
            failed |= bench_kernels(args.hilbench, args.kernel_models, boards, args.runs,
                                    results)
        failed |= bench_models(args.hilbench, boards, args.runs, results, args.kernel_models)
    print("\nbench_models: %.0f s of wall time" % (time.time() - started))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
