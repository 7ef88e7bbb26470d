/*
 * The firmware side of the protocol in proto/messages.h: bytes from the UART
 * go in, one reply frame per request goes out through the port. Runs the
 * model in the model region (model_runner.h) and keeps the last reply,
 * which is resent without running the request again when the host retries.
 */
#ifndef FW_PROTOCOL_HANDLER_H
#define FW_PROTOCOL_HANDLER_H

#include <stdint.h>

/* Checks the model image and resets the frame decoder. */
void protocol_init(void);

/* Sends MSG_BOOT (seq 0, unasked): the host learns the board (re)started.
 * Called once after protocol_init by main.c; the eembc build has none (a
 * weak no-op in main.c), its line is ASCII. */
void protocol_announce_boot(void);

/* Feeds one received byte; answers a request once its frame is complete. */
void protocol_receive_byte(uint8_t byte);

#endif
