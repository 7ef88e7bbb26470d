/*
 * UART0 of the MPS2 boards: an ARM CMSDK APB UART, polled, 8N1. It has a
 * one-byte holding register in each direction and no FIFO.
 */
#include "cortex_m.h"
#include "mps2.h"
#include "port.h"

#define UART0_BASE   0x40004000u
#define UART_DATA    CORTEX_M_REGISTER(UART0_BASE + 0x00u)
#define UART_STATE   CORTEX_M_REGISTER(UART0_BASE + 0x04u)
#define UART_CTRL    CORTEX_M_REGISTER(UART0_BASE + 0x08u)
#define UART_BAUDDIV CORTEX_M_REGISTER(UART0_BASE + 0x10u)

#define UART_STATE_TX_FULL  (1u << 0)
#define UART_STATE_RX_FULL  (1u << 1)
#define UART_CTRL_TX_ENABLE (1u << 0)
#define UART_CTRL_RX_ENABLE (1u << 1)

void mps2_uart_init(void)
{
	UART_BAUDDIV = MPS2_CLOCK_HZ / MPS2_UART_BAUD;
	UART_CTRL = UART_CTRL_TX_ENABLE | UART_CTRL_RX_ENABLE;
	/* Reading DATA once after enabling RX was seen to make QEMU 7.2 start
	 * delivering input at once rather than after about a second (not
	 * reproduced with a unix socket that holds the guest until the host
	 * connects). On hardware it only clears a stale RX_FULL. */
	(void)UART_DATA;
}

void port_uart_write(const uint8_t *data, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		while (UART_STATE & UART_STATE_TX_FULL) {
		}
		UART_DATA = data[i];
	}
}

int port_uart_read_byte(uint8_t *byte)
{
	if (!(UART_STATE & UART_STATE_RX_FULL))
		return 0;
	*byte = (uint8_t)UART_DATA;
	return 1;
}

void mps2_uart_drain(void)
{
	uint64_t start;

	while (UART_STATE & UART_STATE_TX_FULL) {
	}
	/* TX_FULL clears when the last byte moves to the shift register; on
	 * the FPGA board it still needs one character time (10 bits) on the
	 * wire. QEMU hands the byte to its chardev at once. */
	start = port_counter_read();
	while (port_counter_read() - start < 10u * (MPS2_CLOCK_HZ / MPS2_UART_BAUD)) {
	}
}
