#include "run/layer_profile.h"

#include <stdlib.h>
#include <string.h>

#include "model_image.h"
#include "model/tflite.h"
#include "report/count_label.h"
#include "util/error.h"

static int check_entries(const struct session *session, const struct model_image_header *header,
			 const struct msg_layers_reply *reply, struct layer_profile *profile)
{
	const struct model_op *ops = model_ops(header);

	for (uint16_t i = 0; i < reply->entries; i++) {
		const uint32_t index = reply->first + i;
		struct layer_figure *figure = &profile->layers[index];
		if (reply->layers[i].kind != ops[index].kind)
			return hb_error(HB_ERR_PROTOCOL,
					"board '%s' profiled op %u as %s, the image has %s there",
					session->board_id, index,
					model_op_kind_name(reply->layers[i].kind),
					model_op_kind_name(ops[index].kind));
		figure->kind = ops[index].kind;
		figure->path = reply->layers[i].path;
		figure->macs = ops[index].macs;
		figure->raw_ticks = reply->layers[i].ticks;
		figure->ticks = figure->raw_ticks > reply->read_cost_ticks
				    ? figure->raw_ticks - reply->read_cost_ticks
				    : 0;
	}
	return HB_OK;
}

/* Reads the kept profile in as many LAYERS_READ as it takes. */
static int read_figures(struct session *session, const struct model_image_header *header,
			struct layer_profile *profile)
{
	static struct msg_layers_reply reply;
	uint32_t first = 0;

	do {
		int status = session_read_layers(session, (uint16_t)first, &reply);
		if (status != HB_OK)
			return status;
		if (reply.op_count == 0) {
			hb_warn("board '%s' kept no per-layer profile: the image has %u ops, it "
				"profiles at most %u; no layers recorded",
				session->board_id, header->op_count, reply.max_ops);
			return HB_OK;
		}
		if (reply.op_count != header->op_count || (first > 0 && reply.entries == 0))
			return hb_error(HB_ERR_PROTOCOL,
					"board '%s' profiled %u ops, the image has %u",
					session->board_id, reply.op_count, header->op_count);
		if (!profile->layers) {
			profile->layers = calloc(reply.op_count, sizeof *profile->layers);
			if (!profile->layers)
				return hb_error(HB_ERR_NOMEM, "out of memory for %u layers",
						reply.op_count);
		}
		status = check_entries(session, header, &reply, profile);
		if (status != HB_OK)
			return status;
		profile->read_cost_ticks = reply.read_cost_ticks;
		first += reply.entries;
	} while (first < reply.op_count);
	profile->count = reply.op_count;
	return HB_OK;
}

/* Each .tflite operator the compiler did not fold away emits one op, in
 * order: where the layers say so, each op gets its operator. */
static void map_operators(const struct compiled_model *compiled, struct layer_profile *profile)
{
	uint32_t op = 0;

	for (size_t i = 0; i < compiled->layer_count; i++)
		if (compiled->layers[i].kind != 0 &&
		    (op >= profile->count ||
		     compiled->layers[i].kind != profile->layers[op++].kind))
			op = UINT32_MAX;
	for (uint32_t i = 0; i < profile->count; i++)
		profile->layers[i].tflite_index = -1;
	if (op != profile->count)
		return;
	op = 0;
	for (size_t i = 0; i < compiled->layer_count; i++)
		if (compiled->layers[i].kind != 0) {
			profile->layers[op].tflite_index = compiled->layers[i].tflite_index;
			profile->layers[op++].builtin = compiled->layers[i].builtin;
		}
}

int layer_profile_measure(struct session *session, const struct compiled_model *compiled,
			  struct layer_profile *profile)
{
	const struct model_image_header *header = (const void *)compiled->image;
	struct msg_invoke_reply invoke;
	int status;

	layer_profile_release(profile);
	status = session_invoke_flags(session, 1, 0, MSG_INVOKE_PROFILE_LAYERS, &invoke);
	if (status == HB_OK)
		status = read_figures(session, header, profile);
	if (status != HB_OK || profile->count == 0) {
		layer_profile_release(profile);
		return status;
	}
	map_operators(compiled, profile);
	profile->profiled_ticks = invoke.ticks[0];
	profile->present = true;
	return HB_OK;
}

void layer_profile_release(struct layer_profile *profile)
{
	free(profile->layers);
	memset(profile, 0, sizeof *profile);
}

uint64_t layer_profile_sum(const struct layer_profile *profile)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < profile->count; i++)
		sum += profile->layers[i].ticks;
	return sum;
}

size_t layer_profile_top(const struct layer_profile *profile, uint32_t *order, size_t max)
{
	size_t count = 0;

	/* Insertion into a short list: max is a handful, ops a few hundred. */
	for (uint32_t i = 0; i < profile->count; i++) {
		size_t at = count < max ? count : max;
		while (at > 0 && profile->layers[order[at - 1]].ticks < profile->layers[i].ticks)
			at--;
		if (at >= max)
			continue;
		if (count < max)
			count++;
		memmove(order + at + 1, order + at, (count - 1 - at) * sizeof *order);
		order[at] = i;
	}
	return count;
}

static cJSON *figure_json(const struct layer_figure *figure, uint32_t index, double scale,
			  double sum)
{
	const char *path = msg_kernel_path_name(figure->path);
	cJSON *object = cJSON_CreateObject();
	const double count = (double)figure->ticks * scale;

	cJSON_AddNumberToObject(object, "index", index);
	cJSON_AddStringToObject(object, "op", model_op_kind_name(figure->kind));
	if (figure->tflite_index >= 0) {
		cJSON_AddNumberToObject(object, "tflite_index", figure->tflite_index);
		cJSON_AddStringToObject(object, "operator", tflite_builtin_name(figure->builtin));
	}
	if (path)
		cJSON_AddStringToObject(object, "path", path);
	cJSON_AddNumberToObject(object, "macs", (double)figure->macs);
	cJSON_AddNumberToObject(object, "count", count);
	cJSON_AddNumberToObject(object, "raw_count", (double)figure->raw_ticks * scale);
	if (figure->macs > 0)
		cJSON_AddNumberToObject(object, "count_per_mac", count / (double)figure->macs);
	if (sum > 0)
		cJSON_AddNumberToObject(object, "share", (double)figure->ticks / sum);
	return object;
}

static cJSON *summary_json(const struct layer_profile *profile, enum profile_counter counter,
			   double scale, double unprofiled_ticks)
{
	const double profiled = (double)profile->profiled_ticks * scale;
	const bool last_sample = profile->same_input_ticks > 0;
	const double unprofiled =
	    (last_sample ? (double)profile->same_input_ticks : unprofiled_ticks) * scale;
	const double sum = (double)layer_profile_sum(profile) * scale;
	cJSON *object = cJSON_CreateObject();
	cJSON *cost;

	cJSON_AddStringToObject(object, "unit", count_unit(counter));
	cJSON_AddStringToObject(object, "source", count_source(counter));
	cJSON_AddStringToObject(
	    object, "method",
	    "one extra INVOKE of the same input after the timed runs (a suite: of its last "
	    "sample, after the stream), the counter read "
	    "between ops (protocol 5); each op's count is read to read less one counter "
	    "read; share is of the ops' sum; path is the kernel the firmware build routes "
	    "the op's kind to (feature macros), not a run-time observation");
	cJSON_AddNumberToObject(object, "ops", profile->count);
	cost = cJSON_AddObjectToObject(object, "read_cost");
	cJSON_AddNumberToObject(cost, "value", profile->read_cost_ticks * scale);
	cJSON_AddStringToObject(cost, "unit", count_unit(counter));
	cJSON_AddStringToObject(cost, "source", count_source(counter));
	cJSON_AddStringToObject(cost, "method",
				"least of 16 differences of two back-to-back counter reads on "
				"the board, subtracted once from each op");
	cJSON_AddNumberToObject(object, "resolution", scale);
	cJSON_AddNumberToObject(object, "profiled_total", profiled);
	cJSON_AddNumberToObject(object, "unprofiled_total", unprofiled);
	cJSON_AddStringToObject(object, "unprofiled_method",
				last_sample
				    ? "the last sample's run: the input the profiled run ran"
				    : "median of the timed runs of the same input");
	cJSON_AddNumberToObject(object, "ops_sum", sum);
	/* How much the reads between ops moved the total, and what is left
	 * after their measured cost came off. */
	cJSON_AddNumberToObject(object, "overhead", profiled - unprofiled);
	if (unprofiled > 0) {
		cJSON_AddNumberToObject(object, "overhead_share",
					(profiled - unprofiled) / unprofiled);
		cJSON_AddNumberToObject(object, "ops_sum_error_share",
					(sum - unprofiled) / unprofiled);
	}
	return object;
}

void layer_profile_add_json(cJSON *measurements, const struct layer_profile *profile,
			    enum profile_counter counter, double scale, double unprofiled_ticks)
{
	const double sum = (double)layer_profile_sum(profile);
	cJSON *layers;

	if (!profile->present)
		return;
	layers = cJSON_AddArrayToObject(measurements, "layers");
	for (uint32_t i = 0; i < profile->count; i++)
		cJSON_AddItemToArray(layers, figure_json(&profile->layers[i], i, scale, sum));
	cJSON_AddItemToObject(measurements, "layer_profile",
			      summary_json(profile, counter, scale, unprofiled_ticks));
}
