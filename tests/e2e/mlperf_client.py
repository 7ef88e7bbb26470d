#!/usr/bin/env python3
"""A plain MLPerf Tiny protocol client for test_mlperf_fw.sh, standard
library only: it opens `hilbench serve`'s pty as a serial port would be
opened, sends '%'-terminated commands and checks the forms of the answers.

  mlperf_client.py quantize IMAGE FLOATS.bin OUT.bin
      the float32 values quantized with the image's input scale and zero
      point, as the firmware does (round half away from zero, saturate)
  mlperf_client.py session PTY IMAGE NAME INT8.bin FLOATS.bin EXPECTED.bin TRANSCRIPT
      the dialogue; EXPECTED.bin is the host's output for INT8.bin (and for
      FLOATS.bin, which quantizes to INT8.bin)
Exits non-zero with a message on the first answer that is wrong.
"""
import os
import re
import select
import struct
import sys
import time
import tty

TENSOR_WORDS = 10  # struct model_tensor: dtype, location, offset, size, dims[4], scale, zero_point


def tensor(image, which):
    """(dtype, size, scale, zero_point) of the image's input or output tensor."""
    header = struct.unpack_from("<16I", image, 0)
    tensors_offset, index = header[7], header[10 if which == "input" else 11]
    fields = struct.unpack_from("<4I4ifi", image, tensors_offset + 4 * TENSOR_WORDS * index)
    return fields[0], fields[3], fields[8], fields[9]


def quantize(value, scale, zero_point):
    scaled = value / scale
    rounded = int(scaled + (0.5 if scaled >= 0 else -0.5)) + zero_point
    return max(-128, min(127, rounded))


def fail(message):
    sys.exit("mlperf_client: " + message)


class Port:
    def __init__(self, path, transcript):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)
        self.pending = b""
        self.transcript = transcript

    def command(self, text, timeout=60.0, log=True):
        os.write(self.fd, (text + "%").encode())
        if log:
            self.transcript.write("> %s%%\n" % text)
        lines = []
        deadline = time.time() + timeout
        while time.time() < deadline:
            while b"\n" in self.pending:
                line, self.pending = self.pending.split(b"\n", 1)
                line = line.rstrip(b"\r").decode()
                lines.append(line)
                if log:
                    self.transcript.write("< %s\n" % line)
                if line == "m-ready":
                    return lines
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                self.pending += os.read(self.fd, 4096)
        fail("no m-ready after '%s%%' within %.0f s (got %r)" % (text, timeout, lines))

    def load(self, data):
        answer = self.command("db load %d" % len(data))
        expect(answer, r"m-\[Expecting %d bytes\]" % len(data), "db load")
        # 31 bytes per command, as the runner sends them (26 in energy mode).
        for start in range(0, len(data), 31):
            answer = self.command("db " + data[start:start + 31].hex(), log=start == 0)
        expect(answer, r"m-load-done", "the last db chunk")
        self.transcript.write("  (%d more db commands)\n" % ((len(data) - 1) // 31))


def expect(lines, pattern, what):
    for line in lines:
        if re.fullmatch(pattern, line):
            return re.fullmatch(pattern, line)
    fail("%s: no line matches '%s' in %r" % (what, pattern, lines))


def expect_error(lines, what):
    if lines[-1] != "m-ready" or not any(re.fullmatch(r"e-\[.+\]", line) for line in lines):
        fail("%s: expected an e-[...] line then m-ready, got %r" % (what, lines))


def scores(lines):
    match = expect(lines, r"m-results-\[([^]]+)\]", "results")
    texts = match.group(1).split(",")
    for text in texts:
        if not re.fullmatch(r"-?\d+\.\d{3}", text):
            fail("score '%s' is not a float with three decimals" % text)
    return [float(text) for text in texts]


def session(path, image_path, name, int8_path, floats_path, expected_path, transcript_path):
    image = open(image_path, "rb").read()
    in_dtype, in_size, in_scale, in_zero = tensor(image, "input")
    out_dtype, out_size, out_scale, out_zero = tensor(image, "output")
    if in_dtype != 0 or out_dtype != 0:
        fail("this client checks int8 models only")
    int8_input = open(int8_path, "rb").read()
    floats = open(floats_path, "rb").read()
    expected = struct.unpack("<%db" % out_size, open(expected_path, "rb").read())
    dequantized = [(q - out_zero) * out_scale for q in expected]
    transcript = open(transcript_path, "w")
    port = Port(path, transcript)

    port.command("")  # whatever the board printed at boot is read here
    expect(port.command("name"), r"m-name-dut-\[[^]]+\]", "name")
    answer = port.command("profile")
    expect(answer, r"m-profile-\[[^]]+\]", "profile")
    expect(answer, r"m-model-\[%s\]" % re.escape(name), "profile's model")
    expect(port.command("timestamp"), r"m-lap-us-\d+", "timestamp")
    expect(port.command("help"), r"db load N .*", "help")

    # ic01 and vww01 take the dataset's uint8 pixels; the board offsets them.
    sent_bytes = bytes(b ^ 0x80 for b in int8_input) if name in ("ic01", "vww01") else int8_input
    port.load(sent_bytes)
    answer = port.command("db print 8 0")
    expect(answer, r"m-buffer-" + "-".join("%02x" % b for b in sent_bytes[:8]), "db print")
    answer = port.command("infer 2 1")
    for pattern in (r"m-warmup-start-1", r"m-warmup-done", r"m-infer-start-2", r"m-infer-done"):
        expect(answer, pattern, "infer")
    laps = [int(line[9:]) for line in answer if line.startswith("m-lap-us-")]
    if len(laps) != 2 or laps[1] <= laps[0]:
        fail("infer: expected two increasing m-lap-us lines, got %r" % laps)
    got = scores(answer)
    if name == "ad01":
        sent = [(q - in_zero) * in_scale for q in struct.unpack("<%db" % in_size, int8_input)]
        want = [sum((d - s) ** 2 for d, s in zip(dequantized, sent)) / out_size]
    else:
        want = dequantized
    if len(got) != len(want) or any(abs(g - w) > 0.0005 + 1e-6 for g, w in zip(got, want)):
        fail("results %r differ from the host's %r" % (got, [round(w, 4) for w in want]))
    if got != scores(port.command("results")):
        fail("results% differs from infer's results")

    # The dataset's float32 form: 4 bytes per element, quantized on the board.
    if len(floats) != 4 * in_size:
        fail("the float input has %d bytes, expected %d" % (len(floats), 4 * in_size))
    port.load(floats)
    answer = port.command("infer 1 0")
    got_floats = scores(answer)
    if name == "ad01":
        sent = struct.unpack("<%df" % in_size, floats)
        want = [sum((d - s) ** 2 for d, s in zip(dequantized, sent)) / out_size]
        if abs(got_floats[0] - want[0]) > 0.0005 + 1e-6:
            fail("ad01 score %r differs from the host's %r" % (got_floats, want))
    elif got_floats != got:
        fail("the float32 load gave %r, its int8 form %r" % (got_floats, got))

    # Errors: named, and the board still answers.
    expect_error(port.command("bogus"), "an unknown command")
    expect(port.command("bogus"), r"e-\[Unknown command: bogus\]", "unknown command")
    expect_error(port.command("db load %d" % (in_size + 1)), "a load of no input form")
    expect_error(port.command("db load x"), "a malformed byte count")
    expect_error(port.command("infer 0"), "infer 0")
    expect_error(port.command("infer 1 z"), "a malformed warm-up count")
    port.command("db load %d" % in_size)
    expect_error(port.command("db 0"), "an odd number of hex digits")
    expect_error(port.command("db zz"), "a bad hex digit")
    expect_error(port.command("infer 1 0"), "infer during an incomplete load")
    expect_error(port.command("x" * 90), "a command past 80 characters")
    expect(port.command("name"), r"m-name-dut-\[[^]]+\]", "name after the errors")
    transcript.close()
    print("ok: %d scores, %s" % (len(got), ",".join("%.3f" % g for g in got)))


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "quantize":
        image = open(sys.argv[2], "rb").read()
        _, size, scale, zero = tensor(image, "input")
        floats = open(sys.argv[3], "rb").read()
        values = struct.unpack("<%df" % size, floats)
        open(sys.argv[4], "wb").write(struct.pack("<%db" % size,
                                                  *[quantize(v, scale, zero) for v in values]))
    elif len(sys.argv) == 9 and sys.argv[1] == "session":
        session(*sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
