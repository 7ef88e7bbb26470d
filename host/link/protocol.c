/* The protocol drivers, in one explicit table: adding one is one line here. */
#include "link/protocol.h"

#include <string.h>

#include "model/model_load.h"
#include "model_image.h"

static const struct protocol_driver *const protocol_table[] = {
    &protocol_hilbench,
    &protocol_mlperf_tiny,
};

#define PROTOCOL_COUNT (sizeof protocol_table / sizeof protocol_table[0])

const struct protocol_driver *protocol_find(const char *name)
{
	if (!name)
		return &protocol_hilbench;
	for (size_t i = 0; i < PROTOCOL_COUNT; i++)
		if (strcmp(protocol_table[i]->name, name) == 0)
			return protocol_table[i];
	return NULL;
}

const char *const *protocol_names(void)
{
	static const char *names[PROTOCOL_COUNT + 1];

	/* Filled from the table so the two can never disagree. */
	if (!names[0])
		for (size_t i = 0; i < PROTOCOL_COUNT; i++)
			names[i] = protocol_table[i]->name;
	return names;
}

void protocol_model_from(const struct loaded_model *model, const char *model_name,
			 struct protocol_model *out)
{
	const struct compiled_model *compiled = &model->compiled;
	const struct model_image_header *header = (const void *)compiled->image;
	const struct model_tensor *input = &model_tensors(header)[header->input_tensor];

	memset(out, 0, sizeof *out);
	out->input_dtype = compiled->input_dtype;
	out->input_bytes = compiled->input_bytes;
	out->input_scale = input->scale;
	out->input_zero_point = input->zero_point;
	out->output_bytes = compiled->output_bytes;
	out->output_count = compiled->output_dtype == MODEL_DTYPE_FLOAT32
				? compiled->output_bytes / 4
				: compiled->output_bytes;
	out->model_name = model_name;
}
