# The README's example table is the output of a real run, not figures typed
# in once and left to go stale: this test runs the command the README names
# and compares the table line by line (the results path aside).

readme_example() {
	python3 - "$ROOT/README.md" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
start = next(i for i, l in enumerate(lines) if l.startswith("<!-- example: "))
block = []
for line in lines[start + 1:]:
	if line.startswith("<!-- end example -->"):
		break
	block.append(line[4:] if line.startswith("    ") else line)
print("\n".join(l for l in block if l.strip()))
PY
}

test_readme_example_is_a_real_run() {
	local models="$ROOT/../shared/mlperf-tiny"
	[ -f "$models/kws_ref_model.tflite" ] || skip "$models not found: README example not checked"
	local command
	command=$(sed -n 's/^<!-- example: hilbench \(.*\) -->$/\1/p' "$ROOT/README.md")
	[ -n "$command" ] || fail "README has no '<!-- example: hilbench ... -->' marker"
	# The README names the model by file name; run it from the shared folder.
	command=${command//kws_ref_model.tflite/$models/kws_ref_model.tflite}
	# shellcheck disable=SC2086
	hb $command --results results
	expect_rc 0
	grep -v '^results: ' stdout.txt | sed '/^\s*$/d' > actual.txt
	readme_example > expected.txt
	diff -u expected.txt actual.txt > readme.diff || fail "README example differs from a real run (regenerate it):
$(cat readme.diff)"
}

# A port that no hardware-verified profile uses has never run on a board:
# every README paragraph that names it must say so, not state its design as
# fact.
test_readme_says_which_ports_are_unverified() {
	python3 - "$ROOT" <<'PY' || fail "README states an unverified port's behaviour as fact (see above)"
import glob, json, re, sys
root = sys.argv[1]
verified = {}
for path in glob.glob(root + "/boards/*.json"):
	board = json.load(open(path))
	port = board["firmware"]["port"]
	verified[port] = verified.get(port, False) or board["verified"] == "hardware"
unverified = [p for p, ok in verified.items() if not ok]
paragraphs = re.split(r"\n\s*\n", open(root + "/README.md").read())
bad = [p for p in paragraphs for port in unverified
       if re.search(r"\b%s\b" % re.escape(port), p, re.I) and "DMA" in p
       and not re.search(r"not (yet )?verified|compile-only", p)]
for p in bad:
	print("unverified port stated as fact:\n" + p, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}
