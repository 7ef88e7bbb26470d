/*
 * The messages carried in frames, and their payload layouts.
 *
 * Every request from the host gets exactly one reply with the same sequence
 * number: the matching *_REPLY type, or MSG_ERROR. A request repeated with
 * the sequence number of the previous one is answered from the target's
 * cached reply without running it again, so the host can retry after a
 * damaged reply without invoking twice. All integers are little-endian.
 * docs/protocol.md is the byte-level description; keep the two in step.
 */
#ifndef PROTO_MESSAGES_H
#define PROTO_MESSAGES_H

#include <stddef.h>
#include <stdint.h>

#include "byte_order.h"

#define PROTO_VERSION	  5u
#define PROTO_MAX_RUNS	  48u /* invocations timed per MSG_INVOKE */
#define PROTO_NAME_LENGTH 24u /* port and core names, NUL padded */
/* Per-op entries in one MSG_LAYERS_DATA (protocol 5): 12 + 6 x 32 bytes
 * (the firmware keeps one reply struct, 268 bytes, in its harness RAM). */
#define PROTO_LAYERS_PER_REPLY 32u

enum msg_type {
	MSG_HELLO = 0x01,	/* u16 host protocol version */
	MSG_INPUT_WRITE = 0x02, /* u32 offset, bytes */
	MSG_INVOKE = 0x03,	/* u16 runs, u16 warmups[, u8 flags: MSG_INVOKE_PROFILE_LAYERS] */
	MSG_OUTPUT_READ = 0x04, /* u32 offset, u16 length */
	MSG_EXIT = 0x05,	/* u8 status: the target stops (QEMU exits) */
	MSG_LAYERS_READ = 0x06, /* u16 first op: the last profiled inference's per-op ticks */
	/* The target changes one byte of its model image, where its model
	 * region is RAM (an emulator's): tests the recovery of a damaged image.
	 * Answered; firmware before it answers UNKNOWN_TYPE. */
	MSG_DEBUG_CORRUPT = 0x7C,
	MSG_DEBUG_RESET = 0x7D, /* the target resets itself, unanswered: tests recovery */
	MSG_DEBUG_HANG = 0x7E,	/* the target spins forever: tests host timeouts */

	MSG_REPLY_FLAG = 0x80,
	MSG_HELLO_REPLY = 0x81,
	MSG_INPUT_ACK = 0x82, /* u32 offset, u16 length */
	MSG_INVOKE_REPLY = 0x83,
	MSG_OUTPUT_DATA = 0x84,		/* u32 offset, bytes */
	MSG_EXIT_REPLY = 0x85,		/* empty: sent before the target stops */
	MSG_LAYERS_DATA = 0x86,		/* struct msg_layers_reply */
	MSG_DEBUG_CORRUPT_REPLY = 0xFC, /* u32 offset in the image of the byte changed */
	/* Unasked, seq 0, once at every start (protocol 5): struct msg_boot. A
	 * host that has shaken hands takes it for a reset of the board. */
	MSG_BOOT = 0x90,
	MSG_ERROR = 0xFF, /* u16 error code, u8 request type */
};

enum msg_error {
	MSG_ERROR_BAD_FRAME = 1, /* CRC/encoding/length: the host should resend */
	MSG_ERROR_UNKNOWN_TYPE = 2,
	MSG_ERROR_BAD_LENGTH = 3,   /* payload size does not fit the message */
	MSG_ERROR_OUT_OF_RANGE = 4, /* offset/length outside the buffer */
	MSG_ERROR_BAD_VERSION = 5,
	MSG_ERROR_TOO_MANY_RUNS = 6,
	MSG_ERROR_NO_MODEL = 7, /* no valid model image in the model region */
	/* The image's CRC, checked before every INVOKE, no longer matches:
	 * the model region changed since boot (flash wear, a stray write).
	 * Nothing was run; reflash the image. */
	MSG_ERROR_MODEL_CORRUPT = 8,
	/* The runs reached the guard words at the bottom of the stack
	 * (stack_paint.h): the stack overran or all but overran, so the
	 * results are not sent; build the firmware with a larger stack. */
	MSG_ERROR_STACK_OVERRUN = 9,
	/* DEBUG_CORRUPT on a board whose model region is flash: the firmware
	 * does not write it (that takes the flash controller's erase and
	 * program sequence), so the test hook cannot work there. */
	MSG_ERROR_READ_ONLY = 10,
};

enum msg_counter_kind {
	MSG_COUNTER_DWT = 0,	 /* DWT CYCCNT: core clock cycles */
	MSG_COUNTER_SYSTICK = 1, /* SysTick on the core clock */
};

/* INVOKE flags (protocol 5; a 4-byte INVOKE has none). Other bits are
 * reserved: set, the INVOKE is refused with MSG_ERROR_BAD_LENGTH. */
#define MSG_INVOKE_PROFILE_LAYERS 0x01u /* read the counter between ops too */

/* Which kernel an op ran, as the firmware build routes its kind
 * (target-fw/core/layer_profile.c). */
enum msg_kernel_path {
	MSG_KERNEL_PATH_UNKNOWN = 0,
	MSG_KERNEL_PATH_PORTABLE = 1, /* the plain C99 kernel (the only one for most kinds) */
	MSG_KERNEL_PATH_FAST = 2,     /* the _fast kernel with plain-C 16-bit lanes */
	MSG_KERNEL_PATH_FAST_DSP = 3, /* the _fast kernel with SXTB16/SMLAD (DSP extension) */
	MSG_KERNEL_PATH_FAST_MVE = 4, /* the _fast kernel with MVE (Helium) vectors */
};

struct msg_hello_reply {
	uint16_t protocol_version;
	uint16_t max_payload;
	uint32_t build_id;    /* hash of the firmware sources, set at build time */
	uint32_t clock_hz;    /* core clock the firmware believes it runs at */
	uint8_t counter_kind; /* enum msg_counter_kind */
	/* Counter units per tick, 16.16 fixed point: 1.0 for a cycle counter;
	 * on QEMU the instructions per SysTick tick, calibrated at boot. */
	uint32_t counter_scale_q16;
	uint32_t input_capacity;      /* bytes MSG_INPUT_WRITE may fill (the model's input) */
	uint32_t arena_capacity;      /* bytes of RAM for the arena and the input copy */
	uint32_t model_input_length;  /* bytes of the model's input tensor */
	uint32_t model_output_length; /* bytes of its output tensor */
	uint32_t model_macs;	      /* multiply-accumulates per inference (low 32 bits) */
	uint32_t stack_size;	      /* bytes reserved for the stack */
	uint8_t model_status;	      /* enum model_check of the image in the model region */
	uint32_t model_crc32;	      /* the image header's CRC field, identifies the image */
	uint32_t model_arena_size;    /* arena the image was planned for */
	uint32_t model_region_origin; /* where the firmware looks for the image */
	uint32_t model_region_size;
	uint32_t model_macs_high;
	char port[PROTO_NAME_LENGTH];
	char core[PROTO_NAME_LENGTH];
	/* Request bytes the host may have in flight (sent, reply not yet read):
	 * what the port can buffer while the core computes (port_uart_rx_window). */
	uint32_t rx_window;
};

struct msg_invoke_reply {
	uint16_t runs;
	uint32_t stack_high_water; /* bytes of stack ever touched (painted) */
	uint32_t output_length;
	uint32_t arena_used; /* bytes of the arena written (painted) */
	/* Bytes of stack the runs used below their call point (repainted right
	 * before them): the model's own stack, without the handler's. */
	uint32_t inference_stack;
	uint64_t ticks[PROTO_MAX_RUNS]; /* counter ticks of each timed run */
};

struct msg_error_reply {
	uint16_t code;
	uint8_t request_type;
};

/* Why the target started, where its port can tell (MSG_BOOT). */
enum msg_reset_cause {
	MSG_RESET_CAUSE_UNKNOWN = 0, /* the port cannot tell */
	MSG_RESET_CAUSE_POWER_ON = 1,
	MSG_RESET_CAUSE_SOFTWARE = 2, /* SYSRESETREQ, e.g. MSG_DEBUG_RESET */
	MSG_RESET_CAUSE_WATCHDOG = 3,
	MSG_RESET_CAUSE_BROWN_OUT = 4,
	MSG_RESET_CAUSE_PIN = 5,
};

/* Sequence number of MSG_BOOT: the host never sends 0. */
#define MSG_BOOT_SEQ  0u
#define MSG_BOOT_SIZE 7u

struct msg_boot {
	uint16_t protocol_version;
	uint32_t build_id;
	uint8_t reset_cause; /* enum msg_reset_cause */
};

/* The per-op counter ticks of the last INVOKE with MSG_INVOKE_PROFILE_LAYERS
 * (protocol 5), `entries` of them from op `first`. */
struct msg_layer_entry {
	uint32_t ticks; /* from the counter read before the op to the one after it */
	uint8_t kind;	/* enum model_op_kind */
	uint8_t path;	/* enum msg_kernel_path */
};

struct msg_layers_reply {
	uint16_t op_count; /* ops profiled; 0: none since boot, or more ops than max_ops */
	uint16_t max_ops;  /* the most ops the firmware keeps figures for */
	uint16_t first;
	uint16_t entries; /* <= PROTO_LAYERS_PER_REPLY, first + entries <= op_count */
	/* Ticks one counter read adds to an op's figure: the least of repeated
	 * differences of two back-to-back reads, measured before the run. */
	uint32_t read_cost_ticks;
	struct msg_layer_entry layers[PROTO_LAYERS_PER_REPLY];
};

/* Encoders return the payload length written (<= capacity) or 0 when it
 * does not fit. Decoders return 0 on success, -1 on a malformed payload. */
size_t msg_hello_reply_encode(const struct msg_hello_reply *m, uint8_t *out, size_t capacity);
int msg_hello_reply_decode(const uint8_t *in, size_t length, struct msg_hello_reply *m);
size_t msg_invoke_reply_encode(const struct msg_invoke_reply *m, uint8_t *out, size_t capacity);
int msg_invoke_reply_decode(const uint8_t *in, size_t length, struct msg_invoke_reply *m);
size_t msg_error_encode(const struct msg_error_reply *m, uint8_t *out, size_t capacity);
int msg_error_decode(const uint8_t *in, size_t length, struct msg_error_reply *m);
size_t msg_boot_encode(const struct msg_boot *m, uint8_t *out, size_t capacity);
int msg_boot_decode(const uint8_t *in, size_t length, struct msg_boot *m);
const char *msg_reset_cause_name(uint8_t cause);
size_t msg_layers_reply_encode(const struct msg_layers_reply *m, uint8_t *out, size_t capacity);
int msg_layers_reply_decode(const uint8_t *in, size_t length, struct msg_layers_reply *m);

const char *msg_type_name(uint8_t type);
/* "portable", "fast", "fast-dsp", "fast-mve"; NULL for an unknown path (absent, not guessed). */
const char *msg_kernel_path_name(uint8_t path);
const char *msg_error_name(uint16_t code);

#endif
