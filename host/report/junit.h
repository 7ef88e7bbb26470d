/*
 * The compare outcome as JUnit XML, the format Jenkins, GitLab and GitHub
 * test reporters read: one <testsuite> per board x model x variant, in it a
 * "run" testcase (did the new run work: a missing row or an output mismatch
 * is a <failure>, a dead board or tool an <error>) and one testcase per
 * gated figure (a regression is a <failure> whose message holds the old
 * value, the new one and the threshold; a figure of a failed run is
 * <skipped>). classname is "board.model.variant".
 */
#ifndef HB_REPORT_JUNIT_H
#define HB_REPORT_JUNIT_H

#include <stdio.h>

#include "report/compare.h"

/* Writes the document; `name` names the <testsuites>. HB_ERR_IO when the
 * stream fails. */
int junit_write(FILE *out, const struct compare_result *result, const char *name);

/* The same, to `path` atomically. */
int junit_write_file(const char *path, const struct compare_result *result, const char *name);

/* Writes `text` as XML character data or attribute value: markup
 * characters as entities, line breaks and tabs as character references
 * (attribute values keep them), other control characters and non-ASCII
 * bytes as '?' (XML 1.0 forbids the first, and a record's bytes are not
 * known to be UTF-8). */
void junit_escape(FILE *out, const char *text);

#endif
