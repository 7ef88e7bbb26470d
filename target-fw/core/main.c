/*
 * The benchmark firmware's entry point: paint the stack, bring up the port,
 * announce the boot (MSG_BOOT), then serve protocol requests from the UART
 * forever (MSG_EXIT stops it).
 */
#include <stdint.h>

#include "port.h"
#include "protocol_handler.h"
#include "stack_paint.h"

/* The eembc build speaks ASCII and announces nothing; protocol_handler.c
 * defines the real one. */
__attribute__((weak)) void protocol_announce_boot(void)
{
}

int main(void)
{
	/* First, so that everything after it counts towards the high-water mark. */
	stack_paint();
	port_init();
	protocol_init();
	/* Unasked, so a host mid-run can tell a reset (watchdog, brown-out)
	 * from a slow board at once instead of at its deadline. */
	protocol_announce_boot();
	for (;;) {
		uint8_t byte;

		if (port_uart_read_byte(&byte))
			protocol_receive_byte(byte);
		else
			port_idle();
	}
}
