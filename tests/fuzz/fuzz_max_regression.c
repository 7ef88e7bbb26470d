/* clang-format off */ // FUZZ_DEPS: host/report/compare.c host/report/report_units.c host/report/report_table.c host/report/record_json.c host/report/report_layers.c host/util/error.c host/util/fileio.c
// clang-format on
/*
 * The --max-regression grammar on arbitrary text: a CI job passes whatever
 * its configuration holds. It must refuse (and then change nothing) or give
 * thresholds that are finite and not negative, with terminated texts, and
 * never read past the text.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/compare.h"
#include "util/error.h"

static void fuzz_max_regression_quiet(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct compare_thresholds thresholds, defaults;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	hb_log_set_sink(fuzz_max_regression_quiet, NULL);
	compare_thresholds_default(&defaults);
	thresholds = defaults;
	if (compare_thresholds_parse(text, &thresholds) != HB_OK) {
		if (memcmp(&thresholds, &defaults, sizeof thresholds) != 0)
			__builtin_trap();
	} else {
		for (int i = 0; i < REPORT_COLUMN_COUNT; i++) {
			const struct compare_threshold *t = &thresholds.items[i];
			if (!memchr(t->text, '\0', sizeof t->text) ||
			    (t->gated && (!isfinite(t->amount) || t->amount < 0)))
				__builtin_trap();
		}
	}
	free(text);
	return 0;
}
