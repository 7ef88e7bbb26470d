/*
 * A pseudo-terminal standing in for a board's UART: any host tool (the
 * MLPerf Tiny runner, a terminal, pyserial) opens the pty's path as if it
 * were a serial port, and the relay copies bytes both ways between the pty
 * and the board's console transport. Used by `hilbench serve`.
 */
#ifndef HB_PTY_RELAY_H
#define HB_PTY_RELAY_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "link/transport.h"

struct pty_relay {
	int master;	   /* our end */
	int slave;	   /* held open so the pty survives clients coming and going */
	char path[128];	   /* what clients open, e.g. /dev/pts/3 */
	uint64_t to_board; /* bytes relayed each way */
	uint64_t from_board;
};

/* Opens a pty in raw mode (no echo, no line editing, 8 bits). */
int pty_relay_open(struct pty_relay *relay);

/* Relays until *stop becomes non-zero (a signal handler sets it) or the
 * board's console closes (HB_ERR_IO). While no client reads, the board's
 * bytes wait in the pty and then in the transport: nothing is dropped. */
int pty_relay_run(struct pty_relay *relay, struct transport *console, volatile sig_atomic_t *stop);

void pty_relay_close(struct pty_relay *relay);

#endif
