/*
 * Accuracy metrics over a run's samples and the comparison of a quantised
 * variant against float on the same samples. Pure functions on arrays.
 */
#ifndef HB_METRICS_H
#define HB_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* Index of the largest value (the first on ties). */
uint32_t metric_argmax(const float *values, size_t count);

/* Fraction of predictions equal to labels (0 when n is 0). */
double metric_top1(const uint32_t *predicted, const uint32_t *labels, size_t n);

/* confusion[label * classes + predicted] += 1 for each sample; labels or
 * predictions >= classes are ignored (and counted in the return value). */
size_t metric_confusion(const uint32_t *predicted, const uint32_t *labels, size_t n,
			uint32_t classes, uint32_t *confusion);

/* Area under the ROC curve of scores (higher = more anomalous) against
 * labels (nonzero = anomalous), ties counted as one half (Mann-Whitney U).
 * Returns -1 when one class is absent. */
double metric_auc(const double *scores, const uint8_t *labels, size_t n);

/* Mean squared error between two arrays. */
double metric_mse(const float *a, const float *b, size_t n);

/* How far `test` (e.g. dequantised int8 outputs) is from `reference` (float
 * outputs) over samples x outputs values, and how often their argmax agrees. */
struct metric_agreement {
	double top1_agreement; /* fraction of samples with the same argmax */
	double rmse;
	double mae;
	double max_abs_error;
	double cosine;	    /* mean over samples of cosine similarity */
	double l2_relative; /* ||test - ref|| / ||ref|| over everything */
};

void metric_compare(const float *reference, const float *test, size_t samples, size_t outputs,
		    struct metric_agreement *out);

#endif
