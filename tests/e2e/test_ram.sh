# Peak RAM counts all the RAM the benchmark firmware used, the input staging
# buffer included (it once left out 27 KB on a 96x96x3 image model), and a
# second figure says what a deployment of the model would need.

test_peak_ram_counts_the_input_staging_buffer() {
	local tool="${HB_TOOLS:-$ROOT/build/tools}/make_image_model"
	[ -x "$tool" ] || skip "$tool not built (make e2e builds it)"
	"$tool" image96.tflite || fail "make_image_model failed"
	hb run --board qemu-m4 --model image96.tflite --runs 2 --warmup 0 --results results
	expect_rc 0
	expect_out_contains "input staging          27648 B"
	expect_out_contains "deployment RAM (est.)"
	local file
	file=$(only_result)
	[ "$(json "$file" '(lambda m: m["peak_ram"]["value"] == m["static_ram"]["value"] + d["model"]["arena_planned"] + m["input_staging"]["value"] + m["stack_high_water"]["value"])(d["measurements"])')" = "True" ] \
		|| fail "peak_ram is not static + arena + input staging + stack: $(json "$file" 'd["measurements"]')"
	[ "$(json "$file" 'd["measurements"]["input_staging"]["value"]')" = "27648" ] || fail "input staging"
	# The deployment figure counts the inference's own stack, measured below
	# the runs' call point, not the whole firmware's high-water.
	expect_out_contains "inference stack"
	[ "$(json "$file" '(lambda m: 0 < m["inference_stack"]["value"] < m["stack_high_water"]["value"])(d["measurements"])')" = "True" ] \
		|| fail "inference_stack not measured below the firmware's high-water: $(json "$file" 'd["measurements"]')"
	[ "$(json "$file" '(lambda m: m["deployment_ram_estimate"]["value"] == m["static_ram"]["value"] - m["static_ram"]["harness"] + d["model"]["arena_planned"] + m["inference_stack"]["value"])(d["measurements"])')" = "True" ] \
		|| fail "deployment_ram_estimate is not static outside the harness + arena + inference stack"
	[ "$(json "$file" 'd["measurements"]["static_ram"]["harness"] > 0')" = "True" ] || fail "no harness buffers found in the ELF"
	grep -q "| input staging | 27648 B |" results/*.md || fail "Markdown summary lacks the input staging row"
	hb inspect image96.tflite --board qemu-m4
	expect_rc 0
	expect_out_contains "input staging 27648"
}
