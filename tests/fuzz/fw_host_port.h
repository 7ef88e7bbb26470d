/*
 * The firmware's port (target-fw/core/port.h) and linker symbols on the
 * host, for the fuzz targets and unit tests that run the firmware's own
 * protocol handlers and model runner: the model region, the RAM arena and
 * the painted stack are plain arrays, UART output collects in a buffer,
 * the counter advances by a fixed step per read. port_exit and a spent
 * work budget leave the firmware code through a longjmp to the caller's
 * fw_host_run(), since neither may return.
 */
#ifndef FW_HOST_PORT_H
#define FW_HOST_PORT_H

#include <stddef.h>
#include <stdint.h>

#define FW_HOST_REGION_BYTES (64u << 10) /* the model region (flash) */
#define FW_HOST_RAM_BYTES    (64u << 10) /* arena and input copy */
#define FW_HOST_STACK_BYTES  1024u	 /* the painted stack (unused by the host's calls) */
#define FW_HOST_TX_BYTES     (64u << 10) /* UART output kept per fw_host_run() */

extern uint8_t fw_host_region[FW_HOST_REGION_BYTES];
extern uint8_t fw_host_ram[FW_HOST_RAM_BYTES];
extern uint32_t fw_host_stack[FW_HOST_STACK_BYTES / 4];
/* 1: port_model_region_writable says the region is flash (default 0). */
extern int fw_host_region_read_only;

/* How fw_host_run() ended. */
enum fw_host_end {
	FW_HOST_RETURNED = 0,	 /* the call returned */
	FW_HOST_EXITED = 1,	 /* the firmware called port_exit */
	FW_HOST_OVER_BUDGET = 2, /* more counter reads than the budget allowed */
	FW_HOST_TX_FULL = 3,	 /* more UART output than FW_HOST_TX_BYTES */
	FW_HOST_RESET = 4,	 /* the firmware called port_reset */
};

/* Empties the UART buffer, resets the counter and sets the budget: counter
 * reads allowed before fw_host_run() gives up (two per inference). */
void fw_host_reset(uint64_t counter_read_budget);

/* Runs `call(argument)`; returns how it ended. */
enum fw_host_end fw_host_run(void (*call)(void *argument), void *argument);

/* UART output since fw_host_reset() or fw_host_tx_take(). */
const uint8_t *fw_host_tx(size_t *length);
void fw_host_tx_take(void);

/* The status port_exit was called with (after FW_HOST_EXITED). */
int fw_host_exit_status(void);

/* Called on every counter read (NULL for none): tests damage the stack or
 * the image there, in the middle of an inference. */
void fw_host_set_counter_hook(void (*hook)(void));

/* Makes the region past `image_bytes` and the RAM outside [keep_start,
 * keep_end) unaddressable for AddressSanitizer (nothing without it);
 * fw_host_unpoison() undoes it. */
void fw_host_poison(size_t image_bytes, size_t keep_start, size_t keep_end);
void fw_host_unpoison(void);

#endif
