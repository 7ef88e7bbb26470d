/* Accuracy metrics against values worked out by hand (in the comments) and
 * against brute-force references on seeded random data. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "run/metrics.h"

/* xorshift64*: a fixed seed gives the same data on every libc. */
static uint64_t metrics_test_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 2685821657736338717ull;
}

/* Uniform in [-1, 1). */
static float metrics_test_random_float(uint64_t *state)
{
	return (float)((double)(metrics_test_random(state) >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

static void metrics_test_quiet_sink(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

/* ---- metric_argmax ---- */

Test(metrics_argmax, first_index_wins_on_ties)
{
	const float tie_in_middle[] = {1.0f, 3.0f, 3.0f, 2.0f}; /* 3 at 1 and 2 -> 1 */
	const float all_equal[] = {5.0f, 5.0f, 5.0f};		/* -> 0 */
	const float negative[] = {-3.0f, -1.0f, -1.0f, -2.0f};	/* -1 at 1 and 2 -> 1 */
	const float last[] = {0.0f, 0.5f, 0.25f, 0.75f};	/* -> 3 */

	cr_assert_eq(metric_argmax(tie_in_middle, 4), 1);
	cr_assert_eq(metric_argmax(all_equal, 3), 0);
	cr_assert_eq(metric_argmax(negative, 4), 1);
	cr_assert_eq(metric_argmax(last, 4), 3);
}

Test(metrics_argmax, single_and_empty)
{
	const float one[] = {-7.0f};

	cr_assert_eq(metric_argmax(one, 1), 0);
	cr_assert_eq(metric_argmax(NULL, 0), 0);
}

Test(metrics_argmax, nan_never_beats_a_number)
{
	const float nan_first[] = {NAN, 1.0f, 2.0f};		 /* -> 2 */
	const float nan_inside[] = {1.0f, NAN, 0.5f};		 /* -> 0 */
	const float all_nan[] = {NAN, NAN};			 /* -> 0 */
	const float infinite[] = {-INFINITY, -INFINITY, -1e30f}; /* -> 2 */

	cr_assert_eq(metric_argmax(nan_first, 3), 2);
	cr_assert_eq(metric_argmax(nan_inside, 3), 0);
	cr_assert_eq(metric_argmax(all_nan, 2), 0);
	cr_assert_eq(metric_argmax(infinite, 3), 2);
}

/* ---- metric_top1 ---- */

Test(metrics_top1, empty_is_zero)
{
	cr_assert_eq(metric_top1(NULL, NULL, 0), 0.0);
}

Test(metrics_top1, none_all_and_partial)
{
	const uint32_t labels[] = {0, 1, 1, 1};
	const uint32_t all_wrong[] = {1, 0, 0, 2};
	const uint32_t all_right[] = {0, 1, 1, 1};
	const uint32_t half[] = {0, 1, 2, 3};  /* samples 0 and 1 right: 2/4 */
	const uint32_t three[] = {0, 1, 1, 0}; /* 3/4 */

	cr_assert_eq(metric_top1(all_wrong, labels, 4), 0.0);
	cr_assert_eq(metric_top1(all_right, labels, 4), 1.0);
	cr_assert_eq(metric_top1(half, labels, 4), 0.5);
	cr_assert_eq(metric_top1(three, labels, 4), 0.75);
	/* first 3 of `half` {0,1,2} vs labels {0,1,1}: 2 right -> 2/3 */
	cr_assert_float_eq(metric_top1(half, labels, 3), 2.0 / 3.0, 1e-15);
}

/* ---- metric_confusion ---- */

Test(metrics_confusion, out_of_range_samples_are_counted_and_skipped)
{
	/* classes 3; sample 3 predicts 3 (out of range), sample 4 has label 5
	 * (out of range): 2 ignored. The other four land in
	 * [0][0], [1][1], [1][2], [2][0]. */
	const uint32_t predicted[] = {0, 1, 2, 3, 1, 0};
	const uint32_t labels[] = {0, 1, 1, 0, 5, 2};
	uint32_t confusion[9] = {0};
	const uint32_t expected[9] = {
	    1, 0, 0, /* label 0 */
	    0, 1, 1, /* label 1 */
	    1, 0, 0, /* label 2 */
	};

	cr_assert_eq(metric_confusion(predicted, labels, 6, 3, confusion), 2);
	cr_assert_arr_eq(confusion, expected, sizeof expected);
}

Test(metrics_confusion, adds_to_existing_counts)
{
	const uint32_t predicted[] = {1, 1, 0};
	const uint32_t labels[] = {1, 1, 0};
	uint32_t confusion[4] = {10, 20, 30, 40};
	/* [1][1] += 2, [0][0] += 1 */
	const uint32_t expected[4] = {11, 20, 30, 42};

	cr_assert_eq(metric_confusion(predicted, labels, 3, 2, confusion), 0);
	cr_assert_arr_eq(confusion, expected, sizeof expected);
}

Test(metrics_confusion, zero_classes_ignores_everything)
{
	const uint32_t predicted[] = {0, 0};
	const uint32_t labels[] = {0, 0};
	uint32_t untouched = 0xdeadbeef;

	cr_assert_eq(metric_confusion(predicted, labels, 2, 0, &untouched), 2);
	cr_assert_eq(untouched, 0xdeadbeef);
}

/* ---- metric_auc ---- */

Test(metrics_auc, perfect_reversed_and_all_tied)
{
	const double scores[] = {0.1, 0.2, 0.8, 0.9};
	const uint8_t separated[] = {0, 0, 1, 1}; /* every positive above: 1 */
	const uint8_t reversed[] = {1, 1, 0, 0};  /* every positive below: 0 */
	const double tied[] = {0.5, 0.5, 0.5, 0.5};
	const uint8_t mixed[] = {0, 7, 0, 1}; /* 4 tied pairs of 1/2: 2/4 */

	cr_assert_eq(metric_auc(scores, separated, 4), 1.0);
	cr_assert_eq(metric_auc(scores, reversed, 4), 0.0);
	cr_assert_eq(metric_auc(tied, mixed, 4), 0.5);
}

Test(metrics_auc, mixed_case_with_ties_by_hand)
{
	/* negatives 0.1, 0.4; positives 0.35, 0.8, 0.4.
	 * Pairs (pos, neg): 0.35>0.1 1, 0.35<0.4 0, 0.8 beats both 2,
	 * 0.4>0.1 1, 0.4=0.4 1/2 -> U = 4.5 of 3*2 = 6 pairs -> 0.75.
	 * Ranks: 0.1:1 0.35:2 0.4,0.4:3.5 0.8:5; positives 2+3.5+5 = 10.5,
	 * minus 3*4/2 = 6 gives the same U = 4.5. */
	const double scores[] = {0.1, 0.4, 0.35, 0.8, 0.4};
	const uint8_t labels[] = {0, 0, 1, 1, 1};

	cr_assert_eq(metric_auc(scores, labels, 5), 0.75);
}

Test(metrics_auc, infinite_scores_order_normally)
{
	/* positives -inf, +inf; negatives 0, +inf.
	 * -inf: beats nothing 0; +inf: beats 0 (1), ties +inf (1/2) -> 1.5/4 */
	const double scores[] = {-INFINITY, INFINITY, 0.0, INFINITY};
	const uint8_t labels[] = {1, 1, 0, 0};

	cr_assert_eq(metric_auc(scores, labels, 4), 0.375);
}

Test(metrics_auc, one_class_absent_is_minus_one)
{
	const double scores[] = {0.1, 0.2, 0.3};
	const uint8_t negatives[] = {0, 0, 0};
	const uint8_t positives[] = {1, 2, 255};

	cr_assert_eq(metric_auc(scores, negatives, 3), -1.0);
	cr_assert_eq(metric_auc(scores, positives, 3), -1.0);
	cr_assert_eq(metric_auc(NULL, NULL, 0), -1.0);
}

Test(metrics_auc, nan_score_is_reported)
{
	const double scores[] = {0.1, 0.2, NAN, 0.3};
	const uint8_t labels[] = {0, 1, 0, 1};

	hb_log_set_sink(metrics_test_quiet_sink, NULL);
	cr_assert_eq(metric_auc(scores, labels, 4), -1.0);
	hb_log_set_sink(NULL, NULL);
	cr_assert_not_null(strstr(hb_last_error(), "score 2"), "last error: %s", hb_last_error());
}

/* Twice U counted over every (positive, negative) pair: O(n^2). */
static double metrics_test_auc_by_pairs(const double *scores, const uint8_t *labels, size_t n)
{
	uint64_t twice_u = 0, positives = 0, negatives = 0;

	for (size_t i = 0; i < n; i++) {
		if (labels[i])
			positives++;
		else
			negatives++;
		if (!labels[i])
			continue;
		for (size_t j = 0; j < n; j++) {
			if (labels[j])
				continue;
			twice_u += scores[i] > scores[j] ? 2 : scores[i] == scores[j] ? 1 : 0;
		}
	}
	return (double)twice_u / (2.0 * (double)positives * (double)negatives);
}

Test(metrics_auc, matches_pair_count_on_random_data_with_ties)
{
	enum { count = 1000 };
	static double scores[count];
	static uint8_t labels[count];
	uint64_t state = 0x9e3779b97f4a7c15ull;

	for (int trial = 0; trial < 20; trial++) {
		/* 16 distinct scores over 1000 samples: about 60 per value.
		 * Positives lean higher so the AUC is not just 0.5. */
		for (size_t i = 0; i < count; i++) {
			labels[i] = (uint8_t)(metrics_test_random(&state) % 3 == 0);
			scores[i] = (double)(metrics_test_random(&state) % 16) / 4.0 +
				    (labels[i] ? (double)trial / 20.0 : 0.0);
		}
		double expected = metrics_test_auc_by_pairs(scores, labels, count);
		double got = metric_auc(scores, labels, count);

		cr_assert_float_eq(got, expected, 1e-12, "trial %d: got %.17g, expected %.17g",
				   trial, got, expected);
	}
}

/* ---- metric_mse ---- */

Test(metrics_mse, small_by_hand)
{
	/* differences 0, 2, -3: (0 + 4 + 9) / 3 = 13/3 */
	const float a[] = {1.0f, 2.0f, 3.0f};
	const float b[] = {1.0f, 0.0f, 6.0f};

	cr_assert_float_eq(metric_mse(a, b, 3), 13.0 / 3.0, 1e-15);
	cr_assert_eq(metric_mse(a, a, 3), 0.0);
	cr_assert_eq(metric_mse(NULL, NULL, 0), 0.0);
}

Test(metrics_mse, small_terms_after_a_large_one_are_kept)
{
	/* One error of 1e4 (square 1e8) then a million errors of 1e-4f
	 * (square ~1e-8, under half an ulp of 1e8 each, which plain summation
	 * rounds away: it would be off by ~1e-2 in the sum). */
	enum { count = 1000001 };
	float *a = calloc(count, sizeof *a);
	float *b = calloc(count, sizeof *b);
	double small = (double)1e-4f;

	cr_assert_not_null(a);
	cr_assert_not_null(b);
	a[0] = 1e4f;
	for (size_t i = 1; i < count; i++)
		a[i] = 1e-4f;
	double expected = (1e8 + 1e6 * (small * small)) / count;
	double got = metric_mse(a, b, count);

	cr_assert(fabs(got - expected) <= 1e-14 * expected, "got %.17g, expected %.17g", got,
		  expected);
	free(a);
	free(b);
}

/* ---- metric_compare ---- */

Test(metrics_compare, identical_arrays)
{
	const float values[] = {1.0f, 2.0f, 3.0f, -1.0f, 0.0f, 4.0f};
	struct metric_agreement result;

	metric_compare(values, values, 2, 3, &result);
	cr_assert_eq(result.top1_agreement, 1.0);
	cr_assert_eq(result.rmse, 0.0);
	cr_assert_eq(result.mae, 0.0);
	cr_assert_eq(result.max_abs_error, 0.0);
	cr_assert_eq(result.cosine, 1.0);
	cr_assert_eq(result.l2_relative, 0.0);
}

Test(metrics_compare, cosine_of_identical_vectors_is_exactly_one)
{
	/* |v|^2 = 2 and sqrt(2) * sqrt(2) = 2.0000000000000004, so this only
	 * holds when the norm is taken as sqrt(|a|^2 |b|^2). */
	const float values[] = {1.0f, 1.0f};
	const float flipped[] = {-1.0f, -1.0f};
	struct metric_agreement result;

	metric_compare(values, values, 1, 2, &result);
	cr_assert_eq(result.cosine, 1.0, "cosine %.17g", result.cosine);
	metric_compare(values, flipped, 1, 2, &result);
	cr_assert_eq(result.cosine, -1.0, "cosine %.17g", result.cosine);
}

Test(metrics_compare, sign_flip)
{
	/* test = -ref, so error = -2 ref.
	 * argmax ref {1,2,3} -> 2, test {-1,-2,-3} -> 0; ref {-1,0,4} -> 2,
	 * test {1,0,-4} -> 0: agreement 0.
	 * sum ref^2 = 1+4+9+1+0+16 = 31; sum e^2 = 4*31 = 124; rmse = sqrt(124/6)
	 * sum |ref| = 11; mae = 22/6; max |e| = 8; cosine -1 per sample;
	 * l2_relative = sqrt(124)/sqrt(31) = 2. */
	const float reference[] = {1.0f, 2.0f, 3.0f, -1.0f, 0.0f, 4.0f};
	const float test[] = {-1.0f, -2.0f, -3.0f, 1.0f, -0.0f, -4.0f};
	struct metric_agreement result;

	metric_compare(reference, test, 2, 3, &result);
	cr_assert_eq(result.top1_agreement, 0.0);
	cr_assert_float_eq(result.rmse, sqrt(124.0 / 6.0), 1e-14);
	cr_assert_float_eq(result.mae, 22.0 / 6.0, 1e-14);
	cr_assert_eq(result.max_abs_error, 8.0);
	cr_assert_eq(result.cosine, -1.0);
	cr_assert_float_eq(result.l2_relative, 2.0, 1e-15);
}

Test(metrics_compare, partial_agreement_by_hand)
{
	/* sample 0: ref {1,0} argmax 0, test {0,1} argmax 1, cosine 0
	 * sample 1: ref {3,4} argmax 1, test {3,5} argmax 1,
	 *           cosine (9+20)/(5*sqrt(34)) = 29/(5 sqrt 34) ~ 0.99469
	 * agreement 1/2; errors -1, 1, 0, 1: sum e^2 = 3, rmse = sqrt(3/4),
	 * mae 3/4, max 1; cosine mean 29/(10 sqrt 34) ~ 0.49735;
	 * sum ref^2 = 1+9+16 = 26 -> l2_relative sqrt(3/26) ~ 0.33968. */
	const float reference[] = {1.0f, 0.0f, 3.0f, 4.0f};
	const float test[] = {0.0f, 1.0f, 3.0f, 5.0f};
	struct metric_agreement result;

	metric_compare(reference, test, 2, 2, &result);
	cr_assert_eq(result.top1_agreement, 0.5);
	cr_assert_float_eq(result.rmse, sqrt(0.75), 1e-15);
	cr_assert_float_eq(result.mae, 0.75, 1e-15);
	cr_assert_eq(result.max_abs_error, 1.0);
	cr_assert_float_eq(result.cosine, 29.0 / (10.0 * sqrt(34.0)), 1e-15);
	cr_assert_float_eq(result.cosine, 0.49734, 1e-5);
	cr_assert_float_eq(result.l2_relative, sqrt(3.0 / 26.0), 1e-15);
}

Test(metrics_compare, zero_vectors)
{
	/* sample 0: both zero -> cosine 1; sample 1: ref zero, test {1,0} -> 0.
	 * mean cosine 1/2. Reference all zero and test not -> l2_relative inf.
	 * errors 0,0,1,0: rmse sqrt(1/4) = 1/2, mae 1/4, max 1.
	 * argmax: {0,0} 0 vs {0,0} 0 agree, {0,0} 0 vs {1,0} 0 agree. */
	const float reference[] = {0.0f, 0.0f, 0.0f, 0.0f};
	const float test[] = {0.0f, 0.0f, 1.0f, 0.0f};
	struct metric_agreement result;

	metric_compare(reference, test, 2, 2, &result);
	cr_assert_eq(result.cosine, 0.5);
	cr_assert(isinf(result.l2_relative) && result.l2_relative > 0);
	cr_assert_eq(result.rmse, 0.5);
	cr_assert_eq(result.mae, 0.25);
	cr_assert_eq(result.max_abs_error, 1.0);
	cr_assert_eq(result.top1_agreement, 1.0);

	/* Both all zero: l2_relative 0, cosine 1. */
	metric_compare(reference, reference, 2, 2, &result);
	cr_assert_eq(result.l2_relative, 0.0);
	cr_assert_eq(result.cosine, 1.0);
}

Test(metrics_compare, no_samples_and_no_outputs)
{
	struct metric_agreement result;

	memset(&result, 0xa5, sizeof result);
	metric_compare(NULL, NULL, 0, 10, &result);
	cr_assert_eq(result.top1_agreement, 0.0);
	cr_assert_eq(result.rmse, 0.0);
	cr_assert_eq(result.cosine, 0.0);
	cr_assert_eq(result.l2_relative, 0.0);

	memset(&result, 0xa5, sizeof result);
	metric_compare(NULL, NULL, 3, 0, &result);
	cr_assert_eq(result.top1_agreement, 1.0);
	cr_assert_eq(result.cosine, 1.0);
	cr_assert_eq(result.rmse, 0.0);
	cr_assert_eq(result.mae, 0.0);
	cr_assert_eq(result.max_abs_error, 0.0);
	cr_assert_eq(result.l2_relative, 0.0);
}

Test(metrics_compare, nan_error_is_not_hidden)
{
	const float reference[] = {1.0f, 2.0f, 3.0f};
	const float test[] = {1.0f, NAN, 3.0f};
	struct metric_agreement result;

	metric_compare(reference, test, 1, 3, &result);
	cr_assert(isnan(result.max_abs_error));
	cr_assert(isnan(result.rmse));
	cr_assert(isnan(result.cosine));
}

/* The definitions written out as plainly as possible. */
static void metrics_test_compare_reference(const float *reference, const float *test,
					   size_t samples, size_t outputs,
					   struct metric_agreement *out)
{
	double squared = 0, absolute = 0, maximum = 0, reference_squared = 0, cosine = 0;
	size_t agreeing = 0;

	for (size_t s = 0; s < samples; s++) {
		double dot = 0, rr = 0, tt = 0;
		size_t best_r = 0, best_t = 0;

		for (size_t i = 0; i < outputs; i++) {
			double r = reference[s * outputs + i], t = test[s * outputs + i];

			if (r > reference[s * outputs + best_r])
				best_r = i;
			if (t > test[s * outputs + best_t])
				best_t = i;
			squared += (t - r) * (t - r);
			absolute += fabs(t - r);
			if (fabs(t - r) > maximum)
				maximum = fabs(t - r);
			reference_squared += r * r;
			dot += r * t;
			rr += r * r;
			tt += t * t;
		}
		agreeing += best_r == best_t;
		cosine += dot / (sqrt(rr) * sqrt(tt));
	}
	out->top1_agreement = (double)agreeing / samples;
	out->rmse = sqrt(squared / (samples * outputs));
	out->mae = absolute / (samples * outputs);
	out->max_abs_error = maximum;
	out->cosine = cosine / samples;
	out->l2_relative = sqrt(squared) / sqrt(reference_squared);
}

Test(metrics_compare, random_case_matches_plain_reference)
{
	enum { samples = 300, outputs = 10 };
	static float reference[samples * outputs], test[samples * outputs];
	uint64_t state = 12345;
	struct metric_agreement got, expected;

	/* test = reference plus noise around 5%, quantised to a step like
	 * int8 output would be, so some argmaxes flip and some do not. */
	for (size_t i = 0; i < samples * outputs; i++) {
		reference[i] = metrics_test_random_float(&state) * 4.0f;
		test[i] =
		    roundf((reference[i] + 0.2f * metrics_test_random_float(&state)) * 32.0f) /
		    32.0f;
	}
	metric_compare(reference, test, samples, outputs, &got);
	metrics_test_compare_reference(reference, test, samples, outputs, &expected);

	cr_assert_eq(got.top1_agreement, expected.top1_agreement);
	cr_assert(got.top1_agreement > 0.5 && got.top1_agreement < 1.0, "agreement %g",
		  got.top1_agreement);
	cr_assert_float_eq(got.rmse, expected.rmse, 1e-12 * expected.rmse);
	cr_assert_float_eq(got.mae, expected.mae, 1e-12 * expected.mae);
	cr_assert_eq(got.max_abs_error, expected.max_abs_error);
	cr_assert_float_eq(got.cosine, expected.cosine, 1e-12);
	cr_assert_float_eq(got.l2_relative, expected.l2_relative, 1e-12 * expected.l2_relative);
	cr_assert(got.cosine > 0.9 && got.cosine < 1.0, "cosine %g", got.cosine);
}
