# A line that damages 1 byte in 1000, both ways, at 100 seeds of the
# damage: every suite run completes, with default settings, and gives the
# samples a clean run gives (same outputs, same instruction counts). The
# handshake, the pipelined upload and the EXIT are all hit. Seed 7 once
# failed the handshake (damage used up the resends silence has) and seed 77
# the EXIT (the resend met a board that had already stopped).

noise_samples() {
	python3 -c '
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print(json.dumps([[r["variant"], r["index"], r["sample"], r["ticks"], r["equal"], r["output"]]
                  for r in rows if "variant" in r]))' "$1"
}

test_noise_at_every_seed_changes_no_result() {
	[ -d /usr/share/datasets/fashion-mnist ] || skip "dataset-fashion-mnist not installed"
	local suite="$ROOT/suites/fmnist" seed failed=0
	hb run --board qemu-m4 --suite "$suite" --limit 2 --results clean
	expect_rc 0
	# Four runs at a time: each mostly waits on its emulator and its line.
	for seed in $(seq 1 100); do
		(
			"$HILBENCH" -q run --board qemu-m4 --suite "$suite" --limit 2 --results "n$seed" \
				--debug-line-noise 0.001 --debug-noise-seed "$seed" >"n$seed.out" 2>"n$seed.err"
			echo $? >"n$seed.rc"
		) &
		[ $((seed % 4)) -ne 0 ] || wait
	done
	wait
	for seed in $(seq 1 100); do
		if [ "$(cat "n$seed.rc")" != 0 ]; then
			echo "seed $seed: exit $(cat "n$seed.rc"): $(tail -1 "n$seed.err")" >&2
			failed=$((failed + 1))
		fi
	done
	[ "$failed" -eq 0 ] || fail "$failed of 100 seeds failed"
	# One pass over the 100 records: the same samples as the clean run, the
	# damage's seed named, and enough damage for the test to mean something.
	/usr/bin/python3 - <<'CHECK' || fail "a noisy run differs from the clean run"
import glob, json
def samples(folder):
    rows = [json.loads(line) for line in open(glob.glob(folder + "/*.jsonl")[0])]
    return [[r["variant"], r["index"], r["sample"], r["ticks"], r["equal"], r["output"]]
            for r in rows if "variant" in r]
clean = samples("clean")
damaged = resends = 0
for seed in range(1, 101):
    assert samples("n%d" % seed) == clean, "seed %d: samples differ" % seed
    record = json.load(open(glob.glob("n%d/*_fmnist.json" % seed)[0]))
    for variant in record["variants"]:
        noise = variant["link"]["injected_noise"]
        assert noise["seed"] == seed, "seed %d: the record names seed %s" % (seed, noise["seed"])
        damaged += noise["bytes_damaged_sent"] + noise["bytes_damaged_received"]
        resends += variant["link"]["resends"]
assert damaged > 100 and resends > 100, (damaged, resends)
print("100 seeds: %d bytes damaged, %d frames resent, results unchanged" % (damaged, resends))
CHECK
}

# Ten times the damage may stop a run, but only with a clear error and a
# record that says so, never with a wrong result.
test_heavy_noise_stops_clearly_or_completes_correctly() {
	[ -d /usr/share/datasets/fashion-mnist ] || skip "dataset-fashion-mnist not installed"
	local suite="$ROOT/suites/fmnist" clean
	hb run --board qemu-m4 --suite "$suite" --limit 1 --results clean
	expect_rc 0
	clean=$(noise_samples clean/*.jsonl)
	for seed in 1 2; do
		hb run --board qemu-m4 --suite "$suite" --limit 1 --results "h$seed" --timeout 4 \
			--debug-line-noise 0.01 --debug-noise-seed "$seed"
		if [ "$rc" -eq 0 ]; then
			[ "$(noise_samples "h$seed"/*.jsonl)" = "$clean" ] || fail "seed $seed: a wrong result"
		else
			expect_one_error_line
			grep -qE "line noise|did not answer" stderr.txt || fail "seed $seed: unclear error: $err"
			[ "$(json "h$seed"/*_fmnist.json 'd["status"]')" = "error" ] || fail "seed $seed: the record hides the failure"
		fi
	done
}
