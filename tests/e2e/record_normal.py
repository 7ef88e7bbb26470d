#!/usr/bin/python3
"""record_normal.py RECORD JOURNAL: the record and the journal's samples as JSON
(each journal line's checksum checked, repeats of a sample folded), without
what differs between processes by nature: timestamps, wall times, the
journal's own path, the line traffic, the deadlines given and any recoveries.
Runs that must give the same results (a clean run, a killed and resumed one,
one that recovered from a hang) compare equal through it."""
import json, sys, zlib
DROP = {"started_utc", "finished_utc", "wall_seconds", "deadlines", "recoveries"}
TRAFFIC = {
    "streaming": {"samples_streamed", "seconds", "payload_bytes", "payload_bytes_per_s",
                  "samples_per_s", "link_bytes_sent", "link_bytes_received",
                  "upload_framing_efficiency", "input_bytes_per_s_of_line_rate",
                  "resyncs", "samples_redone", "samples_one_at_a_time"},
    "link": {"requests", "resends", "damaged_frames", "resyncs", "bytes_sent", "bytes_received",
             "unasked_boots"},
}
def clean(value, parent=None):
    if isinstance(value, dict):
        return {k: clean(v, k) for k, v in value.items()
                if k not in DROP and k not in TRAFFIC.get(parent, ())}
    if isinstance(value, list):
        return [clean(v, parent) for v in value]
    return value
record = json.load(open(sys.argv[1]))
del record["journal"]
lines = open(sys.argv[2], "rb").read().split(b"\n")
if lines[-1] != b"":
    sys.exit(f"{sys.argv[2]}: the last line has no newline")
samples = {}
for number, line in enumerate(lines[:-1], 1):
    body, seal = line.rsplit(b',"crc32":"', 1)
    if seal != b'%08x"}' % zlib.crc32(body):
        sys.exit(f"{sys.argv[2]}: line {number} fails its checksum")
    row = json.loads(line)
    del row["crc32"]
    if number > 1:
        samples[(row["variant"], row["index"])] = row
print(json.dumps({"record": clean(record), "samples": [samples[k] for k in sorted(samples)]},
                 indent=1, sort_keys=True))
