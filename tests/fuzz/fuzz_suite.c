// FUZZ_DEPS: host/config/suite.c host/util/json_read.c host/util/error.c host/util/fileio.c
/*
 * suite_parse on arbitrary bytes: it must reject (never crash on, never
 * read past) anything, and what it accepts must hold the rules the
 * benchmark relies on: terminated strings, resolved paths, counts in range.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/error.h"
#include "config/suite.h"

static void fuzz_suite_quiet(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

static int fuzz_suite_path_ok(const char *path)
{
	return memchr(path, '\0', 1024) && path[0] &&
	       (path[0] == '/' || strncmp(path, "suites/fuzz/", 12) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct suite suite;

	hb_log_set_sink(fuzz_suite_quiet, NULL);
	if (suite_parse((const char *)data, size, "suites/fuzz/suite.json", &suite) != HB_OK) {
		if (suite.model_count != 0 || suite.name[0])
			__builtin_trap();
		return 0;
	}
	if (suite.model_count < 1 || suite.model_count > SUITE_MAX_MODELS || !suite.name[0] ||
	    !memchr(suite.description, '\0', sizeof suite.description) ||
	    !fuzz_suite_path_ok(suite.inputs.path) || suite.class_count > SUITE_MAX_CLASSES ||
	    !(suite.input_scale == suite.input_scale) || suite.input_scale == 0.0f)
		__builtin_trap();
	if (suite.metric == SUITE_METRIC_TOP1 &&
	    (suite.class_count < 2 || !fuzz_suite_path_ok(suite.labels.path)))
		__builtin_trap();
	if (suite.inputs.format == VECTOR_FORMAT_RAW &&
	    (suite.inputs.raw_rank < 1 || suite.inputs.raw_rank >= VECTOR_MAX_RANK))
		__builtin_trap();
	for (uint32_t i = 0; i < suite.model_count; i++) {
		if (!suite.models[i].variant[0] || !fuzz_suite_path_ok(suite.models[i].path))
			__builtin_trap();
		for (uint32_t j = 0; j < i; j++)
			if (strcmp(suite.models[i].variant, suite.models[j].variant) == 0)
				__builtin_trap();
	}
	return 0;
}
