/* clang-format off */ // FUZZ_DEPS: tests/fuzz/fw_host_port.c target-fw/core/model_runner.c target-fw/core/layer_profile.c target-fw/nn/model_image.c target-fw/nn/model_op_check.c target-fw/proto/crc32.c target-fw/nn/nn_add_f32.c target-fw/nn/nn_add_s8.c target-fw/nn/nn_avg_pool2d_f32.c target-fw/nn/nn_avg_pool2d_s8.c target-fw/nn/nn_conv2d_f32.c target-fw/nn/nn_conv2d_s8.c target-fw/nn/nn_depthwise_conv2d_f32.c target-fw/nn/nn_depthwise_conv2d_s8.c target-fw/nn/nn_dequantize_s8_f32.c target-fw/nn/nn_fully_connected_f32.c target-fw/nn/nn_fully_connected_s8.c target-fw/nn/nn_max_pool2d_f32.c target-fw/nn/nn_max_pool2d_s8.c target-fw/nn/nn_quantize_f32_s8.c target-fw/nn/nn_softmax_f32.c target-fw/nn/nn_softmax_s8.c -Itests/fuzz -DNN_FAST_KERNELS=1
// clang-format on
/*
 * The firmware's device-image checker on arbitrary bytes in the model
 * region: whatever it accepts must be safe to run. An accepted image runs
 * through the firmware's own model runner and kernels (the fast ones the
 * boards run: NN_FAST_KERNELS=1 above), with AddressSanitizer told that
 * only the image and the planned arena plus the input copy exist, so a
 * kernel reading or writing one byte outside them stops the fuzzer.
 *
 * The first input byte says how to treat the rest: bit 0 seals it (the
 * header's CRC recomputed, as the host compiler would write it), so the
 * fuzzer gets past the CRC to the tables; bit 1 also sets image_size to
 * the bytes given.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "fw_host_port.h"
#include "model_image.h"
#include "model_op_check.h"
#include "model_runner.h"

/* Inner-loop steps an image may take per run here: the bound of a fuzz
 * run's time, not of what a board may run. */
#define FUZZ_IMAGE_MAX_WORK 200000u

#define FUZZ_SEAL     0x01u
#define FUZZ_SET_SIZE 0x02u

static void fuzz_image_seal(uint8_t *image, size_t length, uint8_t flags)
{
	struct model_image_header header;

	if (length < sizeof header)
		return;
	memcpy(&header, image, sizeof header);
	if (flags & FUZZ_SET_SIZE)
		header.image_size = (uint32_t)length;
	if (header.image_size >= sizeof header && header.image_size <= length)
		header.crc32 =
		    crc32_compute(image + sizeof header, header.image_size - sizeof header);
	memcpy(image, &header, sizeof header);
}

static uint64_t fuzz_image_work(const struct model_image_header *header)
{
	uint64_t work = 0;

	for (uint32_t i = 0; i < header->op_count; i++)
		work += model_op_work(header, &model_ops(header)[i]);
	return work;
}

static void fuzz_image_run(void *argument)
{
	(void)argument;
	model_runner_paint_arena();
	(void)model_runner_invoke();
	(void)model_runner_arena_used();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct model_image_header *header;
	size_t length;
	uint32_t input_bytes, input_end;
	uint32_t spare;

	if (size < 1)
		return 0;
	length = size - 1 < FW_HOST_REGION_BYTES ? size - 1 : FW_HOST_REGION_BYTES;
	fw_host_unpoison();
	memset(fw_host_region, 0xFF, sizeof fw_host_region); /* erased flash */
	memcpy(fw_host_region, data + 1, length);
	if (data[0] & FUZZ_SEAL)
		fuzz_image_seal(fw_host_region, length, data[0]);

	if (model_runner_init() != MODEL_CHECK_OK) {
		if (model_runner_header() != NULL)
			abort(); /* a refused image must not be used */
		return 0;
	}
	header = model_runner_header();
	if (header == NULL || header->image_size > FW_HOST_REGION_BYTES)
		abort();
	if (fuzz_image_work(header) > FUZZ_IMAGE_MAX_WORK)
		return 0;

	/* The input copy sits above the arena, or the input inside it when
	 * the image keeps it there; the rest of RAM is not the model's. */
	input_bytes = model_runner_input_length();
	input_end = (uint32_t)(model_runner_input() - fw_host_ram) + input_bytes;
	if (input_end > FW_HOST_RAM_BYTES || model_runner_output_length() == 0)
		abort();
	if ((header->flags & MODEL_IMAGE_INPUT_IN_ARENA) && model_runner_input_staging() != 0)
		abort();
	if (input_end < header->arena_size)
		input_end = header->arena_size;
	for (uint32_t i = 0; i < input_bytes; i++)
		model_runner_input()[i] = data[i % size];
	(void)model_runner_spare(&spare);
	fw_host_poison(header->image_size, 0, input_end);
	fw_host_reset(UINT64_MAX);
	if (fw_host_run(fuzz_image_run, NULL) != FW_HOST_RETURNED)
		abort();
	fw_host_unpoison();
	return 0;
}
