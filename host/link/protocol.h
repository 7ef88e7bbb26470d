/*
 * Protocol drivers: how the host talks to the firmware on a board, one
 * driver per protocol, found by name in an explicit table (protocol.c):
 *   hilbench     hilbench's framed binary protocol (link/session.h)
 *   mlperf-tiny  the MLPerf Tiny / EEMBC runner's ASCII protocol
 *                (link/eembc_session.h), spoken by vendor firmware written
 *                for that runner and by hilbench firmware built with
 *                PROTOCOL=eembc
 * The common steps of a benchmark go through the table: open on a
 * transport, handshake, load an input, invoke N runs after W warm-ups,
 * read the output, stop, close. What a protocol cannot give is absent in
 * what it returns (a have_ flag false), never 0: the MLPerf Tiny protocol
 * has no per-run counts and no memory figures, only the board's own
 * microsecond timestamps around the N runs.
 */
#ifndef HB_PROTOCOL_H
#define HB_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "link/session.h"
#include "link/transport.h"
#include "messages.h"

struct protocol_link; /* a driver's session state */

/* What a driver needs to know of the model to put inputs in the form the
 * firmware expects and to read its outputs. */
struct protocol_model {
	uint32_t input_dtype; /* MODEL_DTYPE_* */
	uint32_t input_bytes;
	float input_scale; /* int8 input: its quantisation */
	int32_t input_zero_point;
	uint32_t output_bytes;
	uint32_t output_count; /* elements */
	/* mlperf-tiny: the runner's name of the model (kws01, ic01, vww01,
	 * ad01, ...), which fixes the input's form; NULL: the raw tensor. */
	const char *model_name;
};

struct protocol_open_options {
	struct transport *transport;
	const char *board_id; /* for messages */
	int timeout_ms;	      /* per request; hilbench: all attempts included */
	int attempts;	      /* hilbench: sends per request */
	struct protocol_model model;
};

/* What the board said about itself in the handshake; each part present or not. */
struct protocol_identity {
	bool have_hello; /* hilbench: its HELLO reply */
	struct msg_hello_reply hello;
	char name[64];	     /* mlperf-tiny: m-name-, "" if none */
	char profile[128];   /* mlperf-tiny: m-profile-[...], "" if none */
	char model_name[64]; /* mlperf-tiny: m-model-[...], "" if none */
};

/* One invoke: `runs` timed runs after `warmups` untimed ones. */
struct protocol_invoke {
	uint32_t runs;
	/* Counter ticks of each run (hilbench), tick_count of them; 0: none. */
	uint64_t ticks[PROTO_MAX_RUNS];
	size_t tick_count;
	/* The board's own microseconds over all the runs (mlperf-tiny m-lap-us). */
	bool have_elapsed_us;
	uint64_t elapsed_us;
	/* Painted stack and arena (hilbench). */
	bool have_memory;
	uint32_t stack_high_water, inference_stack, arena_used;
};

/* The output of the last invoke, in the forms the protocol gives. */
struct protocol_output {
	uint8_t *bytes; /* the output tensor's bytes (hilbench); caller's buffer */
	size_t byte_capacity;
	bool have_bytes;
	double *values;	       /* numbers the board printed (mlperf-tiny: dequantised, */
	size_t value_capacity; /* "%0.3f"; ad01: one anomaly score); caller's buffer */
	size_t value_count;
	bool have_values;
};

struct protocol_driver {
	const char *name;
	/** firmware.mk's PROTOCOL for hilbench firmware that speaks it (NULL:
	 * the default build), so an emulated board runs the right build. */
	const char *firmware_protocol;
	/** True when stop() makes the firmware end by itself (an emulator
	 * exits with its status); false: the board is stopped from outside. */
	bool board_exits;
	/** Largest `runs` one invoke takes. */
	uint32_t max_runs;
	/** Allocates the link on options->transport (not owned). */
	int (*open)(const struct protocol_open_options *options, struct protocol_link **out);
	/** The first exchange: skips a boot banner, learns who answers. */
	int (*handshake)(struct protocol_link *link, struct protocol_identity *identity);
	/** Puts one input (the model's input tensor bytes) on the board. */
	int (*load_input)(struct protocol_link *link, const uint8_t *input, uint32_t length);
	/** `runs` (<= max_runs) timed runs of the loaded input after `warmups`. */
	int (*invoke)(struct protocol_link *link, uint32_t runs, uint32_t warmups,
		      struct protocol_invoke *result);
	/** The output of the last invoke. */
	int (*read_output)(struct protocol_link *link, struct protocol_output *output);
	/** Ends the session with the board (hilbench: EXIT; mlperf-tiny:
	 * nothing to say, the board is stopped by its flasher). */
	int (*stop)(struct protocol_link *link);
	/** Traffic so far, in the record's form. */
	void (*counters)(const struct protocol_link *link, struct session_counters *counters);
	/** The framed session under the link, for the paths only the framed
	 * protocol has (pipelined suites, batches, hooks); NULL elsewhere. */
	struct session *(*framed_session)(struct protocol_link *link);
	void (*close)(struct protocol_link *link);
};

/* NULL (the default) is "hilbench"; an unknown name is NULL. */
const struct protocol_driver *protocol_find(const char *name);

/* Names of all drivers, NULL terminated (for --help and errors). */
const char *const *protocol_names(void);

/* The protocol's fields of a loaded model's tensors (model/model_load.h). */
struct loaded_model;
void protocol_model_from(const struct loaded_model *model, const char *model_name,
			 struct protocol_model *out);

extern const struct protocol_driver protocol_hilbench;
extern const struct protocol_driver protocol_mlperf_tiny;

#endif
