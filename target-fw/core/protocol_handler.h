/*
 * The firmware side of the protocol in proto/messages.h: bytes from the UART
 * go in, one reply frame per request goes out through the port. Holds the
 * input and output buffers, the built-in workload and the last reply, which
 * is resent without running the request again when the host retries it.
 */
#ifndef FW_PROTOCOL_HANDLER_H
#define FW_PROTOCOL_HANDLER_H

#include <stdint.h>

#define PROTOCOL_INPUT_CAPACITY	 1024u
#define PROTOCOL_OUTPUT_CAPACITY 1024u

/* Builds the workload's weights and resets the frame decoder. */
void protocol_init(void);

/* Feeds one received byte; answers a request once its frame is complete. */
void protocol_receive_byte(uint8_t byte);

#endif
