/*
 * The journal of a suite run: JSON lines beside the result record, a header
 * line naming the run, then one line per sample as it finishes, flushed
 * before the next sample starts. An interrupted run resumes from it, so a
 * journal is read back as untrusted input: each line is validated into a
 * struct journal_sample before the run uses it.
 */
#ifndef HB_JOURNAL_H
#define HB_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JOURNAL_SCHEMA	    "hilbench.journal/1"
#define JOURNAL_MAX_OUTPUTS 4096u /* values per sample line */

struct journal_header {
	char suite[64];
	char board[64];
	uint32_t samples; /* samples the run streams */
	uint32_t seed;	  /* of the sample order */
};

struct journal_sample {
	char variant[32];
	uint32_t index;	 /* position in the run order */
	uint32_t sample; /* index in the suite's data */
	uint32_t label;
	uint64_t ticks;	     /* the board's counter ticks for this inference */
	bool equal;	     /* board output equal to the host reference */
	double score;	     /* metric score (auc: reconstruction error) */
	const float *output; /* dequantised output values */
	uint32_t output_count;
};

/* Creates path (truncating it) and writes the header line. */
int journal_create(const char *path, const struct journal_header *header, FILE **out);

/* Opens an existing journal to append to. */
int journal_open_append(const char *path, FILE **out);

/* Appends one sample line and flushes it to the file. */
int journal_append(FILE *journal, const char *path, const struct journal_sample *sample);

/* Called for each valid sample line, in file order; a non-OK return stops the read. */
typedef int (*journal_sample_fn)(void *context, const struct journal_sample *sample);

/* Reads the header into *header and hands each sample line to on_sample.
 * A last line cut short by an interruption is dropped and counted in
 * *torn; any other malformed line is an error naming its line number. */
int journal_read(const char *path, struct journal_header *header, journal_sample_fn on_sample,
		 void *context, uint32_t *torn);

/* The same on a journal's text already in memory; path names it in messages. */
int journal_parse(const char *text, size_t length, const char *path, struct journal_header *header,
		  journal_sample_fn on_sample, void *context, uint32_t *torn);

#endif
