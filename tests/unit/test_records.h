/*
 * Result records written from a few fields for the compare and JUnit
 * tests: a test states the figures that matter to it and the rest stay
 * plausible, and the records go through report_table_add_text like files.
 */
#ifndef HB_TEST_RECORDS_H
#define HB_TEST_RECORDS_H

#include "report/compare.h"
#include "report/report_table.h"

struct test_record {
	const char *board, *model, *status, *error_kind; /* model: JSON-escaped */
	const char *source;				 /* of the count */
	const char *unit;
	double median, min, max, resolution;
	double peak_ram;  /* < 0: absent */
	double accuracy;  /* < 0: a model record, else a suite record */
	unsigned samples; /* behind the accuracy; 0: 2000 */
};

/* An ok emulated run: 1000000 instructions, one tick 40, peak RAM 20000 B. */
struct test_record test_record_default(void);

/* Adds the record's row(s); fails the test if the table refuses it. */
void test_record_add(struct report_table *table, const struct test_record *record);

struct test_pair {
	struct report_table baseline, fresh;
	struct compare_thresholds thresholds;
	struct compare_result result;
};

/* The defaults with `thresholds` (a --max-regression list, or NULL) on top. */
void test_pair_init(struct test_pair *pair, const char *thresholds);
void test_pair_compare(struct test_pair *pair);
void test_pair_release(struct test_pair *pair);

#endif
