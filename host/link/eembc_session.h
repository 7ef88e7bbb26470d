/*
 * The host end of the MLPerf Tiny / EEMBC runner's ASCII protocol, over any
 * transport: commands end with '%', the board answers text lines and ends
 * every answer with "m-ready". Input goes up the way the reference runner
 * sends it, as "db HEX%" commands of EEMBC_CHUNK_BYTES bytes, one round
 * trip each. Used to measure vendor firmware written for that runner, and
 * hilbench firmware built with PROTOCOL=eembc.
 *
 * The board prints a banner ending in "m-ready" when it boots: call
 * eembc_session_name() first, it skips what came before the name. Lines
 * are read by link/eembc_line.h.
 */
#ifndef HB_EEMBC_SESSION_H
#define HB_EEMBC_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "link/transport.h"

/* Bytes per "db" command: the reference runner's DUT-direct chunk (it sends
 * 26 when an energy monitor relays the commands). 62 hex digits plus "db "
 * stay under the reference firmware's 80-character command buffer. */
#define EEMBC_CHUNK_BYTES 31u

/* The reference firmware's command buffer (EE_CMD_SIZE), '%' excluded. */
#define EEMBC_COMMAND_CAPACITY 80u

/* Longest answer line accepted (a results line of a few thousand values). */
#define EEMBC_LINE_CAPACITY 16384u

struct eembc_counters {
	uint32_t commands;
	uint64_t bytes_sent;
	uint64_t bytes_received;
};

struct eembc_session {
	struct transport *transport;
	const char *board_id; /* for messages */
	int timeout_ms;	      /* per command, from sending it to "m-ready" */
	uint8_t pending[512]; /* received, not yet split into lines */
	size_t pending_start;
	size_t pending_length;
	char line[EEMBC_LINE_CAPACITY];
	struct eembc_counters counters;
};

/* What "infer N W" reported: the first and last m-lap-us timestamps
 * (microseconds of the board's clock) around the N timed runs. */
struct eembc_infer_result {
	uint64_t start_us;
	uint64_t end_us;
	uint64_t elapsed_us; /* end - start, modulo 2^32 when the board's counter wrapped */
	uint32_t lap_count;
};

void eembc_session_init(struct eembc_session *session, struct transport *transport,
			const char *board_id, int timeout_ms);

/* "name%": the NAME of "m-name-NAME" ("dut-[X]" as the reference prints it
 * gives X). */
int eembc_session_name(struct eembc_session *session, char *name, size_t capacity);

/* What "profile%" answered: m-profile-[TEXT] and m-model-[NAME], each
 * absent from firmware that does not print it. */
struct eembc_profile {
	bool have_profile;
	char profile[128];
	bool have_model;
	char model[64];
	char refused[128]; /* the e- line of a board that does not know "profile%", or "" */
};

/* "profile%". A board that does not know the command (the reference
 * before MLPerf Tiny 1.0) answers an e- line: HB_OK, nothing present,
 * the line in `refused`. */
int eembc_session_profile(struct eembc_session *session, struct eembc_profile *profile);

/* "db load N%", then the bytes in "db HEX%" commands of `chunk` bytes
 * (0: EEMBC_CHUNK_BYTES); the last one must be answered with m-load-done. */
int eembc_session_load(struct eembc_session *session, const uint8_t *data, uint32_t length,
		       uint32_t chunk);

/* "infer RUNS WARMUPS%" and its two timestamps. */
int eembc_session_infer(struct eembc_session *session, uint32_t runs, uint32_t warmups,
			struct eembc_infer_result *result);

/* The same, and the m-results-[...] line that ends the answer (the
 * reference prints the output after the timed runs) into
 * values[0..capacity); a missing results line is HB_ERR_PROTOCOL. */
int eembc_session_infer_results(struct eembc_session *session, uint32_t runs, uint32_t warmups,
				struct eembc_infer_result *result, double *values, size_t capacity,
				size_t *count);

/* "results%": the values of "m-results-[V0,V1,...]" into values[0..capacity). */
int eembc_session_results(struct eembc_session *session, double *values, size_t capacity,
			  size_t *count);

/* The raw form: sends "COMMAND%" and waits for "m-ready". An "e-[...]" line
 * in the answer becomes HB_ERR_PROTOCOL quoting it. */
int eembc_session_command(struct eembc_session *session, const char *command);

#endif
