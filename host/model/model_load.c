#include "model/model_load.h"

#include <stdio.h>
#include <string.h>

#include "model/builtin_model.h"
#include "crc32.h"
#include "util/error.h"
#include "util/fileio.h"
#include "model_image.h"
#include "util/paths.h"

static void base_name(const char *path, char *out, size_t capacity)
{
	const char *slash = strrchr(path, '/');
	const char *start = slash ? slash + 1 : path;
	size_t length = strlen(start);

	if (length > 7 && strcmp(start + length - 7, ".tflite") == 0)
		length -= 7;
	if (length >= capacity)
		length = capacity - 1;
	memcpy(out, start, length);
	out[length] = '\0';
}

static const char *variant_of(const struct compiled_model *compiled)
{
	if (compiled->input_dtype == MODEL_DTYPE_INT8)
		return "int8";
	return compiled->hybrid ? "float32 (int8 weights dequantised)" : "float32";
}

static int write_image(struct loaded_model *model)
{
	char folder[600];
	const struct model_image_header *header = (const void *)model->compiled.image;
	int status = paths_join(folder, sizeof folder, "build", "models");

	if (status == HB_OK)
		status = file_make_dirs(folder);
	if (status != HB_OK)
		return status;
	if (snprintf(model->image_path, sizeof model->image_path, "%s/%s-%08x.bin", folder,
		     model->name, header->crc32) >= (int)sizeof model->image_path)
		return hb_error(HB_ERR_INPUT, "model name too long: '%s'", model->name);
	return file_write_atomic(model->image_path, model->compiled.image,
				 model->compiled.image_size);
}

int model_load(const char *path, struct loaded_model *out)
{
	struct tflite_model graph;
	int status;

	memset(out, 0, sizeof *out);
	if (path) {
		status = tflite_read(path, &graph);
		if (status != HB_OK)
			return status;
		snprintf(out->path, sizeof out->path, "%s", path);
		base_name(path, out->name, sizeof out->name);
		out->source_crc32 = crc32_compute(graph.file, graph.file_size);
	} else {
		status = builtin_model_build(&graph);
		if (status != HB_OK)
			return status;
		snprintf(out->path, sizeof out->path, "builtin");
		snprintf(out->name, sizeof out->name, "%s", BUILTIN_MODEL_NAME);
		out->source_crc32 = crc32_compute(graph.file, graph.file_size);
	}
	out->operator_count = graph.operator_count;
	status = model_compile(&graph, out->source_crc32, &out->compiled);
	tflite_release(&graph);
	if (status != HB_OK)
		return status;
	out->variant = variant_of(&out->compiled);
	status = write_image(out);
	if (status != HB_OK)
		model_unload(out);
	return status;
}

void model_unload(struct loaded_model *model)
{
	compiled_model_release(&model->compiled);
}

uint32_t model_input_staging(const struct compiled_model *compiled)
{
	/* None when the plan keeps the input in the arena: it is received in place. */
	return compiled->input_in_arena ? 0 : (compiled->input_bytes + 3u) & ~3u;
}

uint64_t model_ram_need(const struct compiled_model *compiled)
{
	/* The firmware starts the arena 16-byte aligned and the input copy 4-byte aligned after it.
	 */
	if (compiled->input_in_arena)
		return (uint64_t)compiled->arena_size + 15;
	return (uint64_t)compiled->arena_size + 3 + compiled->input_bytes + 15;
}
