# Peak RAM counts all the RAM the benchmark firmware used, the input staging
# buffer included (it once left out 27 KB on a 96x96x3 image model), and a
# second figure says what a deployment of the model would need. Where the
# plan keeps the input alive in the arena for less RAM than a copy (the
# 96x96x3 image model: its input is alive at the peak anyway), there is no
# copy: the board receives the input in place and staging is 0 B.

test_peak_ram_counts_the_input_staging_buffer() {
	local tool="${HB_TOOLS:-$ROOT/build/tools}/make_dense_model"
	[ -x "$tool" ] || skip "$tool not built (make e2e builds it)"
	# 64 -> 64 -> 64: kept alive, the 64 B input would add 64 B to the
	# 128 B peak it is dead at, as much as the copy: the tie keeps the copy.
	"$tool" dense2.tflite 2 || fail "make_dense_model failed"
	hb run --board qemu-m4 --model dense2.tflite --runs 2 --warmup 0 --results results
	expect_rc 0
	expect_out_contains "input staging          64 B"
	local file
	file=$(only_result)
	[ "$(json "$file" '(lambda m: m["peak_ram"]["value"] == m["static_ram"]["value"] + d["model"]["arena_planned"] + m["input_staging"]["value"] + m["stack_high_water"]["value"] and m["input_staging"]["value"] == 64 and not d["model"]["input_in_arena"])(d["measurements"])')" = "True" ] \
		|| fail "peak_ram is not static + arena + a 64 B input copy + stack: $(json "$file" 'd["measurements"]')"
	grep -q "| input staging | 64 B |" results/*.md || fail "Markdown summary lacks the input staging row"
}

test_peak_ram_of_an_input_kept_in_the_arena_has_no_staging() {
	local tool="${HB_TOOLS:-$ROOT/build/tools}/make_image_model"
	[ -x "$tool" ] || skip "$tool not built (make e2e builds it)"
	"$tool" image96.tflite || fail "make_image_model failed"
	hb run --board qemu-m4 --model image96.tflite --runs 2 --warmup 0 --results results
	expect_rc 0
	expect_out_contains "output check           equal"
	expect_out_contains "input staging          0 B"
	expect_out_contains "keeps the input alive in the arena"
	expect_out_contains "deployment RAM (est.)"
	local file
	file=$(only_result)
	[ "$(json "$file" '(lambda m: m["peak_ram"]["value"] == m["static_ram"]["value"] + d["model"]["arena_planned"] + m["input_staging"]["value"] + m["stack_high_water"]["value"])(d["measurements"])')" = "True" ] \
		|| fail "peak_ram is not static + arena + input staging + stack: $(json "$file" 'd["measurements"]')"
	[ "$(json "$file" 'd["measurements"]["input_staging"]["value"]')" = "0" ] || fail "input staging"
	[ "$(json "$file" 'd["model"]["input_in_arena"]')" = "True" ] || fail "input_in_arena"
	# The kept input is not painted over: the runs' output matched the
	# host's above, and the painted use reaches the planned arena.
	[ "$(json "$file" 'd["measurements"]["arena_used"]["value"] == d["model"]["arena_planned"]')" = "True" ] \
		|| fail "arena_used: $(json "$file" 'd["measurements"]["arena_used"]')"
	# The deployment figure counts the inference's own stack, measured below
	# the runs' call point, not the whole firmware's high-water.
	expect_out_contains "inference stack"
	[ "$(json "$file" '(lambda m: 0 < m["inference_stack"]["value"] < m["stack_high_water"]["value"])(d["measurements"])')" = "True" ] \
		|| fail "inference_stack not measured below the firmware's high-water: $(json "$file" 'd["measurements"]')"
	[ "$(json "$file" '(lambda m: m["deployment_ram_estimate"]["value"] == m["static_ram"]["value"] - m["static_ram"]["harness"] + d["model"]["arena_fresh_input"] + m["inference_stack"]["value"])(d["measurements"])')" = "True" ] \
		|| fail "deployment_ram_estimate is not static outside the harness + arena (input not kept) + inference stack"
	[ "$(json "$file" 'd["measurements"]["static_ram"]["harness"] > 0')" = "True" ] || fail "no harness buffers found in the ELF"
	grep -q "| input staging | 0 B |" results/*.md || fail "Markdown summary lacks the input staging row"
	hb inspect image96.tflite --board qemu-m4
	expect_rc 0
	expect_out_contains "input staging 0"
}
