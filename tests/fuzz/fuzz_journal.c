/* clang-format off */ // FUZZ_DEPS: host/run/journal.c host/util/json_read.c host/util/error.c host/util/fileio.c target-fw/proto/crc32.c
// clang-format on
/*
 * journal_parse on arbitrary bytes: a journal is read back on --resume, from
 * a file a kill may have cut or anyone may have edited. It must reject (never
 * crash on, never read past) anything, and every sample it hands on must be
 * within the bounds the suite run relies on.
 *
 * Each input is parsed twice: as it is (the checksum check on any bytes),
 * and with every line that ends in '}' sealed with its correct checksum, so
 * that mutations reach the JSON validation behind the check, which a random
 * line would pass only once in 2^32.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
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

static void fuzz_journal_parse(const char *text, size_t size)
{
	struct journal_header header;
	struct journal_tail tail;
	int status =
	    journal_parse(text, size, "fuzz.jsonl", &header, fuzz_journal_check, NULL, &tail);

	if (tail.valid_bytes > size || (tail.dropped_line && status != HB_OK))
		__builtin_trap();
	if (status == HB_OK &&
	    (!memchr(header.suite, '\0', sizeof header.suite) || !header.suite[0] ||
	     !memchr(header.board, '\0', sizeof header.board) || tail.valid_bytes == 0))
		__builtin_trap();
}

/* The input with each line ending in '}' sealed; NULL when out of memory. */
static char *fuzz_journal_seal_lines(const uint8_t *data, size_t size, size_t *sealed_size)
{
	char *out = malloc(size + (size / 2 + 1) * 20 + 1);
	size_t used = 0;

	if (!out)
		return NULL;
	for (size_t start = 0; start < size;) {
		const uint8_t *end = memchr(data + start, '\n', size - start);
		size_t length = end ? (size_t)(end - (data + start)) : size - start;
		char *sealed = journal_seal((const char *)data + start, length);

		if (sealed) {
			/* strlen stops early on a NUL in the line: take the length it must have. */
			memcpy(out + used, sealed, length + 19);
			used += length + 19;
			free(sealed);
		} else {
			memcpy(out + used, data + start, length);
			used += length;
		}
		if (end)
			out[used++] = '\n';
		start += length + 1;
	}
	*sealed_size = used;
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t sealed_size;
	char *sealed;

	hb_log_set_sink(fuzz_journal_quiet, NULL);
	fuzz_journal_parse((const char *)data, size);
	sealed = fuzz_journal_seal_lines(data, size, &sealed_size);
	if (sealed)
		fuzz_journal_parse(sealed, sealed_size);
	free(sealed);
	return 0;
}
