// FUZZ_DEPS: host/run/journal.c host/util/json_read.c host/util/error.c host/util/fileio.c
/*
 * journal_parse on arbitrary bytes: a journal is read back on --resume, from
 * a file a kill may have cut or anyone may have edited. It must reject (never
 * crash on, never read past) anything, and every sample it hands on must be
 * within the bounds the suite run relies on.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "run/journal.h"
#include "util/error.h"

static void fuzz_journal_quiet(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

static int fuzz_journal_check(void *context, const struct journal_sample *sample)
{
	volatile float sum = 0;
	(void)context;
	if (!memchr(sample->variant, '\0', sizeof sample->variant) || !sample->variant[0] ||
	    sample->output_count > JOURNAL_MAX_OUTPUTS || (sample->output_count && !sample->output))
		__builtin_trap();
	for (uint32_t i = 0; i < sample->output_count; i++)
		sum += sample->output[i]; /* ASan catches a short buffer */
	return HB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct journal_header header;
	uint32_t torn;

	hb_log_set_sink(fuzz_journal_quiet, NULL);
	if (journal_parse((const char *)data, size, "fuzz.jsonl", &header, fuzz_journal_check, NULL,
			  &torn) == HB_OK &&
	    (!memchr(header.suite, '\0', sizeof header.suite) || !header.suite[0] ||
	     !memchr(header.board, '\0', sizeof header.board)))
		__builtin_trap();
	return 0;
}
