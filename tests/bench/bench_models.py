#!/usr/bin/env python3
"""`make bench`, kernel part: instructions per MAC of whole models on the
emulated boards, through the real CLI (`hilbench run --json`), so what is
measured is exactly what a user's run measures, output check included.

    bench_models.py HILBENCH [--kernel-models TOOL] [--board ID]... [--runs N]

With --kernel-models (build/make_kernel_model), first one-operator models
of the kernel shapes of issue 12, each against CMSIS-NN's figure for it on
the emulated M4 (instructions per MAC of the whole inference, so the
interpreter's few hundred instructions per operator are included), and
the model tables gain make_kernel_model's MobileNet-style graph. Then
one table per board: each model's MACs, instructions per inference,
instructions per MAC, the ratio to the issue-12 anchor figures (measured
with the portable kernels before the fast paths) and, per float32/int8
pair, int8 instructions over float32 instructions (below 1: int8 is
faster). A benchmark: it prints what it measured and asserts nothing; a
failed run (an output mismatch included) is printed as such and makes the
exit status non-zero, since its figures would mean nothing.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

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
]


def run_model(hilbench, board, path, runs, results):
    """One `hilbench run --json`: (instructions, MACs) or an error text."""
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
        return None, "run %s: %s" % (record.get("status"), record.get("error"))
    count = record["measurements"]["count_per_inference"]["median"]
    return (count, record["model"]["macs"]), None


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


def bench_board(hilbench, board, runs, results, tool):
    print("\n%s: emulated instructions (QEMU -icount), median of %d runs" % (board, runs))
    print("%-24s %10s %12s %9s %9s %10s" %
          ("model", "MACs", "instr", "instr/MAC", "vs anchor", "int8/fp32"))
    counts = {}
    failed = False
    rows = []
    for label, path, pair, variant in MODELS:
        if path is None:
            path, error = make_model(tool, ["mobilenet"], results)
            if error:
                failed |= tool is not None
                rows.append((label, None, error))
                continue
        measured, error = run_model(hilbench, board, path, runs, results)
        if error:
            failed = True
            rows.append((label, None, error))
            continue
        counts[(pair, variant)] = measured[0]
        rows.append((label, measured, (pair, variant)))
    for label, measured, extra in rows:
        if measured is None:
            print("%-24s %s" % (label, extra if extra.startswith("skipped") else
                                 "FAILED: " + extra))
            continue
        count, macs = measured
        per_mac = count / macs
        anchor = ANCHOR_M4.get(label) if board == "qemu-m4" else None
        vs_anchor = "%.2fx" % (per_mac / anchor) if anchor else "-"
        ratio = "-"
        pair, variant = extra
        if variant == "int8" and (pair, "float32") in counts:
            ratio = "%.3f" % (count / counts[(pair, "float32")])
        print("%-24s %10d %12d %9.2f %9s %10s" % (label, macs, count, per_mac, vs_anchor, ratio))
    return failed


def bench_kernels(hilbench, tool, board, runs, results):
    print("\n%s: one kernel per model, emulated instructions, median of %d runs" % (board, runs))
    print("%-24s %10s %12s %9s %9s" % ("kernel", "MACs", "instr", "instr/MAC", "vs CMSIS"))
    failed = False
    for label, arguments, cmsis in KERNELS:
        path, error = make_model(tool, arguments, results)
        if error:
            print("%-24s FAILED: %s" % (label, error))
            failed = True
            continue
        measured, error = run_model(hilbench, board, path, runs, results)
        if error:
            print("%-24s FAILED: %s" % (label, error))
            failed = True
            continue
        count, macs = measured
        ratio = "%.2fx" % (count / macs / cmsis) if board == "qemu-m4" else "-"
        print("%-24s %10d %12d %9.2f %9s" % (label, macs, count, count / macs, ratio))
    return failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("hilbench")
    parser.add_argument("--kernel-models")
    parser.add_argument("--board", action="append")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    boards = args.board or ["qemu-m4", "qemu-m7"]
    failed = False
    with tempfile.TemporaryDirectory(prefix="hb-bench-") as results:
        if args.kernel_models:
            for board in boards:
                failed |= bench_kernels(args.hilbench, args.kernel_models, board, args.runs,
                                        results)
        for board in boards:
            failed |= bench_board(args.hilbench, board, args.runs, results, args.kernel_models)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
