/*
 * The host's own execution of a compiled model: the same image and the
 * same kernels the board runs, on this machine. It is the reference every
 * board output is checked against.
 */
#ifndef HB_REFERENCE_H
#define HB_REFERENCE_H

#include <stddef.h>
#include <stdint.h>

#include "model/model_compile.h"

/* Runs one inference: input_bytes in, output_bytes out. */
int reference_run(const struct compiled_model *compiled, const uint8_t *input, uint8_t *output);

struct output_comparison {
	uint32_t mismatched;	/* elements outside the tolerance (int8: any difference) */
	int64_t first_mismatch; /* element index, -1 when none */
	double max_abs_error;
	double tolerance; /* float: allowed |board - host| per element; int8: 0 */
};

/* Compares element by element; floats within 1e-5 * max(1, |host|). */
void reference_compare(uint32_t dtype, const uint8_t *board, const uint8_t *host, size_t bytes,
		       struct output_comparison *result);

#endif
