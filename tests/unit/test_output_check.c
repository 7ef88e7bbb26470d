/* The output check every run relies on (board output against the host's
 * execution of the same image): one int8 step or one float beyond 1e-5 of
 * the larger of 1 and |host| is a mismatch, and within the tolerance is not. */
#include <criterion/criterion.h>

#include <string.h>

#include "model/reference.h"
#include "model_image.h"

Test(output_check, int8_equal_bytes_pass)
{
	const int8_t host[4] = {-128, -1, 0, 127};
	struct output_comparison result;

	reference_compare(MODEL_DTYPE_INT8, (const uint8_t *)host, (const uint8_t *)host,
			  sizeof host, &result);
	cr_assert_eq(result.mismatched, 0);
	cr_assert_eq(result.first_mismatch, -1);
	cr_assert_float_eq(result.max_abs_error, 0, 0);
}

Test(output_check, one_int8_step_is_a_mismatch)
{
	const int8_t host[4] = {-128, -1, 0, 127};
	int8_t board[4];
	struct output_comparison result;

	memcpy(board, host, sizeof board);
	board[2] = 1;
	reference_compare(MODEL_DTYPE_INT8, (const uint8_t *)board, (const uint8_t *)host,
			  sizeof host, &result);
	cr_assert_eq(result.mismatched, 1);
	cr_assert_eq(result.first_mismatch, 2);
	cr_assert_float_eq(result.max_abs_error, 1, 0);
}

/* host 100: tolerance 1e-3; host 0.5: tolerance 1e-5 (the floor of 1). */
Test(output_check, float_within_the_tolerance_passes_and_beyond_it_fails)
{
	const float host[2] = {100.0f, 0.5f};
	float board[2] = {100.0005f, 0.5f};
	struct output_comparison result;

	reference_compare(MODEL_DTYPE_FLOAT32, (const uint8_t *)board, (const uint8_t *)host,
			  sizeof host, &result);
	cr_assert_eq(result.mismatched, 0, "100.0005 is within 1e-3 of 100");
	board[1] = 0.50002f;
	reference_compare(MODEL_DTYPE_FLOAT32, (const uint8_t *)board, (const uint8_t *)host,
			  sizeof host, &result);
	cr_assert_eq(result.mismatched, 1, "0.50002 is 2e-5 from 0.5, past 1e-5");
	cr_assert_eq(result.first_mismatch, 1);
}
