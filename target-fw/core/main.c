/*
 * The benchmark firmware's entry point: paint the stack, bring up the port,
 * then serve protocol requests from the UART forever (MSG_EXIT stops it).
 */
#include <stdint.h>

#include "port.h"
#include "protocol_handler.h"
#include "stack_paint.h"

int main(void)
{
	/* First, so that everything after it counts towards the high-water mark. */
	stack_paint();
	port_init();
	protocol_init();
	for (;;) {
		uint8_t byte;

		if (port_uart_read_byte(&byte))
			protocol_receive_byte(byte);
		else
			port_idle();
	}
}
