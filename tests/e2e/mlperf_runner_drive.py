#!/usr/bin/python3
"""Drives a pty with the MLPerf Tiny runner's own classes, unchanged, for
test_mlperf_runner.sh: its DUT (device_under_test.py over serial_device.py,
pyserial), its accuracy script for the model the DUT names
(tests_accuracy.yaml through script.py's Script) and its DataSet.
The runner's main.py finds DUTs by USB vendor and product ids, which a pty
has none of, so this stands in for main.run_test's few lines past that.

  mlperf_runner_drive.py RUNNER_DIR PTY DATASET_DIR OUT.json
"""
import json
import os
import sys

runner_dir, pty, dataset_dir, out_path = sys.argv[1:5]
sys.path.insert(0, runner_dir)
import yaml  # noqa: E402
from datasets import DataSet  # noqa: E402
from device_under_test import DUT  # noqa: E402
from script import Script  # noqa: E402  (it sends print() to its log)

with open(os.path.join(runner_dir, "tests_accuracy.yaml")) as file:
    scripts = yaml.load(file, Loader=yaml.SafeLoader)
dut = DUT(pty, 115200)
with dut:
    name = dut.get_name()
    model = dut.get_model()
    profile = dut.get_profile()
script = Script(scripts.get(model))
dataset = DataSet(os.path.join(dataset_dir, script.model), script.truth)
result = script.run(None, dut, dataset, "a")
with open(out_path, "w") as file:
    json.dump({"name": name, "model": model, "profile": profile, "result": result}, file)
