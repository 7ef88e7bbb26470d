/*
 * Writers of `hilbench report`: one file per format, in one explicit table
 * (report_writer.c), chosen by the output file's extension. Each renders
 * the same normalised table and selection; adding a format is one file and
 * one table line.
 */
#ifndef HB_REPORT_WRITER_H
#define HB_REPORT_WRITER_H

#include <stdio.h>

#include "report/report_select.h"
#include "report/report_table.h"

struct report_view {
	const struct report_table *table;
	const struct report_selection *selection; /* always set: table order when unranked */
	const char *title;
	const char *generated_utc;
	const char *require_text; /* as given, or NULL */
};

struct report_writer {
	const char *name;      /* "markdown" */
	const char *extension; /* ".md" */
	/** Writes the whole report; returns HB_OK or an error (HB_ERR_IO). */
	int (*write)(FILE *out, const struct report_view *view);
};

/* The writer for a path's extension, or NULL. */
const struct report_writer *report_writer_for_path(const char *path);
const struct report_writer *report_writer_find(const char *name);
/* "md, csv, html, txt" for help and errors. */
void report_writer_extensions(char *out, size_t capacity);

extern const struct report_writer report_writer_text;
extern const struct report_writer report_writer_markdown;
extern const struct report_writer report_writer_csv;
extern const struct report_writer report_writer_html;

#endif
