/* The CI gate: --max-regression parsing (every bad item named with what was
 * expected), deterministic and noisy counts against their thresholds,
 * missing and new rows, and failed runs told apart by their error kind. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/compare.h"
#include "test_records.h"
#include "util/error.h"

static char compare_log[8192];

static void compare_sink(enum hb_level level, const char *message, void *context)
{
	size_t used = strlen(compare_log);

	(void)context;
	if (level == HB_LEVEL_ERROR)
		snprintf(compare_log + used, sizeof compare_log - used, "%s\n", message);
}

static void compare_setup(void)
{
	compare_log[0] = '\0';
	hb_log_set_sink(compare_sink, NULL);
}

static void compare_teardown(void)
{
	hb_log_set_sink(NULL, NULL);
}

TestSuite(compare, .init = compare_setup, .fini = compare_teardown);

static const struct compare_metric *metric_of(const struct compare_row *row,
					      enum report_column_id column)
{
	for (size_t i = 0; i < row->metric_count; i++)
		if (row->metrics[i].column == column)
			return &row->metrics[i];
	return NULL;
}

/* The count outcome of one baseline record against one new record. */
static enum compare_outcome count_outcome(const char *thresholds, struct test_record old_rec,
					  struct test_record new_rec, int *verdict)
{
	struct test_pair pair;
	const struct compare_metric *metric;
	enum compare_outcome outcome;

	test_pair_init(&pair, thresholds);
	test_record_add(&pair.baseline, &old_rec);
	test_record_add(&pair.fresh, &new_rec);
	test_pair_compare(&pair);
	cr_assert_eq(pair.result.count, 1);
	metric = metric_of(&pair.result.rows[0], REPORT_COL_COUNT);
	cr_assert_not_null(metric);
	outcome = metric->outcome;
	if (verdict)
		*verdict = pair.result.verdict;
	test_pair_release(&pair);
	return outcome;
}

/* ---- thresholds ---- */

Test(compare, defaults_gate_sizes_count_and_accuracy_not_latency)
{
	struct compare_thresholds t;
	char text[256];

	compare_thresholds_default(&t);
	cr_assert(t.items[REPORT_COL_COUNT].gated && t.items[REPORT_COL_COUNT].relative);
	cr_assert(t.items[REPORT_COL_PEAK_RAM].gated && t.items[REPORT_COL_FLASH].gated);
	cr_assert(t.items[REPORT_COL_ACCURACY].gated && !t.items[REPORT_COL_ACCURACY].relative);
	cr_assert(!t.items[REPORT_COL_LATENCY].gated);
	compare_thresholds_default_text(text, sizeof text);
	cr_assert(strstr(text, "count=1%") && strstr(text, "accuracy=-0.5pts"), "%s", text);
}

Test(compare, parses_relative_and_absolute_thresholds)
{
	struct compare_thresholds t;

	compare_thresholds_default(&t);
	cr_assert_eq(compare_thresholds_parse("count=0%, peak_ram=512B,flash = 2KB,top1=-0.2pts,"
					      "latency=5ms,arena=off,deployment_ram=1.5KiB",
					      &t),
		     HB_OK, "%s", compare_log);
	cr_assert(t.items[REPORT_COL_COUNT].relative);
	cr_assert_float_eq(t.items[REPORT_COL_COUNT].amount, 0, 1e-12);
	cr_assert(!t.items[REPORT_COL_PEAK_RAM].relative);
	cr_assert_float_eq(t.items[REPORT_COL_PEAK_RAM].amount, 512, 1e-9);
	cr_assert_float_eq(t.items[REPORT_COL_FLASH].amount, 2048, 1e-9);
	cr_assert_float_eq(t.items[REPORT_COL_DEPLOYMENT_RAM].amount, 1536, 1e-9);
	cr_assert_float_eq(t.items[REPORT_COL_ACCURACY].amount, 0.002, 1e-12);
	cr_assert_str_eq(t.items[REPORT_COL_ACCURACY].text, "-0.2pts");
	cr_assert(t.items[REPORT_COL_LATENCY].gated);
	cr_assert_float_eq(t.items[REPORT_COL_LATENCY].amount, 5, 1e-9);
	cr_assert(!t.items[REPORT_COL_ARENA].gated);
	cr_assert(!t.items[REPORT_COL_COUNT].from_default);
	cr_assert(t.items[REPORT_COL_COUNT_PER_MAC].gated == false);
}

Test(compare, auc_and_top1_both_name_the_accuracy)
{
	struct compare_thresholds t;

	compare_thresholds_default(&t);
	cr_assert_eq(compare_thresholds_parse("auc=1pts", &t), HB_OK);
	cr_assert_float_eq(t.items[REPORT_COL_ACCURACY].amount, 0.01, 1e-12);
	/* A drop written without the '-' means the same. */
	cr_assert_eq(compare_thresholds_parse("accuracy=0.5pts", &t), HB_OK);
	cr_assert_float_eq(t.items[REPORT_COL_ACCURACY].amount, 0.005, 1e-12);
}

static void expect_bad(const char *text, const char *message)
{
	struct compare_thresholds t, before;

	compare_log[0] = '\0';
	compare_thresholds_default(&t);
	before = t;
	cr_assert_eq(compare_thresholds_parse(text, &t), HB_ERR_USAGE, "'%s' accepted", text);
	cr_assert(strstr(compare_log, message), "'%s': expected '%s' in: %s", text, message,
		  compare_log);
	cr_assert(strstr(compare_log, "--max-regression"), "%s", compare_log);
	/* A list with a bad item changes nothing. */
	cr_assert_eq(memcmp(&t, &before, sizeof t), 0, "'%s' changed the thresholds", text);
}

Test(compare, bad_thresholds_are_named_with_what_was_expected)
{
	expect_bad("count", "'count': expected METRIC=THRESHOLD");
	expect_bad("count=", "'count=': expected a number after '='");
	expect_bad("count=abc", "'count=abc': expected a number");
	expect_bad("count=nan", "expected a number");
	expect_bad("count=inf%", "expected a number");
	expect_bad("count=0x10", "unit 'x10' does not fit count");
	expect_bad("count=1e3%", "unit 'e3%' does not fit count");
	expect_bad("=1%", "unknown metric ''");
	expect_bad("ram=1%", "unknown metric 'ram' (expected one of count, latency");
	expect_bad("peak_ram=1pts", "unit 'pts' does not fit peak_ram (expected %, B, KB");
	expect_bad("top1=5KB", "unit 'KB' does not fit accuracy (expected % or pts)");
	expect_bad("latency=3KB", "(expected %, us, ms or s)");
	expect_bad("count=-1%", "expected a threshold of 0 or more");
	expect_bad("count=1%,count=2%", "'count=2%': count is given twice");
	expect_bad("top1=1pts,auc=1pts", "accuracy is given twice");
	expect_bad("count=1%,,flash=1%", "an empty item");
	expect_bad("count=1%,", "an empty item");
	expect_bad("flash=1%,peak_ram=--1B", "'peak_ram=--1B': expected a number");
	/* Cut to fit a buffer, this would read as count=1. */
	expect_bad("count=1                                                            x",
		   "too long (expected METRIC=THRESHOLD");
	expect_bad("count=1%,flash=1%                                                       "
		   "                                                      x",
		   "too long");
}

/* ---- emulated counts: deterministic up to one counter tick ---- */

Test(compare, emulated_count_change_within_one_tick_is_no_change)
{
	struct test_record old_rec = test_record_default(), new_rec = test_record_default();

	new_rec.median = new_rec.min = new_rec.max = 1000040;
	cr_assert_eq(count_outcome("count=0%", old_rec, new_rec, NULL), COMPARE_UNCHANGED);
	new_rec.median = new_rec.min = new_rec.max = 999960;
	cr_assert_eq(count_outcome("count=0%", old_rec, new_rec, NULL), COMPARE_UNCHANGED);
}

Test(compare, emulated_count_beyond_one_tick_fails_a_zero_threshold)
{
	struct test_record old_rec = test_record_default(), new_rec = test_record_default();
	int verdict;

	new_rec.median = new_rec.min = new_rec.max = 1000080;
	cr_assert_eq(count_outcome("count=0%", old_rec, new_rec, &verdict), COMPARE_REGRESSED);
	cr_assert_eq(verdict, HB_ERR_REGRESSION);
	new_rec.median = new_rec.min = new_rec.max = 999920;
	cr_assert_eq(count_outcome("count=0%", old_rec, new_rec, &verdict), COMPARE_IMPROVED);
	cr_assert_eq(verdict, HB_OK);
}

Test(compare, emulated_count_within_the_threshold_is_worse_not_failed)
{
	struct test_record old_rec = test_record_default(), new_rec = test_record_default();
	int verdict;

	/* 1% of 1000000 = 10000, plus one tick of 40. */
	new_rec.median = new_rec.min = new_rec.max = 1010040;
	cr_assert_eq(count_outcome("count=1%", old_rec, new_rec, &verdict), COMPARE_WORSE);
	cr_assert_eq(verdict, HB_OK);
	new_rec.median = new_rec.min = new_rec.max = 1010080;
	cr_assert_eq(count_outcome("count=1%", old_rec, new_rec, NULL), COMPARE_REGRESSED);
	new_rec.median = new_rec.min = new_rec.max = 1004000;
	cr_assert_eq(count_outcome("count=5000", old_rec, new_rec, NULL), COMPARE_WORSE);
	cr_assert_eq(count_outcome("count=3k", old_rec, new_rec, NULL), COMPARE_REGRESSED);
}

/* ---- measured counts: the spread of both records is noise ---- */

Test(compare, measured_count_within_both_spreads_is_noise)
{
	struct test_record old_rec = test_record_default(), new_rec = test_record_default();

	old_rec.source = new_rec.source = "measured";
	old_rec.unit = new_rec.unit = "cycles";
	old_rec.resolution = new_rec.resolution = 1;
	old_rec.median = 100000, old_rec.min = 99500, old_rec.max = 100600;  /* spread 1100 */
	new_rec.median = 101900, new_rec.min = 101500, new_rec.max = 102400; /* spread 900 */
	/* +1900 is within 1100 + 900 = 2000 of noise. */
	cr_assert_eq(count_outcome("count=0%", old_rec, new_rec, NULL), COMPARE_UNCHANGED);
	new_rec.median = 102100, new_rec.min = 101700, new_rec.max = 102600;
	cr_assert_eq(count_outcome("count=0%", old_rec, new_rec, NULL), COMPARE_REGRESSED);
	/* ... and the threshold comes on top of the noise. */
	cr_assert_eq(count_outcome("count=1%", old_rec, new_rec, NULL), COMPARE_WORSE);
}

Test(compare, measured_count_without_spread_still_forgives_one_tick)
{
	struct test_record old_rec = test_record_default(), new_rec = test_record_default();

	old_rec.source = new_rec.source = "measured";
	old_rec.unit = new_rec.unit = "cycles";
	old_rec.resolution = new_rec.resolution = 100;
	new_rec.median = new_rec.min = new_rec.max = 1000100;
	cr_assert_eq(count_outcome("count=0%", old_rec, new_rec, NULL), COMPARE_UNCHANGED);
	new_rec.median = new_rec.min = new_rec.max = 1000101;
	cr_assert_eq(count_outcome("count=0%", old_rec, new_rec, NULL), COMPARE_REGRESSED);
}

Test(compare, latency_inherits_the_count_noise_in_proportion)
{
	struct test_record old_rec = test_record_default(), new_rec = test_record_default();
	const struct compare_metric *metric;
	struct test_pair pair;

	test_pair_init(&pair, "latency=0%");
	old_rec.source = new_rec.source = "measured";
	old_rec.unit = new_rec.unit = "cycles";
	old_rec.min = 990000, old_rec.max = 1010000;
	new_rec.median = 1010000, new_rec.min = 1000000, new_rec.max = 1020000;
	test_record_add(&pair.baseline, &old_rec);
	test_record_add(&pair.fresh, &new_rec);
	test_pair_compare(&pair);
	metric = metric_of(&pair.result.rows[0], REPORT_COL_LATENCY);
	cr_assert_not_null(metric);
	/* Count noise 40000 of 1000000 = 4% of the 40 ms latency. */
	cr_assert_float_eq(metric->noise, 1.6, 1e-9);
	cr_assert_eq(metric->outcome, COMPARE_UNCHANGED);
	test_pair_release(&pair);
}

Test(compare, counts_in_different_units_do_not_compare)
{
	struct test_record old_rec = test_record_default(), new_rec = test_record_default();
	int verdict;

	new_rec.source = "measured";
	new_rec.unit = "cycles";
	cr_assert_eq(count_outcome(NULL, old_rec, new_rec, &verdict), COMPARE_INCOMPARABLE);
	cr_assert_eq(verdict, HB_ERR_REGRESSION);
}

/* ---- sizes and accuracy ---- */

Test(compare, a_byte_more_fails_a_zero_byte_threshold_and_a_lost_figure_fails)
{
	struct test_record old_rec = test_record_default(), new_rec = test_record_default();
	const struct compare_metric *metric;
	struct test_pair pair;
	char text[512];

	test_pair_init(&pair, "peak_ram=0B");
	new_rec.peak_ram = 20001;
	test_record_add(&pair.baseline, &old_rec);
	test_record_add(&pair.fresh, &new_rec);
	test_pair_compare(&pair);
	metric = metric_of(&pair.result.rows[0], REPORT_COL_PEAK_RAM);
	cr_assert_eq(metric->outcome, COMPARE_REGRESSED);
	cr_assert_eq(pair.result.rows[0].outcome, COMPARE_ROW_REGRESSED);
	compare_metric_text(&pair.result.rows[0], metric, text, sizeof text);
	cr_assert_str_eq(text, "peak_ram: 20000 B -> 20001 B (+1 B, +0.01%), allowed 0B");
	test_pair_release(&pair);

	test_pair_init(&pair, NULL);
	new_rec.peak_ram = -1;
	test_record_add(&pair.baseline, &old_rec);
	test_record_add(&pair.fresh, &new_rec);
	test_pair_compare(&pair);
	metric = metric_of(&pair.result.rows[0], REPORT_COL_PEAK_RAM);
	cr_assert_eq(metric->outcome, COMPARE_VANISHED);
	cr_assert_eq(pair.result.verdict, HB_ERR_REGRESSION);
	test_pair_release(&pair);
}

Test(compare, an_accuracy_drop_of_exactly_the_threshold_passes)
{
	struct test_record old_rec = test_record_default(), new_rec = test_record_default();
	const struct compare_metric *metric;
	struct test_pair pair;
	char text[512];

	old_rec.accuracy = 0.9040;
	new_rec.accuracy = 0.9020;
	test_pair_init(&pair, "top1=-0.2pts");
	test_record_add(&pair.baseline, &old_rec);
	test_record_add(&pair.fresh, &new_rec);
	test_pair_compare(&pair);
	metric = metric_of(&pair.result.rows[0], REPORT_COL_ACCURACY);
	cr_assert_eq(metric->outcome, COMPARE_WORSE);
	cr_assert_eq(pair.result.verdict, HB_OK);
	test_pair_release(&pair);

	new_rec.accuracy = 0.9015;
	test_pair_init(&pair, "top1=-0.2pts");
	test_record_add(&pair.baseline, &old_rec);
	test_record_add(&pair.fresh, &new_rec);
	test_pair_compare(&pair);
	metric = metric_of(&pair.result.rows[0], REPORT_COL_ACCURACY);
	cr_assert_eq(metric->outcome, COMPARE_REGRESSED);
	compare_metric_text(&pair.result.rows[0], metric, text, sizeof text);
	cr_assert_str_eq(text, "accuracy: 90.40% -> 90.15% (-0.25 pts), allowed -0.2pts");
	test_pair_release(&pair);
}

Test(compare, accuracy_on_other_samples_says_so)
{
	struct test_record old_rec = test_record_default(), new_rec = test_record_default();
	struct test_pair pair;
	char text[512];

	old_rec.accuracy = 0.9040;
	new_rec.accuracy = 0.9000;
	new_rec.samples = 200;
	test_pair_init(&pair, NULL);
	test_record_add(&pair.baseline, &old_rec);
	test_record_add(&pair.fresh, &new_rec);
	test_pair_compare(&pair);
	compare_metric_text(&pair.result.rows[0],
			    metric_of(&pair.result.rows[0], REPORT_COL_ACCURACY), text,
			    sizeof text);
	cr_assert_str_eq(text, "accuracy: 90.40% -> 90.00% (-0.40 pts), allowed -0.5pts; note: "
			       "baseline on 2000 samples, new on 200");
	test_pair_release(&pair);
}

/* ---- rows ---- */

Test(compare, a_missing_row_fails_and_a_new_row_is_only_reported)
{
	struct test_record a = test_record_default(), b = test_record_default(),
			   c = test_record_default();
	struct test_pair pair;

	b.board = "qemu-m3";
	c.board = "qemu-m7";
	test_pair_init(&pair, NULL);
	test_record_add(&pair.baseline, &a);
	test_record_add(&pair.baseline, &b);
	test_record_add(&pair.fresh, &a);
	test_record_add(&pair.fresh, &c);
	test_pair_compare(&pair);
	cr_assert_eq(pair.result.count, 3);
	/* Sorted by board: qemu-m3 (missing), qemu-m4 (pass), qemu-m7 (new). */
	cr_assert_eq(pair.result.rows[0].outcome, COMPARE_ROW_MISSING);
	cr_assert_null(pair.result.rows[0].new_row);
	cr_assert_eq(pair.result.rows[1].outcome, COMPARE_ROW_PASS);
	cr_assert_eq(pair.result.rows[2].outcome, COMPARE_ROW_NEW);
	cr_assert_eq(pair.result.by_outcome[COMPARE_ROW_MISSING], 1);
	cr_assert_eq(pair.result.verdict, HB_ERR_REGRESSION);
	test_pair_release(&pair);

	test_pair_init(&pair, NULL);
	test_record_add(&pair.baseline, &a);
	test_record_add(&pair.fresh, &a);
	test_record_add(&pair.fresh, &c);
	test_pair_compare(&pair);
	cr_assert_eq(pair.result.by_outcome[COMPARE_ROW_NEW], 1);
	cr_assert_eq(pair.result.verdict, HB_OK);
	test_pair_release(&pair);
}

static int verdict_with(const char *kind, const char *status, enum compare_row_outcome *outcome)
{
	struct test_record old_rec = test_record_default(), new_rec = test_record_default();
	struct test_pair pair;
	int verdict;

	new_rec.status = status;
	new_rec.error_kind = kind;
	new_rec.median = new_rec.min = new_rec.max = 9000000; /* not judged */
	test_pair_init(&pair, NULL);
	test_record_add(&pair.baseline, &old_rec);
	test_record_add(&pair.fresh, &new_rec);
	test_pair_compare(&pair);
	*outcome = pair.result.rows[0].outcome;
	verdict = pair.result.verdict;
	cr_assert_eq(metric_of(&pair.result.rows[0], REPORT_COL_COUNT)->outcome,
		     COMPARE_NOT_JUDGED);
	test_pair_release(&pair);
	return verdict;
}

Test(compare, a_dead_board_is_infrastructure_and_a_mismatch_a_regression)
{
	enum compare_row_outcome outcome;

	cr_assert_eq(verdict_with("timeout", "error", &outcome), HB_ERR_INFRASTRUCTURE);
	cr_assert_eq(outcome, COMPARE_ROW_INFRASTRUCTURE);
	cr_assert_eq(verdict_with("tool failed", "error", &outcome), HB_ERR_INFRASTRUCTURE);
	cr_assert_eq(verdict_with("protocol error", "error", &outcome), HB_ERR_INFRASTRUCTURE);
	cr_assert_eq(verdict_with(NULL, "running", &outcome), HB_ERR_INFRASTRUCTURE);
	cr_assert_eq(verdict_with("output mismatch", "error", &outcome), HB_ERR_REGRESSION);
	cr_assert_eq(outcome, COMPARE_ROW_MISMATCH);
}

Test(compare, a_regression_stands_beside_a_dead_board)
{
	struct test_record a = test_record_default(), b = test_record_default(),
			   dead = test_record_default();
	struct test_pair pair;

	b.board = dead.board = "qemu-m3";
	dead.status = "error";
	dead.error_kind = "timeout";
	test_pair_init(&pair, "count=0%");
	test_record_add(&pair.baseline, &a);
	test_record_add(&pair.baseline, &b);
	a.median = a.min = a.max = 2000000;
	test_record_add(&pair.fresh, &a);
	test_record_add(&pair.fresh, &dead);
	test_pair_compare(&pair);
	cr_assert_eq(pair.result.by_outcome[COMPARE_ROW_INFRASTRUCTURE], 1);
	cr_assert_eq(pair.result.by_outcome[COMPARE_ROW_REGRESSED], 1);
	cr_assert_eq(pair.result.verdict, HB_ERR_REGRESSION);
	test_pair_release(&pair);
}

Test(compare, a_failed_run_is_refused_as_a_baseline)
{
	struct test_record dead = test_record_default();
	struct test_pair pair;

	dead.status = "error";
	dead.error_kind = "timeout";
	test_pair_init(&pair, NULL);
	test_record_add(&pair.baseline, &dead);
	test_record_add(&pair.fresh, &dead);
	cr_assert_eq(compare_tables(&pair.baseline, &pair.fresh, &pair.thresholds, &pair.result),
		     HB_ERR_INPUT);
	cr_assert(strstr(compare_log, "test.json: baseline record of qemu-m4 fmnist_int8 int8 "
				      "has status 'error': timeout"),
		  "%s", compare_log);
	test_pair_release(&pair);
}

Test(compare, the_message_names_old_new_and_threshold)
{
	struct test_record old_rec = test_record_default(), new_rec = test_record_default();
	struct test_pair pair;
	char text[512];

	test_pair_init(&pair, "count=0%");
	new_rec.median = new_rec.min = new_rec.max = 1050000;
	test_record_add(&pair.baseline, &old_rec);
	test_record_add(&pair.fresh, &new_rec);
	test_pair_compare(&pair);
	compare_metric_text(&pair.result.rows[0], metric_of(&pair.result.rows[0], REPORT_COL_COUNT),
			    text, sizeof text);
	cr_assert_str_eq(text, "count: 1000000 instructions -> 1050000 instructions (+50000 "
			       "instructions, +5.00%), allowed 0% (0 instructions) + noise 40 "
			       "instructions");
	test_pair_release(&pair);
}
