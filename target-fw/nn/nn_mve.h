/*
 * The MVE (Helium, Armv8.1-M: Cortex-M55) steps of the fast int8 kernels:
 * 16-byte dot products (VMLADAVA.S8) and the requantisation of four
 * accumulators at once (VQRDMULH, VRSHL), bit-exact with TFLite's
 * reference arithmetic. Only compiled where __ARM_FEATURE_MVE is defined;
 * the host cannot run them, so the firmware's output check against the
 * host's portable kernels (tests/e2e/test_kernels_m55.sh) is what tests
 * them. Header-only, private to the kernels.
 */
#ifndef NN_MVE_H
#define NN_MVE_H

#if defined(__ARM_FEATURE_MVE)

#include <arm_mve.h>
#include <stdint.h>

/* Bytes of one MVE vector of int8. */
#define NN_MVE_BYTES 16

/*
 * Four accumulators requantised as nn_requantize does, plus the output
 * offset, clamped: for accumulators in (-2^30, 2^30) and right shifts
 * (shift in [-31, -1]: nn_requantize_bounded_ok and
 * nn_requantize_right_ok), per-lane multipliers and shifts.
 * - VQRDMULH is sat((2 a b + 2^31) >> 32) = floor((a b + 2^30) / 2^31),
 *   which is TFLite's SaturatingRoundingDoublingHighMul for both signs
 *   (its nudge 1 - 2^30 below zero with truncation is the same floor),
 *   saturation included.
 * - VRSHL by -e rounds half up, (y + 2^(e-1)) >> e; TFLite's
 *   RoundingDivideByPOT rounds half away from zero, which is the same
 *   on y - 1 for y < 0 (y + (y >> 31)): |y| < 2^30, so nothing wraps.
 * The stores truncate to the low byte as the scalar (int8_t) cast does.
 */
static inline int32x4_t nn_mve_requantize(int32x4_t acc, int32x4_t multiplier, int32x4_t shift,
					  int32_t output_offset, int32x4_t min, int32x4_t max)
{
	int32x4_t high = vqrdmulhq_s32(acc, multiplier);

	high = vaddq_s32(high, vshrq_n_s32(high, 31));
	high = vaddq_n_s32(vrshlq_s32(high, shift), output_offset);
	return vminq_s32(vmaxq_s32(high, min), max);
}

/* nn_mve_requantize with one multiplier and shift for the four lanes
 * (four output pixels of one channel). */
static inline int32x4_t nn_mve_requantize_n(int32x4_t acc, int32_t multiplier, int32_t shift,
					    int32_t output_offset, int32x4_t min, int32x4_t max)
{
	int32x4_t high = vqrdmulhq_n_s32(acc, multiplier);

	high = vaddq_s32(high, vshrq_n_s32(high, 31));
	high = vaddq_n_s32(vrshlq_n_s32(high, shift), output_offset);
	return vminq_s32(vmaxq_s32(high, min), max);
}

/* Four scalars as the lanes of a vector, a0 in lane 0. */
static inline int32x4_t nn_mve_lanes(int32_t a0, int32_t a1, int32_t a2, int32_t a3)
{
	int32x4_t v = vdupq_n_s32(a0);

	v = vsetq_lane_s32(a1, v, 1);
	v = vsetq_lane_s32(a2, v, 2);
	return vsetq_lane_s32(a3, v, 3);
}

#endif

#endif
