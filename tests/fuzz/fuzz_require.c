/* clang-format off */ // FUZZ_DEPS: host/report/report_select.c host/report/report_units.c host/report/report_table.c host/report/record_json.c host/report/report_layers.c host/util/json_read.c host/util/error.c host/util/fileio.c
// clang-format on
/*
 * The --require grammar on arbitrary text: a CI job passes whatever its
 * config says. It must refuse or give constraints on known columns with
 * finite values, and never read past the text.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_select.h"
#include "util/error.h"

static void fuzz_require_quiet(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_requirements requirements;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	hb_log_set_sink(fuzz_require_quiet, NULL);
	if (report_require_parse(text, &requirements) == HB_OK) {
		if (requirements.count == 0 || requirements.count > REPORT_MAX_CONSTRAINTS)
			__builtin_trap();
		for (size_t i = 0; i < requirements.count; i++)
			if ((unsigned)requirements.items[i].column >= REPORT_COLUMN_COUNT ||
			    !isfinite(requirements.items[i].value) ||
			    !memchr(requirements.items[i].text, '\0',
				    sizeof requirements.items[i].text))
				__builtin_trap();
	}
	free(text);
	return 0;
}
