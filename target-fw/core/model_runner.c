#include "model_runner.h"

#include <stddef.h>
#include <string.h>

#include "crc32.h"
#include "harness.h"
#include "layer_profile.h"
#include "port.h"

#define ARENA_PAINT_PATTERN 0xA5C3F00Du

extern uint8_t __model_start[];
extern uint8_t __model_end[];
extern uint8_t __arena_start[];
extern uint8_t __arena_end[];

static enum model_check status = MODEL_CHECK_TOO_SMALL;
static const struct model_image_header *header;
static uint8_t *input_copy;
/* What the boot check found, kept in RAM: the header (which its CRC does
 * not cover) and the input and output tensors' places. Requests other than
 * INVOKE use these, never the image, so an image that changes after boot
 * cannot steer a write or read outside the buffers (found by
 * fuzz_protocol_handler); INVOKE first checks the image against them. */
static HARNESS_BSS struct model_image_header boot_header;
static HARNESS_BSS struct model_tensor boot_input, boot_output;

static uint32_t align4(uint32_t value)
{
	return (value + 3u) & ~3u;
}

/* The copy of the input above the arena that each run starts from: none
 * when the plan keeps the input alive in the arena (no run overwrites it,
 * so the input written there serves the next run as well). */
static uint32_t staging_bytes(const struct model_image_header *image,
			      const struct model_tensor *input)
{
	return (image->flags & MODEL_IMAGE_INPUT_IN_ARENA) ? 0 : input->size;
}

uint32_t model_runner_input_staging(void)
{
	return header ? align4(staging_bytes(&boot_header, &boot_input)) : 0;
}

uint32_t model_runner_arena_capacity(void)
{
	return (uint32_t)(__arena_end - __arena_start);
}

uint32_t model_runner_region_origin(void)
{
	return (uint32_t)(uintptr_t)__model_start;
}

uint32_t model_runner_region_size(void)
{
	return (uint32_t)(__model_end - __model_start);
}

enum model_check model_runner_init(void)
{
	const struct model_image_header *candidate = (const void *)__model_start;
	const uint32_t capacity = model_runner_arena_capacity();

	/* A refused image leaves no model behind, even after an accepted one. */
	header = NULL;
	input_copy = NULL;
	status = model_image_check(candidate, model_runner_region_size(), capacity);
	if (status == MODEL_CHECK_OK) {
		const struct model_tensor *input =
		    &model_tensors(candidate)[candidate->input_tensor];
		/* The input copy sits above the planned arena, unless the plan
		 * keeps the input alive in it. */
		if ((uint64_t)align4(candidate->arena_size) + staging_bytes(candidate, input) >
		    capacity)
			status = MODEL_CHECK_ARENA_TOO_SMALL;
	}
	if (status != MODEL_CHECK_OK)
		return status;
	header = candidate;
	boot_header = *candidate;
	boot_input = model_tensors(candidate)[candidate->input_tensor];
	boot_output = model_tensors(candidate)[candidate->output_tensor];
	input_copy = (boot_header.flags & MODEL_IMAGE_INPUT_IN_ARENA)
			 ? __arena_start + boot_input.offset
			 : __arena_start + align4(boot_header.arena_size);
	return status;
}

enum model_check model_runner_status(void)
{
	return status;
}

int model_runner_image_intact(void)
{
	return header && memcmp(header, &boot_header, sizeof boot_header) == 0 &&
	       crc32_compute((const uint8_t *)header + sizeof boot_header,
			     boot_header.image_size - sizeof boot_header) == boot_header.crc32;
}

const struct model_image_header *model_runner_header(void)
{
	return header;
}

const struct model_tensor *model_runner_input_tensor(void)
{
	return header ? &boot_input : NULL;
}

const struct model_tensor *model_runner_output_tensor(void)
{
	return header ? &boot_output : NULL;
}

uint8_t *model_runner_input(void)
{
	return input_copy;
}

uint32_t model_runner_input_length(void)
{
	return header ? boot_input.size : 0;
}

uint8_t *model_runner_spare(uint32_t *length)
{
	uint8_t *start;

	*length = 0;
	if (!header)
		return NULL;
	start = __arena_start + align4(boot_header.arena_size) + model_runner_input_staging();
	if (start >= __arena_end)
		return NULL;
	*length = (uint32_t)(__arena_end - start);
	return start;
}

const uint8_t *model_runner_output(void)
{
	/* The check put the output in the arena. */
	return header ? __arena_start + boot_output.offset : NULL;
}

uint32_t model_runner_output_length(void)
{
	return header ? boot_output.size : 0;
}

/* Whether arena word `i` holds a byte of a kept input (painting it would
 * erase the input the host wrote there). */
static int word_holds_kept_input(uint32_t i)
{
	return (boot_header.flags & MODEL_IMAGE_INPUT_IN_ARENA) &&
	       4u * i < boot_input.offset + boot_input.size && 4u * i + 4u > boot_input.offset;
}

void model_runner_paint_arena(void)
{
	uint32_t *word = (uint32_t *)(void *)__arena_start;
	for (uint32_t i = 0; header && i < boot_header.arena_size / 4; i++)
		if (!word_holds_kept_input(i))
			word[i] = ARENA_PAINT_PATTERN;
}

uint32_t model_runner_arena_used(void)
{
	const uint32_t *word = (const uint32_t *)(const void *)__arena_start;
	uint32_t words = header ? boot_header.arena_size / 4 : 0;

	/* Tensors are placed from offset 0 up: the highest written word bounds the use. */
	while (words > 0 && word[words - 1] == ARENA_PAINT_PATTERN)
		words--;
	return words * 4;
}

/* Untimed: the input copy into the arena, which the previous run reused
 * (nothing to do for a kept input, received in place). */
static void stage_input(void)
{
	if (!(boot_header.flags & MODEL_IMAGE_INPUT_IN_ARENA))
		memcpy(__arena_start + boot_input.offset, input_copy, boot_input.size);
}

uint64_t model_runner_invoke(void)
{
	uint64_t start;

	stage_input();
	start = port_counter_read();
	model_invoke(header, __arena_start);
	return port_counter_read() - start;
}

uint64_t model_runner_invoke_profiled(void)
{
	stage_input();
	return layer_profile_invoke(header, __arena_start);
}
