// FUZZ_DEPS: host/config/vectors.c host/util/error.c host/util/fileio.c
/*
 * IDX on arbitrary bytes: vectors_parse_idx must refuse (never crash on,
 * never read past) anything, and what it accepts must be self-consistent.
 * Inputs that start with the gzip magic go through vectors_read from an
 * in-memory file, so the bounded inflate is fuzzed as well.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/error.h"
#include "config/vectors.h"

static void fuzz_idx_quiet(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

/* Accepted sets obey the rules the benchmark relies on; reading the last
 * element lets ASan catch a buffer shorter than count * sample_bytes. */
static void fuzz_idx_check(const struct vector_set *set)
{
	size_t width = vector_dtype_size(set->dtype);
	uint64_t elements = 1;

	if (set->rank < 1 || set->rank > VECTOR_MAX_RANK || set->count == 0 ||
	    set->count != (uint32_t)set->shape[0] || width == 0 || !set->data)
		__builtin_trap();
	for (int32_t i = 1; i < set->rank; i++) {
		if (set->shape[i] < 1)
			__builtin_trap();
		elements *= (uint64_t)set->shape[i];
	}
	if (elements * width != set->sample_bytes)
		__builtin_trap();
	if (vectors_value(set, set->count - 1, elements - 1) !=
		vectors_value(set, set->count - 1, elements - 1) &&
	    set->dtype < VECTOR_DTYPE_FLOAT32)
		__builtin_trap();
	{
		volatile uint8_t last = set->data[(size_t)set->count * set->sample_bytes - 1];
		(void)last;
	}
}

static void fuzz_idx_gzip(const uint8_t *data, size_t size)
{
	struct vector_set set;
	char path[64];
	int fd = memfd_create("fuzz.idx.gz", 0);

	if (fd < 0)
		return;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		if (vectors_read(path, VECTOR_FORMAT_IDX, 0, NULL, 0, &set) == HB_OK) {
			fuzz_idx_check(&set);
			vectors_release(&set);
		}
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vector_set set;

	hb_log_set_sink(fuzz_idx_quiet, NULL);
	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		fuzz_idx_gzip(data, size);
		return 0;
	}
	if (vectors_parse_idx(data, size, "fuzz.idx", &set) == HB_OK) {
		fuzz_idx_check(&set);
		vectors_release(&set);
	} else if (set.data) {
		__builtin_trap();
	}
	return 0;
}
