/*
 * The firmware's model runner with an image that keeps its input in the
 * arena (MODEL_IMAGE_INPUT_IN_ARENA): the input is received straight into
 * its tensor, no copy is made above the arena, painting the arena before
 * the runs leaves it alone, and the runs give the output the same image
 * gives with the copy. On the tiny FULLY_CONNECTED image of
 * tests/fuzz/fw_host_model.c, over the host port.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "crc32.h"
#include "model_image.h"
#include "model_runner.h"
#include "../fuzz/fw_host_model.h"
#include "../fuzz/fw_host_port.h"

static const uint8_t runner_test_input[FW_HOST_MODEL_INPUT_BYTES] = {1, 250, 3, 4, 5, 6, 7, 8};

static void runner_test_boot(uint32_t flags)
{
	struct model_image_header header;

	memset(fw_host_region, 0xFF, FW_HOST_REGION_BYTES);
	memset(fw_host_ram, 0x5A, FW_HOST_RAM_BYTES);
	cr_assert_gt(fw_host_model_write(fw_host_region, FW_HOST_REGION_BYTES), 0);
	memcpy(&header, fw_host_region, sizeof header);
	header.flags = flags; /* the CRC does not cover the header */
	memcpy(fw_host_region, &header, sizeof header);
	cr_assert_eq(model_runner_init(), MODEL_CHECK_OK);
	memcpy(model_runner_input(), runner_test_input, sizeof runner_test_input);
}

static void runner_test_runs(void *argument)
{
	(void)argument;
	model_runner_paint_arena();
	(void)model_runner_invoke();
	(void)model_runner_invoke();
}

/* Two runs after painting; the output they leave. */
static void runner_test_output(uint8_t output[FW_HOST_MODEL_OUTPUT_BYTES])
{
	fw_host_reset(1000);
	cr_assert_eq(fw_host_run(runner_test_runs, NULL), FW_HOST_RETURNED);
	cr_assert_eq(model_runner_output_length(), FW_HOST_MODEL_OUTPUT_BYTES);
	memcpy(output, model_runner_output(), FW_HOST_MODEL_OUTPUT_BYTES);
}

Test(model_runner, a_kept_input_is_received_in_place_and_survives_the_runs)
{
	uint8_t staged[FW_HOST_MODEL_OUTPUT_BYTES], kept[FW_HOST_MODEL_OUTPUT_BYTES];
	uint32_t spare;

	/* The image's arena is 16 B: input at 0-7, output at 8-11. */
	runner_test_boot(0);
	cr_expect_eq(model_runner_input(), fw_host_ram + 16, "the copy sits above the arena");
	cr_expect_eq(model_runner_input_staging(), FW_HOST_MODEL_INPUT_BYTES);
	cr_expect_eq(model_runner_spare(&spare), fw_host_ram + 16 + FW_HOST_MODEL_INPUT_BYTES);
	runner_test_output(staged);

	runner_test_boot(MODEL_IMAGE_INPUT_IN_ARENA);
	cr_expect_eq(model_runner_input(), fw_host_ram, "straight into the input tensor");
	cr_expect_eq(model_runner_input_staging(), 0);
	cr_expect_eq(model_runner_spare(&spare), fw_host_ram + 16, "the RAM right above the arena");
	runner_test_output(kept);
	cr_expect_arr_eq(kept, staged, sizeof kept);
	cr_expect_arr_eq(fw_host_ram, runner_test_input, sizeof runner_test_input,
			 "painting and the runs left the input as it was received");
	/* The input words are unpainted, the output's written: all 12 B used. */
	cr_expect_eq(model_runner_arena_used(), 12);
}
