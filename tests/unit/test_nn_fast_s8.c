/*
 * The fast int8 kernels (the _fast paths of nn_conv2d_s8.c,
 * nn_depthwise_conv2d_s8.c, nn_fully_connected_s8.c) against their portable
 * references, bit for bit, on random shapes and edge values: zero points
 * -128 and 127, shifts of both signs (left shifts large enough to
 * saturate), clamped outputs, odd channel counts and depths, padding,
 * strides, dilation, several batches, channel counts past the fast paths'
 * blocks and shapes they hand back to the portable path. On the host the
 * packed steps of nn_simd.h are its plain-C versions, checked first
 * against the instructions' definitions in the Arm ARM. The _narrow paths
 * (cores without the fast kernels) are held against the portable ones on
 * the same shapes.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "nn.h"
#include "nn_requantize.h"
#include "nn_simd.h"

#define FAST_GUARD 8

/* ---- the packed steps ---- */

/* Lane i (0 or 1) of a packed pair, from the definition. */
static int32_t fast_lane(uint32_t pair, int lane)
{
	return (int16_t)(uint16_t)(pair >> (16 * lane));
}

static int32_t fast_byte(uint32_t word, int index)
{
	return (int8_t)(uint8_t)(word >> (8 * index));
}

static uint32_t fast_random_word(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

Test(nn_simd, hand_cases)
{
	/* bytes (lsb first) 0x80 0x7f 0xff 0x01: -128 127 -1 1 */
	const uint32_t word = 0x01ff7f80u;

	cr_expect_eq(nn_sxtb16(word), 0xffffff80u, "lanes -128 and -1");
	cr_expect_eq(nn_sxtb16_ror8(word), 0x0001007fu, "lanes 127 and 1");
	/* -128 * -128 + -1 * -1 + 5 */
	cr_expect_eq(nn_smlad(0xffffff80u, 0xffffff80u, 5), 16384 + 1 + 5);
	/* 0x7fff * 0x7fff twice wraps past INT32_MAX, as SMLAD does */
	cr_expect_eq(nn_smlad(0x7fff7fffu, 0x7fff7fffu, 0x7fffffff),
		     (int32_t)(0x7fffffffu + 2u * 0x3fff0001u));
	cr_expect_eq(nn_sadd16(0x7fff0001u, 0x00010002u), 0x80000003u, "each lane wraps alone");
	cr_expect_eq(nn_smlabb(0x0003fffeu, 0x00070005u, 100), 100 - 10);
	cr_expect_eq(nn_smlatt(0x0003fffeu, 0xfff90005u, 100), 100 - 21);
	cr_expect_eq(nn_dup16(-255), 0xff01ff01u);
	cr_expect_eq(nn_read_s8x4((const int8_t[]){1, 2, 3, 4}), 0x04030201u);
}

Test(nn_simd, random_words_match_the_definitions)
{
	uint32_t state = 0x5EED0001u;

	for (int i = 0; i < 20000; i++) {
		uint32_t a, b;
		int32_t acc;
		state ^= state << 13, state ^= state >> 17, state ^= state << 5;
		a = state;
		state ^= state << 13, state ^= state >> 17, state ^= state << 5;
		b = state;
		acc = (int32_t)(a ^ b);
		cr_assert_eq(fast_lane(nn_sxtb16(a), 0), fast_byte(a, 0));
		cr_assert_eq(fast_lane(nn_sxtb16(a), 1), fast_byte(a, 2));
		cr_assert_eq(fast_lane(nn_sxtb16_ror8(a), 0), fast_byte(a, 1));
		cr_assert_eq(fast_lane(nn_sxtb16_ror8(a), 1), fast_byte(a, 3));
		cr_assert_eq(nn_smlad(a, b, acc),
			     (int32_t)((uint32_t)acc +
				       (uint32_t)(fast_lane(a, 0) * fast_lane(b, 0)) +
				       (uint32_t)(fast_lane(a, 1) * fast_lane(b, 1))));
		cr_assert_eq(
		    nn_smlabb(a, b, acc),
		    (int32_t)((uint32_t)acc + (uint32_t)(fast_lane(a, 0) * fast_lane(b, 0))));
		cr_assert_eq(
		    nn_smlatt(a, b, acc),
		    (int32_t)((uint32_t)acc + (uint32_t)(fast_lane(a, 1) * fast_lane(b, 1))));
		cr_assert_eq((uint16_t)fast_lane(nn_sadd16(a, b), 0),
			     (uint16_t)(fast_lane(a, 0) + fast_lane(b, 0)));
		cr_assert_eq((uint16_t)fast_lane(nn_sadd16(a, b), 1),
			     (uint16_t)(fast_lane(a, 1) + fast_lane(b, 1)));
		cr_assert_eq(
		    nn_dot4_s8(a, b, acc),
		    (int32_t)((uint32_t)acc + (uint32_t)(fast_byte(a, 0) * fast_byte(b, 0) +
							 fast_byte(a, 1) * fast_byte(b, 1) +
							 fast_byte(a, 2) * fast_byte(b, 2) +
							 fast_byte(a, 3) * fast_byte(b, 3))));
	}
}

Test(nn_simd, fast_requantize_matches_requantize)
{
	const int32_t edges[] = {0,
				 1,
				 -1,
				 2,
				 -2,
				 INT32_MAX,
				 INT32_MIN,
				 INT32_MAX - 1,
				 INT32_MIN + 1,
				 1 << 30,
				 -(1 << 30),
				 (1 << 30) + 1,
				 -(1 << 30) - 1,
				 12345,
				 -12345};
	const int edge_count = (int)(sizeof edges / sizeof edges[0]);
	uint32_t state = 0x0E0A17EDu;

	for (int i = 0; i < edge_count; i++)
		for (int j = 0; j < edge_count; j++)
			for (int32_t shift = -31; shift <= 31; shift++)
				cr_assert_eq(nn_requantize_fast(edges[i], edges[j], shift),
					     nn_requantize(edges[i], edges[j], shift),
					     "x %d, multiplier %d, shift %d", edges[i], edges[j],
					     shift);
	for (int i = 0; i < 400000; i++) {
		int32_t x, multiplier, shift;
		state ^= state << 13, state ^= state >> 17, state ^= state << 5;
		/* Small accumulators as often as full-range ones, so that ties and
		 * both saturation sides come up. */
		x = (int32_t)state >> (int)(state % 24u);
		state ^= state << 13, state ^= state >> 17, state ^= state << 5;
		multiplier = i % 3 ? (int32_t)(state | 0x40000000u) & INT32_MAX : (int32_t)state;
		state ^= state << 13, state ^= state >> 17, state ^= state << 5;
		shift = (int32_t)(state % 63u) - 31;
		cr_assert_eq(nn_requantize_fast(x, multiplier, shift),
			     nn_requantize(x, multiplier, shift), "x %d, multiplier %d, shift %d",
			     x, multiplier, shift);
	}
}

Test(nn_simd, smmulr_matches_its_definition)
{
	const int32_t edges[] = {0,	  1,	      -1,      INT32_MAX, INT32_MIN,
				 1 << 30, -(1 << 30), 0x10000, -0x10000};
	const int edge_count = (int)(sizeof edges / sizeof edges[0]);
	uint32_t state = 0x5A1AD0E5u;

	for (int i = 0; i < edge_count; i++)
		for (int j = 0; j < edge_count; j++) {
			const int64_t sum = (int64_t)edges[i] * edges[j] + ((int64_t)1 << 31);
			/* floor(sum / 2^32), written without a shift of a negative value */
			const int64_t floor =
			    sum >= 0 ? sum / ((int64_t)1 << 32)
				     : -((-sum + ((int64_t)1 << 32) - 1) / ((int64_t)1 << 32));
			cr_assert_eq(nn_smmulr(edges[i], edges[j]), (int32_t)floor, "%d x %d",
				     edges[i], edges[j]);
		}
	for (int i = 0; i < 100000; i++) {
		int32_t a, b;
		int64_t sum, floor;
		state ^= state << 13, state ^= state >> 17, state ^= state << 5;
		a = (int32_t)state;
		state ^= state << 13, state ^= state >> 17, state ^= state << 5;
		b = (int32_t)state;
		sum = (int64_t)a * b + ((int64_t)1 << 31);
		floor = sum >= 0 ? sum / ((int64_t)1 << 32)
				 : -((-sum + ((int64_t)1 << 32) - 1) / ((int64_t)1 << 32));
		cr_assert_eq(nn_smmulr(a, b), (int32_t)floor, "%d x %d", a, b);
	}
}

Test(nn_simd, bounded_requantize_matches_requantize)
{
	const int32_t limit = (1 << 30) - 1;
	const int32_t edges[] = {0,
				 1,
				 -1,
				 2,
				 -2,
				 limit,
				 -limit,
				 limit - 1,
				 -limit + 1,
				 1 << 29,
				 -(1 << 29),
				 12345,
				 -12345,
				 (1 << 20) + (1 << 19),
				 -(1 << 20) - (1 << 19)};
	const int32_t multipliers[] = {INT32_MAX, INT32_MIN, 1 << 30, (1 << 30) + 1, -(1 << 30),
				       1,	  -1,	     0,	      1518500250,    -1518500250};
	const int edge_count = (int)(sizeof edges / sizeof edges[0]);
	const int multiplier_count = (int)(sizeof multipliers / sizeof multipliers[0]);
	uint32_t state = 0xB0DEDu;

	for (int i = 0; i < edge_count; i++)
		for (int j = 0; j < multiplier_count; j++)
			for (int32_t shift = -31; shift <= 31; shift++) {
				const int32_t expected =
				    nn_requantize(edges[i], multipliers[j], shift);
				cr_assert_eq(nn_requantize_bounded(edges[i], multipliers[j], shift),
					     expected, "x %d, multiplier %d, shift %d", edges[i],
					     multipliers[j], shift);
				if (shift < 0)
					cr_assert_eq(nn_requantize_bounded_right(
							 edges[i], multipliers[j], shift),
						     expected,
						     "right: x %d, multiplier %d, shift %d",
						     edges[i], multipliers[j], shift);
			}
	for (int i = 0; i < 400000; i++) {
		int32_t x, multiplier, shift;
		state ^= state << 13, state ^= state >> 17, state ^= state << 5;
		/* Inside (-2^30, 2^30), small as often as large, ties included. */
		x = ((int32_t)state >> 2) >> (int)(state % 22u);
		state ^= state << 13, state ^= state >> 17, state ^= state << 5;
		multiplier = i % 3 ? (int32_t)(state | 0x40000000u) & INT32_MAX : (int32_t)state;
		state ^= state << 13, state ^= state >> 17, state ^= state << 5;
		shift = (int32_t)(state % 63u) - 31;
		cr_assert_eq(nn_requantize_bounded(x, multiplier, shift),
			     nn_requantize(x, multiplier, shift), "x %d, multiplier %d, shift %d",
			     x, multiplier, shift);
		if (shift < 0)
			cr_assert_eq(nn_requantize_bounded_right(x, multiplier, shift),
				     nn_requantize(x, multiplier, shift),
				     "right: x %d, multiplier %d, shift %d", x, multiplier, shift);
	}
	cr_expect(nn_requantize_right_ok((int32_t[]){-1, -31, -7}, 3));
	cr_expect_not(nn_requantize_right_ok((int32_t[]){-1, 0, -7}, 3), "a shift of 0");
	cr_expect_not(nn_requantize_right_ok((int32_t[]){-32}, 1), "a shift past -31");
}

/* The narrow paths' high multiply from 16-bit products, on the halves'
 * edges (0x7fff, 0x8000, 0xffff in either half) and random words. */
Test(nn_simd, narrow_smmulr_matches_smmulr)
{
	const int32_t edges[] = {0,
				 1,
				 -1,
				 INT32_MAX,
				 INT32_MIN,
				 0x7fff,
				 0x8000,
				 0xffff,
				 0x10000,
				 -0x10000,
				 0x7fff7fff,
				 (int32_t)0x80008000u,
				 (int32_t)0xffff0000u,
				 0x0000ffff,
				 (int32_t)0x8000ffffu,
				 1 << 30,
				 -(1 << 30)};
	const int edge_count = (int)(sizeof edges / sizeof edges[0]);
	uint32_t state = 0x16B175EDu;

	for (int i = 0; i < edge_count; i++)
		for (int j = 0; j < edge_count; j++)
			cr_assert_eq(nn_smmulr_narrow(edges[i], edges[j]),
				     nn_smmulr(edges[i], edges[j]), "%d x %d", edges[i], edges[j]);
	for (int i = 0; i < 200000; i++) {
		const int32_t a = (int32_t)fast_random_word(&state) >> (int)(i % 20);
		const int32_t b = (int32_t)fast_random_word(&state);
		cr_assert_eq(nn_smmulr_narrow(a, b), nn_smmulr(a, b), "%d x %d", a, b);
	}
}

/* nn_requantize_bounded_narrow equals nn_requantize on the accumulators
 * nn_requantize_bounded_ok admits, for shifts of both signs. */
Test(nn_simd, narrow_bounded_requantize_matches_requantize)
{
	const int32_t limit = (1 << 30) - 1;
	uint32_t state = 0xB0DE16u;

	for (int i = 0; i < 200000; i++) {
		const int32_t x =
		    (int32_t)(fast_random_word(&state) % (2u * (uint32_t)limit + 1u)) - limit;
		const int32_t small = x >> (int)(i % 24);
		const int32_t multiplier =
		    i % 5 ? (int32_t)(fast_random_word(&state) | 0x40000000u) & INT32_MAX
			  : (int32_t)fast_random_word(&state);
		const int32_t shift = (int32_t)(fast_random_word(&state) % 63u) - 31;
		cr_assert_eq(nn_requantize_bounded_narrow(small, multiplier, shift),
			     nn_requantize(small, multiplier, shift),
			     "x %d, multiplier %d, shift %d", small, multiplier, shift);
	}
}

Test(nn_simd, bounded_requantize_ok_at_its_limits)
{
	/* depth 256, offset 128: 256 * 256 * 128 = 2^23 of products. */
	const int32_t products = 256 * 256 * 128;
	int32_t bias[3] = {0, -((1 << 30) - 1 - products), (1 << 30) - 1 - products};
	int32_t shift[3] = {-31, 31, 0};

	cr_expect(nn_requantize_bounded_ok(bias, shift, 3, 256, 128));
	cr_expect(nn_requantize_bounded_ok(NULL, shift, 3, 256, -128));
	bias[2]++;
	cr_expect_not(nn_requantize_bounded_ok(bias, shift, 3, 256, 128), "a bias one past");
	bias[2]--;
	cr_expect_not(nn_requantize_bounded_ok(bias, shift, 3, 256, 129), "an offset one past");
	shift[0] = -32;
	cr_expect_not(nn_requantize_bounded_ok(bias, shift, 3, 256, 128), "a shift past -31");
	shift[0] = 0;
	shift[1] = 32;
	cr_expect_not(nn_requantize_bounded_ok(bias, shift, 3, 256, 128), "a shift past 31");
	cr_expect_not(nn_requantize_bounded_ok(NULL, (int32_t[]){0}, 1, 1 << 20, 0),
		      "products alone past 2^30");
}

Test(nn_simd, folded_requantize_matches_requantize_plus_offset)
{
	const int32_t limit = (1 << 30) - 1;
	const int32_t edges[] = {0,
				 1,
				 -1,
				 limit,
				 -limit,
				 1 << 29,
				 -(1 << 29),
				 12345,
				 -12345,
				 (1 << 20) + (1 << 19),
				 -(1 << 20) - (1 << 19)};
	const int32_t offsets[] = {-128, 128, 0, 5, -1, 127};
	const int edge_count = (int)(sizeof edges / sizeof edges[0]);
	const int offset_count = (int)(sizeof offsets / sizeof offsets[0]);
	uint32_t state = 0xF01DEDu;

	for (int i = 0; i < edge_count; i++)
		for (int k = 0; k < offset_count; k++)
			for (int32_t shift = -NN_FOLDED_EXPONENT_MAX; shift <= -1; shift++) {
				const int32_t nudge = nn_requantize_folded_nudge(shift, offsets[k]);
				cr_assert_eq(
				    nn_requantize_folded(2 * edges[i], INT32_MAX, nudge, -shift),
				    nn_requantize(edges[i], INT32_MAX, shift) + offsets[k],
				    "x %d, offset %d, shift %d", edges[i], offsets[k], shift);
			}
	for (int i = 0; i < 400000; i++) {
		int32_t x, multiplier, shift, offset;
		state ^= state << 13, state ^= state >> 17, state ^= state << 5;
		x = ((int32_t)state >> 2) >> (int)(state % 22u);
		state ^= state << 13, state ^= state >> 17, state ^= state << 5;
		multiplier = i % 3 ? (int32_t)(state | 0x40000000u) & INT32_MAX : (int32_t)state;
		state ^= state << 13, state ^= state >> 17, state ^= state << 5;
		shift = -1 - (int32_t)(state % (uint32_t)NN_FOLDED_EXPONENT_MAX);
		offset = (int32_t)((state >> 8) % 257u) - 128;
		cr_assert_eq(
		    nn_requantize_folded(2 * x, multiplier,
					 nn_requantize_folded_nudge(shift, offset), -shift),
		    nn_requantize(x, multiplier, shift) + offset,
		    "x %d, multiplier %d, shift %d, offset %d", x, multiplier, shift, offset);
	}
	cr_expect(nn_requantize_folded_ok((int32_t[]){-1, -22}, 2, 128, -128, 127));
	cr_expect_not(nn_requantize_folded_ok((int32_t[]){-23}, 1, 0, -128, 127), "shift -23");
	cr_expect_not(nn_requantize_folded_ok((int32_t[]){0}, 1, 0, -128, 127), "shift 0");
	cr_expect_not(nn_requantize_folded_ok((int32_t[]){-5}, 1, 129, -128, 127), "offset 129");
	cr_expect_not(nn_requantize_folded_ok((int32_t[]){-5}, 1, 0, -129, 127), "min -129");
	cr_expect_not(nn_requantize_folded_ok((int32_t[]){-5}, 1, 0, -128, 128), "max 128");
}

Test(nn_simd, packed_bytes_match_their_definitions)
{
	uint32_t state = 0xB17E5u;

	cr_expect_eq(nn_pack_s8x4(-128, 127, -1, 1), 0x01ff7f80u);
	cr_expect_eq(nn_dup8(-2), 0xfefefefeu);
	cr_expect_eq(nn_ssat8(300), 127);
	cr_expect_eq(nn_ssat8(-300), -128);
	cr_expect_eq(nn_ssat8(-5), -5);
	for (int i = 0; i < 20000; i++) {
		uint32_t a, b, lo, hi, clamped;
		a = fast_random_word(&state);
		b = fast_random_word(&state);
		lo = nn_dup8(fast_byte(b, 0) < fast_byte(b, 1) ? fast_byte(b, 0) : fast_byte(b, 1));
		hi = nn_dup8(fast_byte(b, 0) < fast_byte(b, 1) ? fast_byte(b, 1) : fast_byte(b, 0));
		clamped = nn_clamp_s8x4(a, lo, hi);
		for (int k = 0; k < 4; k++) {
			const int32_t x = fast_byte(a, k), y = fast_byte(b, k);
			const int32_t low = fast_byte(lo, 0), high = fast_byte(hi, 0);
			cr_assert_eq(fast_byte(nn_max_s8x4(a, b), k), x > y ? x : y);
			cr_assert_eq(fast_byte(nn_min_s8x4(a, b), k), x < y ? x : y);
			cr_assert_eq(fast_byte(clamped, k), x < low ? low : x > high ? high : x);
		}
		cr_assert_eq(nn_pack_s8x4(fast_byte(a, 0), fast_byte(a, 1), fast_byte(a, 2),
					  fast_byte(a, 3)),
			     a);
	}
}

/* ---- random kernels ---- */

static uint32_t fast_random(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

static int32_t fast_between(uint32_t *state, int32_t low, int32_t high)
{
	return low + (int32_t)(fast_random(state) % (uint32_t)(high - low + 1));
}

/* int8 data that hits the extremes often. */
static void fast_fill(uint32_t *state, int8_t *data, int32_t count)
{
	const int extremes = fast_between(state, 0, 3) == 0;

	for (int32_t i = 0; i < count; i++) {
		if (extremes && fast_between(state, 0, 1))
			data[i] = fast_between(state, 0, 1) ? 127 : -128;
		else
			data[i] = (int8_t)fast_random(state);
	}
}

/* An input offset of either extreme zero point now and then. */
static int32_t fast_input_offset(uint32_t *state)
{
	switch (fast_between(state, 0, 3)) {
	case 0: return 128;  /* zero point -128 */
	case 1: return -127; /* zero point 127 */
	default: return fast_between(state, -127, 128);
	}
}

/* Per channel: bias, multiplier, shift; shifts mostly right by about
 * log2 of the accumulation's spread, sometimes left far enough that the
 * shifted value saturates. Output zero point and clamps at extremes too. */
static void fast_quantization(uint32_t *state, int32_t channels, int32_t depth, int32_t *bias,
			      int32_t *multiplier, int32_t *shift, int32_t *output_offset,
			      int32_t *activation_min, int32_t *activation_max)
{
	for (int32_t c = 0; c < channels; c++) {
		bias[c] = fast_between(state, -40000, 40000);
		multiplier[c] = fast_between(state, 0, 7) == 0
				    ? INT32_MAX
				    : fast_between(state, 1 << 30, INT32_MAX);
		shift[c] = -fast_between(state, 5, 8);
		for (int32_t d = depth; d >= 4; d /= 4)
			shift[c]--;
		if (fast_between(state, 0, 9) == 0)
			shift[c] = fast_between(state, 0, 12);
	}
	*output_offset = fast_between(state, 0, 2) == 0 ? (fast_between(state, 0, 1) ? 127 : -128)
							: fast_between(state, -128, 127);
	*activation_min = -128;
	*activation_max = 127;
	if (fast_between(state, 0, 3) == 0) {
		*activation_min = fast_between(state, -128, 0);
		*activation_max = fast_between(state, *activation_min, 127);
	}
}

/* Output sizes from padding, stride and dilation; 0 if no window fits. */
static int fast_conv_shape(uint32_t *state, struct nn_conv_params *params)
{
	const int32_t extent_y = (params->filter_height - 1) * params->dilation_height + 1;
	const int32_t extent_x = (params->filter_width - 1) * params->dilation_width + 1;
	int32_t padded_height;
	int32_t padded_width;

	/* Now and then more padding than a window: whole windows of padding. */
	const int32_t more = fast_between(state, 0, 4) == 0 ? 2 : 0;

	params->pad_top = fast_between(state, 0, extent_y - 1 + more);
	params->pad_left = fast_between(state, 0, extent_x - 1 + more);
	padded_height =
	    params->input_height + params->pad_top + fast_between(state, 0, extent_y - 1 + more);
	padded_width =
	    params->input_width + params->pad_left + fast_between(state, 0, extent_x - 1 + more);
	if (padded_height < extent_y || padded_width < extent_x)
		return 0;
	params->output_height = (padded_height - extent_y) / params->stride_height + 1;
	params->output_width = (padded_width - extent_x) / params->stride_width + 1;
	return 1;
}

static void fast_compare(const int8_t *fast, const int8_t *portable, int32_t count,
			 const char *what, int round)
{
	for (int32_t i = 0; i < count; i++)
		cr_assert_eq(fast[i], portable[i], "%s round %d output %d: portable %d, fast %d",
			     what, round, (int)i, portable[i], fast[i]);
	for (int32_t i = count; i < count + FAST_GUARD; i++)
		cr_assert_eq((uint8_t)fast[i], 0x5A, "%s round %d: wrote past the output", what,
			     round);
}

#define FAST_MAX_IMAGE	 (2 * 10 * 10 * 72)
#define FAST_MAX_FILTER	 (72 * 5 * 5 * 72)
#define FAST_MAX_CHANNEL 160

static int8_t fast_input[FAST_MAX_IMAGE];
static int8_t fast_filter[FAST_MAX_FILTER];
static int8_t fast_got[FAST_MAX_IMAGE * 2 + FAST_GUARD];
static int8_t fast_expected[FAST_MAX_IMAGE * 2];
static int32_t fast_bias[FAST_MAX_CHANNEL];
static int32_t fast_multiplier[FAST_MAX_CHANNEL];
static int32_t fast_shift[FAST_MAX_CHANNEL];

/* Set by a test: every filter 3x3 without dilation (the depthwise path
 * that walks rows, and its borders). */
static int fast_force_3x3;

/* A random conv or depthwise shape: small mostly, with wide channel
 * counts (past the 64-channel blocks) and big filters now and then. */
static struct nn_conv_params fast_random_conv(uint32_t *state, int depthwise)
{
	const int wide = fast_between(state, 0, 5) == 0;
	const int pointwise = !depthwise && fast_between(state, 0, 2) == 0;
	struct nn_conv_params params = {
	    .batches = fast_between(state, 1, 2),
	    .input_height = fast_between(state, 1, wide ? 5 : 10),
	    .input_width = fast_between(state, 1, wide ? 5 : 10),
	    .input_channels = fast_between(state, 1, wide ? 72 : 9),
	    .filter_height = pointwise ? 1 : fast_between(state, 1, wide ? 3 : 5),
	    .filter_width = pointwise ? 1 : fast_between(state, 1, wide ? 3 : 5),
	    .stride_height = fast_between(state, 1, 3),
	    .stride_width = fast_between(state, 1, 3),
	    .dilation_height = pointwise ? 1 : fast_between(state, 1, 2),
	    .dilation_width = pointwise ? 1 : fast_between(state, 1, 2),
	    .depth_multiplier = 1,
	    .activation_min = -128,
	    .activation_max = 127,
	};

	params.output_channels = fast_between(state, 1, wide ? 72 : 9);
	if (fast_force_3x3) {
		params.filter_height = params.filter_width = 3;
		params.dilation_height = params.dilation_width = 1;
		params.input_height = fast_between(state, 1, 10);
		params.input_width = fast_between(state, 1, 10);
		params.stride_height = fast_between(state, 1, 2);
		params.stride_width = fast_between(state, 1, 2);
	}
	if (depthwise) {
		if (fast_between(state, 0, 5) == 0)
			params.depth_multiplier = fast_between(state, 2, 3);
		if (params.input_channels * params.depth_multiplier > 72)
			params.depth_multiplier = 1;
		params.output_channels = params.input_channels * params.depth_multiplier;
	}
	params.input_offset = fast_input_offset(state);
	return params;
}

static int32_t fast_conv_round(uint32_t *state, int round, int depthwise, int *pointwise_cases)
{
	struct nn_conv_params params = fast_random_conv(state, depthwise);
	const int32_t taps = params.filter_height * params.filter_width;
	const int32_t depth = depthwise ? taps : taps * params.input_channels;
	const int32_t *bias;
	int32_t count;

	if (!fast_conv_shape(state, &params))
		return 0;
	if (params.filter_height == 1 && params.filter_width == 1)
		(*pointwise_cases)++;
	fast_fill(state, fast_input,
		  params.batches * params.input_height * params.input_width *
		      params.input_channels);
	fast_fill(state, fast_filter,
		  (depthwise ? 1 : params.output_channels) * taps *
		      (depthwise ? params.output_channels : params.input_channels));
	fast_quantization(state, params.output_channels, depth, fast_bias, fast_multiplier,
			  fast_shift, &params.output_offset, &params.activation_min,
			  &params.activation_max);
	/* Now and then a bias past what nn_requantize_bounded_ok allows, so the
	 * paths for any accumulator run too (their outputs mostly clamp). */
	if (round % 11 == 3) {
		/* A right shift keeps the reference's requantised value small. */
		const int32_t channel = fast_between(state, 0, params.output_channels - 1);
		fast_bias[channel] = fast_between(state, 0, 1) ? (1 << 30) : -(1 << 30);
		fast_shift[channel] = -fast_between(state, 1, 8);
	}
	bias = round % 7 ? fast_bias : NULL;
	count =
	    params.batches * params.output_height * params.output_width * params.output_channels;
	cr_assert_leq(count, (int32_t)sizeof fast_expected);
	memset(fast_got, 0x5A, sizeof fast_got);
	if (depthwise) {
		nn_depthwise_conv2d_s8_portable(&params, fast_input, fast_filter, bias,
						fast_multiplier, fast_shift, fast_expected);
		nn_depthwise_conv2d_s8_fast(&params, fast_input, fast_filter, bias, fast_multiplier,
					    fast_shift, fast_got);
	} else {
		nn_conv2d_s8_portable(&params, fast_input, fast_filter, bias, fast_multiplier,
				      fast_shift, fast_expected);
		nn_conv2d_s8_fast(&params, fast_input, fast_filter, bias, fast_multiplier,
				  fast_shift, fast_got);
	}
	fast_compare(fast_got, fast_expected, count, depthwise ? "depthwise" : "conv", round);
	/* The no-DSP cores' path (the same loops, nn_requantize_fast). */
	memset(fast_got, 0x5A, sizeof fast_got);
	if (depthwise)
		nn_depthwise_conv2d_s8_narrow(&params, fast_input, fast_filter, bias,
					      fast_multiplier, fast_shift, fast_got);
	else
		nn_conv2d_s8_narrow(&params, fast_input, fast_filter, bias, fast_multiplier,
				    fast_shift, fast_got);
	fast_compare(fast_got, fast_expected, count, depthwise ? "narrow depthwise" : "narrow conv",
		     round);
	return count;
}

/* Outputs strictly inside the clamps, so a test that only saw saturated
 * values cannot pass for one that compared real arithmetic. */
static int32_t fast_unclamped(int32_t count)
{
	int32_t inside = 0;

	for (int32_t i = 0; i < count; i++)
		inside += fast_expected[i] > -128 && fast_expected[i] < 127;
	return inside;
}

Test(nn_fast_s8, conv_matches_portable)
{
	uint32_t state = 0xC0DE0002u;
	int pointwise_cases = 0;
	int32_t total = 0;
	int32_t inside = 0;

	for (int round = 0; round < 600; round++) {
		const int32_t count = fast_conv_round(&state, round, 0, &pointwise_cases);
		total += count;
		inside += fast_unclamped(count);
	}
	cr_expect_gt(pointwise_cases, 100);
	cr_expect_gt(inside * 2, total, "%d of %d outputs inside the clamps", inside, total);
}

Test(nn_fast_s8, depthwise_matches_portable)
{
	uint32_t state = 0xDE9740E3u;
	int pointwise_cases = 0;
	int32_t total = 0;
	int32_t inside = 0;

	for (int round = 0; round < 600; round++) {
		const int32_t count = fast_conv_round(&state, round, 1, &pointwise_cases);
		total += count;
		inside += fast_unclamped(count);
	}
	cr_expect_gt(inside * 2, total, "%d of %d outputs inside the clamps", inside, total);
}

Test(nn_fast_s8, depthwise_3x3_matches_portable)
{
	uint32_t state = 0x3E3E0009u;
	int pointwise_cases = 0;
	int32_t total = 0;
	int32_t inside = 0;

	fast_force_3x3 = 1;
	for (int round = 0; round < 600; round++) {
		const int32_t count = fast_conv_round(&state, round, 1, &pointwise_cases);
		total += count;
		inside += fast_unclamped(count);
	}
	fast_force_3x3 = 0;
	cr_expect_gt(total, 20000, "only %d outputs", total);
	cr_expect_gt(inside * 2, total, "%d of %d outputs inside the clamps", inside, total);
}

Test(nn_fast_s8, conv_too_deep_for_a_column_falls_back)
{
	/* 3x3 over 120 channels: 1080 taps, more than a gathered column holds. */
	struct nn_conv_params params = {
	    .batches = 1,
	    .input_height = 4,
	    .input_width = 3,
	    .input_channels = 120,
	    .filter_height = 3,
	    .filter_width = 3,
	    .output_height = 4,
	    .output_width = 3,
	    .output_channels = 5,
	    .stride_height = 1,
	    .stride_width = 1,
	    .dilation_height = 1,
	    .dilation_width = 1,
	    .pad_top = 1,
	    .pad_left = 1,
	    .depth_multiplier = 1,
	    .input_offset = 128,
	    .output_offset = -3,
	    .activation_min = -128,
	    .activation_max = 127,
	};
	uint32_t state = 0xFA11BAC4u;
	const int32_t count = 4 * 3 * 5;

	fast_fill(&state, fast_input, 4 * 3 * 120);
	fast_fill(&state, fast_filter, 5 * 9 * 120);
	fast_quantization(&state, 5, 9 * 120, fast_bias, fast_multiplier, fast_shift,
			  &params.output_offset, &params.activation_min, &params.activation_max);
	memset(fast_got, 0x5A, sizeof fast_got);
	nn_conv2d_s8_portable(&params, fast_input, fast_filter, fast_bias, fast_multiplier,
			      fast_shift, fast_expected);
	nn_conv2d_s8_fast(&params, fast_input, fast_filter, fast_bias, fast_multiplier, fast_shift,
			  fast_got);
	fast_compare(fast_got, fast_expected, count, "deep conv", 0);
}

Test(nn_fast_s8, fully_connected_matches_portable)
{
	uint32_t state = 0xFC000005u;
	int32_t total = 0;
	int32_t inside = 0;

	for (int round = 0; round < 800; round++) {
		struct nn_fc_params params = {
		    /* Now and then past the 1024 inputs the fast path unpacks once. */
		    .input_count = round % 10 == 5   ? fast_between(&state, 1020, 1100)
				   : round % 10 == 0 ? fast_between(&state, 1, 700)
						     : fast_between(&state, 1, 40),
		    .output_count = fast_between(&state, 1, round % 10 ? 13 : 150),
		    .batches = fast_between(&state, 1, 3),
		};
		const int32_t *bias = round % 7 ? fast_bias : NULL;
		int32_t count;

		if (params.input_count * params.batches > FAST_MAX_IMAGE ||
		    params.input_count * params.output_count > FAST_MAX_FILTER)
			continue;
		params.input_offset = fast_input_offset(&state);
		fast_fill(&state, fast_input, params.input_count * params.batches);
		fast_fill(&state, fast_filter, params.input_count * params.output_count);
		fast_quantization(&state, params.output_count, params.input_count, fast_bias,
				  fast_multiplier, fast_shift, &params.output_offset,
				  &params.activation_min, &params.activation_max);
		count = params.output_count * params.batches;
		memset(fast_got, 0x5A, sizeof fast_got);
		nn_fully_connected_s8_portable(&params, fast_input, fast_filter, bias,
					       fast_multiplier, fast_shift, fast_expected);
		nn_fully_connected_s8_fast(&params, fast_input, fast_filter, bias, fast_multiplier,
					   fast_shift, fast_got);
		fast_compare(fast_got, fast_expected, count, "fully connected", round);
		memset(fast_got, 0x5A, sizeof fast_got);
		nn_fully_connected_s8_narrow(&params, fast_input, fast_filter, bias,
					     fast_multiplier, fast_shift, fast_got);
		fast_compare(fast_got, fast_expected, count, "narrow fully connected", round);
		total += count;
		inside += fast_unclamped(count);
	}
	cr_expect_gt(inside * 2, total, "%d of %d outputs inside the clamps", inside, total);
}
