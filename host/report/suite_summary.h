/*
 * The terminal summary of a suite run, rendered from its result record
 * (hilbench.suite-result/1) alone, as every report is: per variant the
 * suite's metric, the median count per inference, streaming rates and how
 * many outputs matched the host; then each variant against the first.
 */
#ifndef HB_SUITE_SUMMARY_H
#define HB_SUITE_SUMMARY_H

#include <stdio.h>

#include <cJSON.h>

/* record_path: where the record was written, shown at the end. */
void suite_summary_write(FILE *out, const cJSON *record, const char *record_path);

#endif
