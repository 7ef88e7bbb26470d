/*
 * The journal of a suite run: JSON lines beside the result record, a header
 * line naming the run, then one line per sample as it finishes, on disk
 * (fdatasync) before the next sample starts. Each line ends in a member
 * "crc32": the CRC-32 of the line's text before `,"crc32":`, so a line a
 * kill cut or anything changed is seen as such. An interrupted run resumes
 * from it, so a journal is read back as untrusted input: each line is
 * checked, then validated into a struct journal_sample before the run uses it.
 */
#ifndef HB_JOURNAL_H
#define HB_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JOURNAL_SCHEMA	    "hilbench.journal/2"
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
	/* The board counted this inference and painted its memory (the framed
	 * protocol); false: the protocol gives no counts (MLPerf Tiny), and the
	 * line holds null for ticks and the three memory figures, never 0. */
	bool counted;
	uint64_t ticks;	      /* the board's counter ticks for this inference */
	bool equal;	      /* board output equal to the host reference */
	double score;	      /* metric score (auc: reconstruction error) */
	double max_abs_error; /* board output against the host reference */
	/* What the board painted after this inference, in bytes: the record's
	 * memory figures are the largest over the samples, journalled ones too. */
	uint32_t stack_high_water;
	uint32_t inference_stack;
	uint32_t arena_used;
	const float *output; /* dequantised output values */
	uint32_t output_count;
};

/* What a read kept besides the samples. */
struct journal_tail {
	size_t valid_bytes;    /* the whole, checked lines kept: where appending resumes */
	unsigned dropped_line; /* the torn or damaged last line dropped (1-based); 0: none */
};

/* Creates path (replacing it) holding the header line, atomically: the
 * journal either does not exist or has its whole header. */
int journal_create(const char *path, const struct journal_header *header, FILE **out);

/* Opens an existing journal to append to, first cutting it to valid_bytes
 * (journal_tail.valid_bytes), so a dropped last line is not glued to the next. */
int journal_open_append(const char *path, size_t valid_bytes, FILE **out);

/* Appends one sample line and syncs it to the disk. */
int journal_append(FILE *journal, const char *path, const struct journal_sample *sample);

/* object (length bytes of a JSON object's text, "{...}") with the crc32
 * member added as its last: the line as a journal holds it, without the
 * newline. NULL when object does not end in '}' or memory is short; the
 * caller frees it. */
char *journal_seal(const char *object, size_t length);

/* Called for each valid sample line, in file order; a non-OK return stops the read. */
typedef int (*journal_sample_fn)(void *context, const struct journal_sample *sample);

/* Reads the header into *header and hands each sample line to on_sample.
 * A last line that a kill cut short (no newline) or that fails its
 * checksum is dropped with a warning naming the file and line, and noted
 * in *tail; a line before the last that fails its checksum, and any line
 * that is not what a journal holds, is an error naming file and line. A
 * journal of an older schema (hilbench.journal/1, without checksums) is
 * refused. */
int journal_read(const char *path, struct journal_header *header, journal_sample_fn on_sample,
		 void *context, struct journal_tail *tail);

/* The same on a journal's text already in memory; path names it in messages. */
int journal_parse(const char *text, size_t length, const char *path, struct journal_header *header,
		  journal_sample_fn on_sample, void *context, struct journal_tail *tail);

#endif
