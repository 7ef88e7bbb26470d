/*
 * Accuracy metrics and the float-versus-quantised comparison.
 *
 * Exact definitions (the documentation quotes these):
 *
 * metric_argmax   index of the largest value, the first one on ties; a NaN
 *                 never wins over a number (all NaN gives 0); count 0 gives 0.
 * metric_top1     (number of i with predicted[i] == labels[i]) / n; 0 when n is 0.
 * metric_confusion
 *                 confusion[label * classes + predicted] += 1 when both are
 *                 < classes, otherwise the sample is skipped and counted in
 *                 the return value. The matrix is added to, not cleared.
 * metric_auc      AUC = U / (n_pos * n_neg), where U is the Mann-Whitney
 *                 statistic: U = (sum of the ranks of the positives, ties
 *                 given their average rank) - n_pos (n_pos + 1) / 2. This
 *                 equals the number of (positive, negative) pairs with the
 *                 positive scored higher plus one half per tied pair, which
 *                 is how it is counted here (in integers, so U is exact).
 *                 -1 when n_pos or n_neg is 0, when a score is NaN (reported)
 *                 or when memory runs out (reported). O(n log n).
 * metric_mse      sum over i of (a[i] - b[i])^2, divided by n; 0 when n is 0.
 * metric_compare  over the N = samples * outputs values, with e = test - ref:
 *                   top1_agreement  fraction of samples whose metric_argmax
 *                                   is the same in ref and test
 *                   rmse            sqrt(sum e^2 / N)
 *                   mae             sum |e| / N
 *                   max_abs_error   max |e| (NaN if any e is NaN)
 *                   cosine          mean over samples of
 *                                   dot(ref, test) / (|ref| |test|), clamped
 *                                   to [-1, 1] against rounding; 1 when both
 *                                   vectors are zero, 0 when exactly one is
 *                   l2_relative     sqrt(sum e^2) / sqrt(sum ref^2); when ref
 *                                   is all zero: 0 if test is too, else
 *                                   INFINITY
 *                 With no samples every field is 0. With samples but no
 *                 outputs, each sample compares two empty (zero) vectors:
 *                 agreement 1, cosine 1, the rest 0.
 *
 * Every sum is taken in double with Neumaier's compensated summation, so a
 * million small squared errors after one large one are not rounded away.
 * NaN inputs propagate to the results that depend on them.
 */
#include "run/metrics.h"

#include "util/error.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* Neumaier's variant of Kahan summation: also correct when a term is larger
 * than the running sum. */
struct compensated_sum {
	double sum;
	double compensation;
};

static void compensated_add(struct compensated_sum *accumulator, double term)
{
	double total = accumulator->sum + term;

	if (fabs(accumulator->sum) >= fabs(term))
		accumulator->compensation += (accumulator->sum - total) + term;
	else
		accumulator->compensation += (term - total) + accumulator->sum;
	accumulator->sum = total;
}

static double compensated_total(const struct compensated_sum *accumulator)
{
	/* Once the sum is infinite the compensation is NaN (inf - inf) and
	 * would turn an honest overflow into NaN. */
	if (!isfinite(accumulator->sum))
		return accumulator->sum;
	return accumulator->sum + accumulator->compensation;
}

uint32_t metric_argmax(const float *values, size_t count)
{
	size_t best = 0;

	for (size_t i = 1; i < count; i++) {
		if (values[i] > values[best] || (isnan(values[best]) && !isnan(values[i])))
			best = i;
	}
	return (uint32_t)best;
}

double metric_top1(const uint32_t *predicted, const uint32_t *labels, size_t n)
{
	size_t correct = 0;

	if (n == 0)
		return 0.0;
	for (size_t i = 0; i < n; i++)
		correct += predicted[i] == labels[i];
	return (double)correct / (double)n;
}

size_t metric_confusion(const uint32_t *predicted, const uint32_t *labels, size_t n,
			uint32_t classes, uint32_t *confusion)
{
	size_t ignored = 0;

	for (size_t i = 0; i < n; i++) {
		if (labels[i] >= classes || predicted[i] >= classes) {
			ignored++;
			continue;
		}
		confusion[(size_t)labels[i] * classes + predicted[i]] += 1;
	}
	return ignored;
}

struct scored_label {
	double score;
	int positive;
};

static int compare_scored_label(const void *a, const void *b)
{
	double x = ((const struct scored_label *)a)->score;
	double y = ((const struct scored_label *)b)->score;

	return (x > y) - (x < y);
}

double metric_auc(const double *scores, const uint8_t *labels, size_t n)
{
	uint64_t positives = 0, negatives = 0;
	uint64_t negatives_below = 0, twice_u = 0;
	struct scored_label *items;

	for (size_t i = 0; i < n; i++) {
		if (isnan(scores[i])) {
			hb_error(HB_ERR_INPUT, "auc: score %zu: expected a number, got NaN", i);
			return -1.0;
		}
		if (labels[i])
			positives++;
		else
			negatives++;
	}
	if (positives == 0 || negatives == 0)
		return -1.0;

	if (n > SIZE_MAX / sizeof *items) {
		hb_error(HB_ERR_NOMEM, "auc: %zu scores: too many to sort", n);
		return -1.0;
	}
	items = malloc(n * sizeof *items);
	if (!items) {
		hb_error(HB_ERR_NOMEM, "auc: sorting %zu scores: out of memory", n);
		return -1.0;
	}
	for (size_t i = 0; i < n; i++) {
		items[i].score = scores[i];
		items[i].positive = labels[i] != 0;
	}
	/* Order inside a run of equal scores does not matter: each run is
	 * counted as a whole, so qsort's instability is harmless. */
	qsort(items, n, sizeof *items, compare_scored_label);

	/* Each positive in a run beats every negative below the run and ties
	 * with the negatives inside it (worth one half, hence twice U). */
	for (size_t start = 0; start < n;) {
		uint64_t run_positives = 0, run_negatives = 0;
		size_t end = start;

		while (end < n && items[end].score == items[start].score) {
			if (items[end].positive)
				run_positives++;
			else
				run_negatives++;
			end++;
		}
		twice_u += run_positives * (2 * negatives_below + run_negatives);
		negatives_below += run_negatives;
		start = end;
	}
	free(items);
	return (double)twice_u / (2.0 * (double)positives * (double)negatives);
}

double metric_mse(const float *a, const float *b, size_t n)
{
	struct compensated_sum squares = {0.0, 0.0};

	if (n == 0)
		return 0.0;
	for (size_t i = 0; i < n; i++) {
		double difference = (double)a[i] - (double)b[i];

		compensated_add(&squares, difference * difference);
	}
	return compensated_total(&squares) / (double)n;
}

/* Cosine similarity of one sample's two output vectors. */
static double sample_cosine(const float *reference, const float *test, size_t outputs)
{
	struct compensated_sum dot = {0.0, 0.0};
	struct compensated_sum reference_square = {0.0, 0.0};
	struct compensated_sum test_square = {0.0, 0.0};
	double dot_total, reference_norm2, test_norm2, cosine;

	for (size_t i = 0; i < outputs; i++) {
		double r = reference[i], t = test[i];

		compensated_add(&dot, r * t);
		compensated_add(&reference_square, r * r);
		compensated_add(&test_square, t * t);
	}
	dot_total = compensated_total(&dot);
	reference_norm2 = compensated_total(&reference_square);
	test_norm2 = compensated_total(&test_square);

	if (reference_norm2 == 0.0 && test_norm2 == 0.0)
		return 1.0;
	if (reference_norm2 == 0.0 || test_norm2 == 0.0)
		return 0.0;
	/* sqrt of the product (not product of sqrts) makes identical vectors
	 * give exactly 1: sqrt(x * x) == x in IEEE arithmetic. Squares of
	 * floats cannot overflow a double product here. */
	cosine = dot_total / sqrt(reference_norm2 * test_norm2);
	/* Plain comparisons so that NaN passes through unclamped. */
	if (cosine > 1.0)
		cosine = 1.0;
	else if (cosine < -1.0)
		cosine = -1.0;
	return cosine;
}

void metric_compare(const float *reference, const float *test, size_t samples, size_t outputs,
		    struct metric_agreement *out)
{
	struct compensated_sum squared_error = {0.0, 0.0};
	struct compensated_sum absolute_error = {0.0, 0.0};
	struct compensated_sum reference_square = {0.0, 0.0};
	struct compensated_sum cosines = {0.0, 0.0};
	double max_abs_error = 0.0, error_square_total, reference_square_total;
	size_t agreeing = 0, values;

	out->top1_agreement = 0.0;
	out->rmse = 0.0;
	out->mae = 0.0;
	out->max_abs_error = 0.0;
	out->cosine = 0.0;
	out->l2_relative = 0.0;
	if (samples == 0)
		return;
	if (outputs == 0) {
		out->top1_agreement = 1.0;
		out->cosine = 1.0;
		return;
	}

	for (size_t s = 0; s < samples; s++) {
		const float *r = reference + s * outputs;
		const float *t = test + s * outputs;

		agreeing += metric_argmax(r, outputs) == metric_argmax(t, outputs);
		compensated_add(&cosines, sample_cosine(r, t, outputs));
		for (size_t i = 0; i < outputs; i++) {
			double error = (double)t[i] - (double)r[i];
			double magnitude = fabs(error);

			compensated_add(&squared_error, error * error);
			compensated_add(&absolute_error, magnitude);
			compensated_add(&reference_square, (double)r[i] * (double)r[i]);
			/* Once NaN, stays NaN: a NaN error must not hide. */
			if (magnitude > max_abs_error || isnan(magnitude))
				max_abs_error = magnitude;
		}
	}

	values = samples * outputs;
	error_square_total = compensated_total(&squared_error);
	reference_square_total = compensated_total(&reference_square);
	out->top1_agreement = (double)agreeing / (double)samples;
	out->rmse = sqrt(error_square_total / (double)values);
	out->mae = compensated_total(&absolute_error) / (double)values;
	out->max_abs_error = max_abs_error;
	out->cosine = compensated_total(&cosines) / (double)samples;
	if (reference_square_total == 0.0 && !isnan(error_square_total))
		out->l2_relative = error_square_total == 0.0 ? 0.0 : INFINITY;
	else
		out->l2_relative = sqrt(error_square_total) / sqrt(reference_square_total);
}
