# Modelled energy: the datasheet figures of a board's profile times the
# counted instructions, labelled modelled, in its own column; a board whose
# profile has no figures shows none rather than a made-up one.

test_energy_is_modelled_from_the_profile_datasheet() {
	hb run --board qemu-m4 --runs 3 --warmup 0 --results results
	expect_rc 0
	expect_out_contains "energy (modelled)"
	expect_out_contains "STM32F446RE datasheet"
	local file
	file=$(only_result)
	# Recomputed here from the profile and the counts, not read back.
	python3 - "$file" "$ROOT/boards/qemu-m4.json" <<'PY' || fail "modelled energy is not supply x current / clock x median count"
import json, sys
record = json.load(open(sys.argv[1]))
model = json.load(open(sys.argv[2]))["energy"]["model"]
m = record["measurements"]
energy = m["modelled_energy_per_inference"]
expected = model["supply_v"] * model["run_current_ma"] * 1e-3 / model["at_clock_hz"] \
    * m["count_per_inference"]["median"] * 1e6
assert energy["source"] == "modelled", energy
assert energy["unit"] == "uJ", energy
assert abs(energy["value"] - expected) <= 1e-9 * expected, (energy["value"], expected)
assert model["datasheet"] in energy["method"] and "taken as cycles" in energy["method"], energy
assert "energy_per_inference" not in m, "a modelled figure must not be filed as measured"
PY
	hb report results --out report.csv
	expect_rc 0
	python3 - report.csv <<'PY' || fail "the CSV mixes modelled and measured energy"
import csv, sys
row = next(csv.DictReader(open(sys.argv[1])))
assert row["energy_uj"] == "" and row["energy_uj_source"] == "", row
assert float(row["energy_modelled_uj"]) > 0 and row["energy_modelled_uj_source"] == "modelled", row
PY
}

test_energy_is_absent_without_datasheet_figures() {
	hb run --board qemu-m3 --runs 2 --warmup 0 --results results
	expect_rc 0
	grep -qF "energy" stdout.txt && fail "qemu-m3 has no datasheet figures, yet stdout shows an energy: $out"
	local file
	file=$(only_result)
	[ "$(json "$file" '"modelled_energy_per_inference" in d["measurements"] or "energy_per_inference" in d["measurements"]')" = "False" ] \
		|| fail "an energy appeared without figures to derive it from"
	hb report results
	expect_rc 0
	grep -qF "energy" stdout.txt && fail "the report shows an energy column of nothing: $out"
	return 0
}
