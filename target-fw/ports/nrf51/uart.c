/*
 * UART0 of the nRF51, polled, 8N1, on the micro:bit's USB bridge pins.
 * Reception and transmission are tasks started once; each byte raises an
 * event (RXDRDY, TXDRDY) that software clears. QEMU's model has a 6-byte
 * receive FIFO and drops a byte written to TXD while one is still going
 * out, so every write waits for TXDRDY.
 */
#include "cortex_m.h"
#include "nrf51.h"
#include "port.h"

#define UART0_BASE	   0x40002000u
#define UART_STARTRX	   CORTEX_M_REGISTER(UART0_BASE + 0x000u)
#define UART_STARTTX	   CORTEX_M_REGISTER(UART0_BASE + 0x008u)
#define UART_EVENTS_RXDRDY CORTEX_M_REGISTER(UART0_BASE + 0x108u)
#define UART_EVENTS_TXDRDY CORTEX_M_REGISTER(UART0_BASE + 0x11Cu)
#define UART_INTENSET	   CORTEX_M_REGISTER(UART0_BASE + 0x304u)
#define UART_ENABLE	   CORTEX_M_REGISTER(UART0_BASE + 0x500u)
#define UART_PSELTXD	   CORTEX_M_REGISTER(UART0_BASE + 0x50Cu)
#define UART_PSELRXD	   CORTEX_M_REGISTER(UART0_BASE + 0x514u)
#define UART_RXD	   CORTEX_M_REGISTER(UART0_BASE + 0x518u)
#define UART_TXD	   CORTEX_M_REGISTER(UART0_BASE + 0x51Cu)
#define UART_BAUDRATE	   CORTEX_M_REGISTER(UART0_BASE + 0x524u)

#define UART_ENABLE_ENABLED  4u
#define UART_INTEN_RXDRDY    (1u << 2)
#define UART_BAUDRATE_115200 0x01D7E000u
/* The micro:bit routes P0.24 and P0.25 to its interface chip's serial port. */
#define MICROBIT_UART_TX_PIN 24u
#define MICROBIT_UART_RX_PIN 25u

/* UART0's interrupt (peripheral 2). As on the mps2 port, it is enabled in
 * the NVIC only while PRIMASK is set around a WFI, to wake it: the handler
 * never runs and the pending state is cleared by hand, so the vector table
 * needs no entry for it. */
#define UART0_IRQ  2u
#define NVIC_ISER0 CORTEX_M_REGISTER(0xE000E100u)
#define NVIC_ICER0 CORTEX_M_REGISTER(0xE000E180u)
#define NVIC_ICPR0 CORTEX_M_REGISTER(0xE000E280u)

void nrf51_uart_init(void)
{
	UART_PSELTXD = MICROBIT_UART_TX_PIN;
	UART_PSELRXD = MICROBIT_UART_RX_PIN;
	UART_BAUDRATE = UART_BAUDRATE_115200;
	UART_ENABLE = UART_ENABLE_ENABLED;
	/* The interrupt line follows RXDRDY; the NVIC decides when it counts. */
	UART_INTENSET = UART_INTEN_RXDRDY;
	UART_EVENTS_TXDRDY = 0;
	UART_EVENTS_RXDRDY = 0;
	UART_STARTTX = 1;
	UART_STARTRX = 1;
}

void port_uart_write(const uint8_t *data, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		UART_EVENTS_TXDRDY = 0;
		UART_TXD = data[i];
		while (!UART_EVENTS_TXDRDY) {
		}
	}
}

/* The event is cleared before RXD is read: reading RXD raises it again at
 * once when the FIFO holds another byte, and clearing after the read would
 * lose that byte's event. */
int port_uart_read_byte(uint8_t *byte)
{
	if (!UART_EVENTS_RXDRDY)
		return 0;
	UART_EVENTS_RXDRDY = 0;
	*byte = (uint8_t)UART_RXD;
	return 1;
}

/* QEMU's model takes bytes from its chardev only while its FIFO has room,
 * so bytes the host sends ahead wait in the host's socket and none is lost
 * however long an inference runs: the same window as the mps2 port. (The
 * real chip's 6-byte FIFO would need a receive interrupt and a ring.) */
uint32_t port_uart_rx_window(void)
{
	return 8192u;
}

/* Sleeping rather than polling lets QEMU's CPU thread yield to the UART. */
void port_idle(void)
{
	__asm volatile("cpsid i" ::: "memory");
	NVIC_ISER0 = 1u << UART0_IRQ;
	if (!UART_EVENTS_RXDRDY)
		__asm volatile("wfi" ::: "memory");
	NVIC_ICER0 = 1u << UART0_IRQ;
	NVIC_ICPR0 = 1u << UART0_IRQ;
	__asm volatile("dsb\n\tisb\n\tcpsie i" ::: "memory");
}

/* TXDRDY comes when the byte has left TXD for the shift register; on the
 * chip it still needs one character time (10 bits) on the wire. QEMU hands
 * the byte to its chardev at once. */
void port_uart_drain(void)
{
	uint64_t start = port_counter_read();

	while (port_counter_read() - start < 10u * (NRF51_CLOCK_HZ / NRF51_UART_BAUD)) {
	}
}
