/*
 * What the portable firmware core needs from a board port, and nothing more.
 * One implementation per folder under target-fw/ports/. The core never
 * touches a register itself.
 */
#ifndef FW_PORT_H
#define FW_PORT_H

#include <stddef.h>
#include <stdint.h>

/* Clocks, UART (8N1 at the port's baud) and the cycle counter. Called once
 * before anything else. */
void port_init(void);

/* Blocks until every byte is in the UART's transmitter. */
void port_uart_write(const uint8_t *data, size_t length);

/* Returns 1 and stores a byte when one has arrived, 0 otherwise (never blocks). */
int port_uart_read_byte(uint8_t *byte);

/* Bytes the host may send ahead of the replies it has not yet received
 * without the port losing any while the core computes: its receive
 * buffering (a DMA ring, or backpressure on an emulator's console). At
 * least one encoded frame (523 bytes). The host reads it from HELLO and
 * never has more request bytes in flight (docs/protocol.md, pipelining). */
uint32_t port_uart_rx_window(void);

/* Called when no byte is waiting: a port may sleep until the UART has one
 * (it must return once a byte arrives; returning at once is always fine). */
void port_idle(void);

/* Free-running tick counter, monotonic, at least 56 bits wide in effect
 * (ports extend narrow hardware counters with an overflow count). */
uint64_t port_counter_read(void);

/* enum msg_counter_kind of the counter above. */
uint8_t port_counter_kind(void);

/* Counter units (cycles, or instructions on an emulator) per tick, 16.16. */
uint32_t port_counter_scale_q16(void);

/* The core clock in Hz the port configured. */
uint32_t port_clock_hz(void);

/* The inference-window pin: a GPIO an energy meter's logic input watches
 * (each real board's profile names the header pin). 1 raises it, 0 lowers
 * it; port_init leaves it low. The core raises it for the timed runs only
 * and lowers it after, and in the eembc build's energy mode pulses it low
 * for each timestamp instead (the MLPerf Tiny reference's timestamp pin,
 * idle high). A few instructions, no stack to speak of: the timed runs
 * are just inside it. Emulated ports write a register the emulator
 * models, or nothing. */
void port_window_marker(int high);

/* Short port name, e.g. "mps2". */
const char *port_name(void);

/* Resets the whole target as its reset pin would (on Cortex-M, SYSRESETREQ:
 * ports/common/reset_cortex_m.c). Never returns. */
void port_reset(void) __attribute__((noreturn));

/* Why the target last started: an enum msg_reset_cause value, UNKNOWN (0)
 * where the port cannot tell (the default in ports/common). */
uint8_t port_reset_cause(void);

/* 1 when the model region is RAM the core may write (an emulator's
 * stand-in for flash, as on QEMU's MPS2 machines), 0 when it is flash (the
 * default, ports/common/model_region.c). Only MSG_DEBUG_CORRUPT asks: it
 * damages the image for a test, and is refused on flash. */
int port_model_region_writable(void);

/* Stops the target: on QEMU, semihosting exit with `status`; on a real
 * board, a reset. Never returns. */
void port_exit(int status) __attribute__((noreturn));

#endif
