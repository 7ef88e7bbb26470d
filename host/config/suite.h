/*
 * A suite: suites/<name>/suite.json, parsed with cJSON into a typed struct
 * (the raw JSON is not looked at again). It names the model variants, where
 * the test vectors and labels come from, how raw samples become model
 * inputs, the metric, and which samples run in which order. Relative paths
 * are relative to the suite's folder. docs/suites.md describes the format.
 */
#ifndef HB_SUITE_H
#define HB_SUITE_H

#include <stdbool.h>
#include <stdint.h>

#include "config/vectors.h"

#define SUITE_MAX_MODELS  4
#define SUITE_MAX_CLASSES 64

enum suite_metric {
	SUITE_METRIC_TOP1, /* classification: argmax vs label */
	SUITE_METRIC_AUC,  /* anomaly detection: the score is the output's MSE against the input;
			      label 1 = anomalous */
	SUITE_METRIC_MSE,  /* regression: mean squared error of output vs a target vector */
};

struct suite_model {
	char variant[32]; /* "float32", "int8", ... */
	char path[1024];  /* resolved */
};

struct suite_source {
	enum vector_format format;
	char path[1024];	     /* resolved; may be an absolute system path (/usr/share/...) */
	enum vector_dtype raw_dtype; /* raw only */
	int32_t raw_shape[VECTOR_MAX_RANK]; /* raw only, sample shape */
	int32_t raw_rank;
};

struct suite {
	char path[1024]; /* the suite.json */
	char name[64];
	char description[256];
	struct suite_model models[SUITE_MAX_MODELS];
	uint32_t model_count;
	struct suite_source inputs;
	struct suite_source labels;
	/* Inputs to calibrate int8 quantisation on, kept apart from the
	 * evaluation inputs so a quantised model is never scored on its own
	 * calibration data. */
	bool has_calibration;
	struct suite_source calibration;
	enum suite_metric metric;
	/* Raw sample value v becomes the model's real-valued input v * scale + offset;
	 * an int8 model then quantises it with its input tensor's scale and zero point. */
	float input_scale;
	float input_offset;
	uint32_t samples; /* how many to run by default (0 = all) */
	uint32_t seed;	  /* order: 0 = file order, else a seeded shuffle */
	uint32_t class_count;
	char class_names[SUITE_MAX_CLASSES][32];
};

/* `path` is a suite.json or the folder holding one. Errors name the file,
 * the field and what was expected; unknown fields are refused. */
int suite_load(const char *path, struct suite *out);

/* Parses text; `path` is used for messages and to resolve relative paths. */
int suite_parse(const char *text, size_t length, const char *path, struct suite *out);

const char *suite_metric_name(enum suite_metric metric);

/* The inputs int8 quantisation calibrates on: the suite's calibration
 * source, or with on_eval its evaluation inputs. Without on_eval a suite
 * that has no calibration source is refused (naming the file and the
 * field), because a model calibrated on the inputs it is scored on looks
 * better than it is; that choice is the caller's to make explicitly. */
int suite_calibration_source(const struct suite *suite, bool on_eval,
			     const struct suite_source **out);

#endif
