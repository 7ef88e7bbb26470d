#include "model/reference.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "model_image.h"

#define FLOAT_RELATIVE_TOLERANCE 1e-5

int reference_run(const struct compiled_model *compiled, const uint8_t *input, uint8_t *output)
{
	const struct model_image_header *header = (const void *)compiled->image;
	const struct model_tensor *tensors;
	enum model_check check;
	uint8_t *arena;

	check = model_image_check(compiled->image, compiled->image_size, compiled->arena_size);
	if (check != MODEL_CHECK_OK)
		return hb_error(HB_ERR_INTERNAL, "compiled model image fails its own check: %s",
				model_check_name(check));
	/* 16-byte aligned like the board's arena; at least one byte for malloc. */
	arena = aligned_alloc(16, ((size_t)header->arena_size + 16) & ~(size_t)15);
	if (!arena)
		return hb_error(HB_ERR_NOMEM, "out of memory for a %u-byte arena",
				header->arena_size);
	memset(arena, 0, header->arena_size);
	tensors = model_tensors(header);
	memcpy(arena + tensors[header->input_tensor].offset, input,
	       tensors[header->input_tensor].size);
	model_invoke(header, arena);
	memcpy(output, arena + tensors[header->output_tensor].offset,
	       tensors[header->output_tensor].size);
	free(arena);
	return HB_OK;
}

void reference_compare(uint32_t dtype, const uint8_t *board, const uint8_t *host, size_t bytes,
		       struct output_comparison *result)
{
	memset(result, 0, sizeof *result);
	result->first_mismatch = -1;
	if (dtype == MODEL_DTYPE_FLOAT32) {
		result->tolerance = FLOAT_RELATIVE_TOLERANCE;
		for (size_t i = 0; i < bytes / 4; i++) {
			float a, b;
			double error, allowed;
			memcpy(&a, board + 4 * i, 4);
			memcpy(&b, host + 4 * i, 4);
			error = fabs((double)a - (double)b);
			allowed = FLOAT_RELATIVE_TOLERANCE * fmax(1.0, fabs((double)b));
			if (error > result->max_abs_error || isnan(error))
				result->max_abs_error = isnan(error) ? INFINITY : error;
			if (!(error <= allowed)) {
				result->mismatched++;
				if (result->first_mismatch < 0)
					result->first_mismatch = (int64_t)i;
			}
		}
		return;
	}
	for (size_t i = 0; i < bytes; i++) {
		double error = fabs((double)(int8_t)board[i] - (double)(int8_t)host[i]);
		if (error > result->max_abs_error)
			result->max_abs_error = error;
		if (board[i] != host[i]) {
			result->mismatched++;
			if (result->first_mismatch < 0)
				result->first_mismatch = (int64_t)i;
		}
	}
}
