// FUZZ_DEPS: host/config/vectors.c host/util/error.c host/util/fileio.c
/*
 * .npy on arbitrary bytes: the hand-written header parser must refuse
 * (never crash on, never read past) anything, and what it accepts must be
 * self-consistent down to the last element.
 */
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "config/vectors.h"

static void fuzz_npy_quiet(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vector_set set;
	uint64_t elements = 1;

	hb_log_set_sink(fuzz_npy_quiet, NULL);
	if (vectors_parse_npy(data, size, "fuzz.npy", &set) != HB_OK) {
		if (set.data)
			__builtin_trap();
		return 0;
	}
	if (set.rank < 1 || set.rank > VECTOR_MAX_RANK || set.count != (uint32_t)set.shape[0] ||
	    set.count == 0)
		__builtin_trap();
	for (int32_t i = 1; i < set.rank; i++)
		elements *= (uint64_t)set.shape[i];
	if (elements * vector_dtype_size(set.dtype) != set.sample_bytes ||
	    (size_t)set.count * set.sample_bytes > size)
		__builtin_trap();
	(void)vectors_value(&set, set.count - 1, elements - 1);
	vectors_release(&set);
	return 0;
}
