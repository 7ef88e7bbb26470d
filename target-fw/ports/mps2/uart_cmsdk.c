/*
 * UART0 of the MPS2 boards: an ARM CMSDK APB UART, polled, 8N1. It has a
 * one-byte holding register in each direction and no FIFO.
 */
#include "cortex_m.h"
#include "mps2.h"
#include "port.h"

#define UART0_BASE    MPS2_IMAGE_UART0_BASE
#define UART_DATA     CORTEX_M_REGISTER(UART0_BASE + 0x00u)
#define UART_STATE    CORTEX_M_REGISTER(UART0_BASE + 0x04u)
#define UART_CTRL     CORTEX_M_REGISTER(UART0_BASE + 0x08u)
#define UART_INTCLEAR CORTEX_M_REGISTER(UART0_BASE + 0x0Cu)
#define UART_BAUDDIV  CORTEX_M_REGISTER(UART0_BASE + 0x10u)

#define UART_STATE_TX_FULL     (1u << 0)
#define UART_STATE_RX_FULL     (1u << 1)
#define UART_CTRL_TX_ENABLE    (1u << 0)
#define UART_CTRL_RX_ENABLE    (1u << 1)
#define UART_CTRL_RX_INTERRUPT (1u << 3)
#define UART_INT_RX	       (1u << 1)

/* UART0's receive interrupt (mps2_image.h). It is enabled in the NVIC only
 * while PRIMASK is set around a WFI, to wake it: the handler never runs and
 * the pending state is cleared by hand, so the vector table needs no entry
 * for it. (QEMU keeps the line asserted while a byte waits.) */
#define UART0_RX_IRQ	MPS2_IMAGE_UART0_RX_IRQ
#define UART0_RX_BIT	(1u << (UART0_RX_IRQ % 32u))
#define UART0_RX_OFFSET (4u * (UART0_RX_IRQ / 32u))
#define NVIC_ISER_UART0 CORTEX_M_REGISTER(0xE000E100u + UART0_RX_OFFSET)
#define NVIC_ICER_UART0 CORTEX_M_REGISTER(0xE000E180u + UART0_RX_OFFSET)
#define NVIC_ICPR_UART0 CORTEX_M_REGISTER(0xE000E280u + UART0_RX_OFFSET)

void mps2_uart_init(void)
{
	UART_BAUDDIV = MPS2_IMAGE_UART_HZ / MPS2_UART_BAUD;
	UART_CTRL = UART_CTRL_TX_ENABLE | UART_CTRL_RX_ENABLE | UART_CTRL_RX_INTERRUPT;
	UART_INTCLEAR = UART_INT_RX;
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

/* QEMU's UART model takes the next byte from its chardev only after the
 * guest has read the previous one, so bytes the host sends ahead wait in
 * the host's socket and none is lost however long an inference runs. The
 * window then only bounds what a resync throws away: about two inputs of
 * the larger shipped models. (A real MPS2 FPGA board, with no FIFO and no
 * DMA here, would need a receive interrupt or a window of one frame.) */
uint32_t port_uart_rx_window(void)
{
	return 8192u;
}

/* Sleeping instead of polling matters on QEMU: a polling guest keeps the
 * emulator's CPU thread busy, and the UART then receives a byte only when
 * that thread yields, which was seen to cap input near 8 KB/s. */
void port_idle(void)
{
	__asm volatile("cpsid i" ::: "memory");
	NVIC_ISER_UART0 = UART0_RX_BIT;
	if (!(UART_STATE & UART_STATE_RX_FULL))
		__asm volatile("wfi" ::: "memory");
	NVIC_ICER_UART0 = UART0_RX_BIT;
	UART_INTCLEAR = UART_INT_RX;
	NVIC_ICPR_UART0 = UART0_RX_BIT;
	__asm volatile("dsb\n\tisb\n\tcpsie i" ::: "memory");
}

void port_uart_drain(void)
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
