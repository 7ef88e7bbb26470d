/*
 * The packed 16-bit steps of the fast int8 kernels: sign-extend two bytes
 * of a word into two 16-bit lanes (SXTB16), and multiply-accumulate two
 * lane pairs at once (SMLAD, SMLABB, SMLATT). On a core with the DSP
 * extension (__ARM_FEATURE_DSP: Cortex-M4, M7, M33) these are the ACLE
 * intrinsics; elsewhere plain C with the same lane semantics, so the fast
 * kernels' blocking, folding and lane order run and are tested on the host
 * exactly as they run on the board. Header-only, private to the kernels.
 *
 * NN_FAST_KERNELS selects the fast kernels behind the public nn_* entry
 * points: on by default on Arm cores that load a word from any address in
 * one instruction (__ARM_FEATURE_UNALIGNED: M3, M4, M7, M33, M55), off on
 * the others (M0, M23: there the byte loads and lane shuffles make the fast
 * path twice as slow as the portable one, measured on qemu-m0) and on the
 * host, whose portable kernels stay the reference the board is checked
 * against.
 */
#ifndef NN_SIMD_H
#define NN_SIMD_H

#include <stdint.h>
#include <string.h>

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#endif

#ifndef NN_FAST_KERNELS
#if defined(__ARM_FEATURE_UNALIGNED)
#define NN_FAST_KERNELS 1
#else
#define NN_FAST_KERNELS 0
#endif
#endif

/* For the fast kernels' small steps, which GCC stops inlining once a
 * kernel grows, at the cost of a call per output or per inner loop. */
#if defined(__GNUC__)
#define NN_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define NN_ALWAYS_INLINE inline
#endif

/* A loop of a constant trip count unrolled whole (GCC does not at -O2):
 * for the 3x3 filters' nine taps. */
#if defined(__GNUC__) && !defined(__clang__)
#define NN_UNROLL_9 _Pragma("GCC unroll 9")
#else
#define NN_UNROLL_9
#endif

/* Four int8 values from any address, byte 0 in bits 0..7 (both the host
 * and the boards are little-endian). memcpy compiles to one LDR on cores
 * that allow unaligned word loads. */
static inline uint32_t nn_read_s8x4(const int8_t *p)
{
	uint32_t word;
	memcpy(&word, p, sizeof word);
	return word;
}

#if defined(__ARM_FEATURE_DSP)

static inline uint32_t nn_sxtb16(uint32_t x)
{
	return __sxtb16(x);
}

/* SXTB16 with its own rotate operand: bytes 1 and 3 in one instruction.
 * Inline assembly because GCC 12's arm_acle.h has no __ror, and GCC does
 * not fold a written-out rotation into the SXTB16. */
static inline uint32_t nn_sxtb16_ror8(uint32_t x)
{
	uint32_t result;
	__asm__("sxtb16 %0, %1, ror #8" : "=r"(result) : "r"(x));
	return result;
}
static inline int32_t nn_smlad(uint32_t a, uint32_t b, int32_t acc)
{
	return __smlad(a, b, acc);
}

static inline uint32_t nn_sadd16(uint32_t a, uint32_t b)
{
	return __sadd16(a, b);
}

static inline int32_t nn_smlabb(uint32_t a, uint32_t b, int32_t acc)
{
	return __smlabb(a, b, acc);
}

static inline int32_t nn_smlatt(uint32_t a, uint32_t b, int32_t acc)
{
	return __smlatt(a, b, acc);
}

/* SMMULR: the high word of a * b, rounded ((a * b + 2^31) >> 32).
 * arm_acle.h has no intrinsic for it. */
static inline int32_t nn_smmulr(int32_t a, int32_t b)
{
	int32_t result;
	__asm__("smmulr %0, %1, %2" : "=r"(result) : "r"(a), "r"(b));
	return result;
}

/* x saturated to int8 (SSAT #8). */
static inline int32_t nn_ssat8(int32_t x)
{
	return __ssat(x, 8);
}

/* Byte-wise signed max and min of four int8 lanes: SSUB8 sets a GE flag
 * per byte where a - b >= 0, SEL then picks a's or b's byte. One block,
 * so that nothing can come between the flags and their reader. */
static inline uint32_t nn_max_s8x4(uint32_t a, uint32_t b)
{
	uint32_t result;
	__asm__("ssub8 %0, %1, %2\n\tsel %0, %1, %2" : "=&r"(result) : "r"(a), "r"(b) : "cc");
	return result;
}

static inline uint32_t nn_min_s8x4(uint32_t a, uint32_t b)
{
	uint32_t result;
	__asm__("ssub8 %0, %1, %2\n\tsel %0, %2, %1" : "=&r"(result) : "r"(a), "r"(b) : "cc");
	return result;
}

#else

static inline int32_t nn_lane_lo(uint32_t x)
{
	return (int16_t)(x & 0xffffu);
}

static inline int32_t nn_lane_hi(uint32_t x)
{
	return (int16_t)(x >> 16);
}

static inline uint32_t nn_sxtb16(uint32_t x)
{
	const uint32_t lo = (uint32_t)(int32_t)(int8_t)(x & 0xffu) & 0xffffu;
	const uint32_t hi = (uint32_t)(int32_t)(int8_t)((x >> 16) & 0xffu) & 0xffffu;
	return lo | hi << 16;
}

static inline uint32_t nn_sxtb16_ror8(uint32_t x)
{
	return nn_sxtb16(x >> 8 | x << 24);
}

/* Wraps modulo 2^32 like the instruction (which only sets the Q flag). */
static inline int32_t nn_smlad(uint32_t a, uint32_t b, int32_t acc)
{
	const uint32_t lo = (uint32_t)(nn_lane_lo(a) * nn_lane_lo(b));
	const uint32_t hi = (uint32_t)(nn_lane_hi(a) * nn_lane_hi(b));
	return (int32_t)((uint32_t)acc + lo + hi);
}

/* Lane-wise, each lane wrapping modulo 2^16. */
static inline uint32_t nn_sadd16(uint32_t a, uint32_t b)
{
	const uint32_t lo = (a + b) & 0xffffu;
	const uint32_t hi = ((a >> 16) + (b >> 16)) & 0xffffu;
	return lo | hi << 16;
}

static inline int32_t nn_smlabb(uint32_t a, uint32_t b, int32_t acc)
{
	return (int32_t)((uint32_t)acc + (uint32_t)(nn_lane_lo(a) * nn_lane_lo(b)));
}

static inline int32_t nn_smlatt(uint32_t a, uint32_t b, int32_t acc)
{
	return (int32_t)((uint32_t)acc + (uint32_t)(nn_lane_hi(a) * nn_lane_hi(b)));
}

/* The arithmetic shift is floor division, as the instruction's is. */
static inline int32_t nn_smmulr(int32_t a, int32_t b)
{
	const int64_t product = (int64_t)a * b + ((int64_t)1 << 31);
	return (int32_t)(product >> 32);
}

static inline int32_t nn_ssat8(int32_t x)
{
	return x < -128 ? -128 : x > 127 ? 127 : x;
}

static inline uint32_t nn_max_s8x4(uint32_t a, uint32_t b)
{
	uint32_t result = 0;
	for (int i = 0; i < 32; i += 8) {
		const int8_t x = (int8_t)(a >> i), y = (int8_t)(b >> i);
		result |= (uint32_t)(uint8_t)(x >= y ? x : y) << i;
	}
	return result;
}

static inline uint32_t nn_min_s8x4(uint32_t a, uint32_t b)
{
	uint32_t result = 0;
	for (int i = 0; i < 32; i += 8) {
		const int8_t x = (int8_t)(a >> i), y = (int8_t)(b >> i);
		result |= (uint32_t)(uint8_t)(x <= y ? x : y) << i;
	}
	return result;
}

#endif

/* acc + the dot product of four int8 pairs, x and w as read by nn_read_s8x4. */
static inline int32_t nn_dot4_s8(uint32_t x, uint32_t w, int32_t acc)
{
	acc = nn_smlad(nn_sxtb16(x), nn_sxtb16(w), acc);
	return nn_smlad(nn_sxtb16_ror8(x), nn_sxtb16_ror8(w), acc);
}

/* Both int16 lanes set to value (which must fit in 16 bits). */
static inline uint32_t nn_dup16(int32_t value)
{
	const uint32_t lane = (uint32_t)value & 0xffffu;
	return lane | lane << 16;
}

/* Four int8 values (each already in [-128, 127]) as one word, v0 in bits
 * 0..7: what one unaligned STR writes for four neighbouring outputs. On
 * Armv7-M three BFI (GCC spells the C form with twice as many steps). */
static inline uint32_t nn_pack_s8x4(int32_t v0, int32_t v1, int32_t v2, int32_t v3)
{
#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__)
	uint32_t word = (uint32_t)v0;
	__asm__("bfi %0, %1, #8, #8\n\tbfi %0, %2, #16, #8\n\tbfi %0, %3, #24, #8"
		: "+r"(word)
		: "r"(v1), "r"(v2), "r"(v3));
	return word;
#else
	return ((uint32_t)v0 & 0xffu) | ((uint32_t)v1 & 0xffu) << 8 | ((uint32_t)v2 & 0xffu) << 16 |
	       (uint32_t)v3 << 24;
#endif
}

/* A word with all four bytes value (an int8). */
static inline uint32_t nn_dup8(int32_t value)
{
	return ((uint32_t)value & 0xffu) * 0x01010101u;
}

/* Four packed outputs clamped to [min, max] byte by byte, the bounds
 * given as nn_dup8 words. */
static inline uint32_t nn_clamp_s8x4(uint32_t word, uint32_t min4, uint32_t max4)
{
	return nn_min_s8x4(nn_max_s8x4(word, min4), max4);
}

/* acc + sum((x[i] + offset) * w[i]) over depth inputs, for the narrow
 * conv's per-output loops (nn_conv2d_s8.c: the shapes its four-pixel form
 * does not take). On Armv6-M an asm loop, two inputs a turn at 6
 * instructions an input where GCC 12's C takes 8: LDRSB has only a register offset there, so the
 * loop counts one index up to 0 from -depth against end pointers, and the offset sits in a high
 * register. Tested by the firmware's output check against the host's portable kernels. */
static NN_ALWAYS_INLINE int32_t nn_dot_offset_s8(const int8_t *x, const int8_t *w, int32_t depth,
						 int32_t offset, int32_t acc)
{
#if defined(__ARM_ARCH_6M__) && defined(__GNUC__)
	if (depth & 1)
		acc += (x[depth - 1] + offset) * w[depth - 1];
	if (depth >= 2) {
		const int8_t *x_end = x + (depth & ~1), *w_end = w + (depth & ~1);
		const int8_t *x_end1 = x_end + 1, *w_end1 = w_end + 1;
		int32_t i = -(depth & ~1);
		int32_t a, b;
		/* GCC gives Armv6-M inline asm the divided syntax. */
		__asm__ volatile(".syntax unified\n"
				 "1:\n\t"
				 "ldrsb %[a], [%[xe], %[i]]\n\t"
				 "ldrsb %[b], [%[we], %[i]]\n\t"
				 "add %[a], %[off]\n\t"
				 "muls %[b], %[a]\n\t"
				 "adds %[acc], %[acc], %[b]\n\t"
				 "ldrsb %[a], [%[xe1], %[i]]\n\t"
				 "ldrsb %[b], [%[we1], %[i]]\n\t"
				 "add %[a], %[off]\n\t"
				 "muls %[b], %[a]\n\t"
				 "adds %[acc], %[acc], %[b]\n\t"
				 "adds %[i], #2\n\t"
				 "bne 1b\n\t"
				 ".syntax divided"
				 : [acc] "+l"(acc), [i] "+l"(i), [a] "=&l"(a), [b] "=&l"(b)
				 : [xe] "l"(x_end), [we] "l"(w_end), [xe1] "l"(x_end1),
				   [we1] "l"(w_end1), [off] "h"(offset)
				 : "cc", "memory");
	}
	return acc;
#else
	for (int32_t i = 0; i < depth; i++)
		acc += ((int32_t)x[i] + offset) * w[i];
	return acc;
#endif
}

/* The clamped int8 of one accumulator: requantised, offset and clamped. */
static inline int8_t nn_output_s8(int32_t value, int32_t min, int32_t max)
{
	if (value < min)
		value = min;
	if (value > max)
		value = max;
	return (int8_t)value;
}

#endif
