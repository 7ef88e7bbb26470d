/*
 * UARTE0 of the nRF52840, the DK's console: 8N1 at 1 Mbit/s through
 * EasyDMA. Receive fills a ring in RAM without the CPU: RXD.PTR is the
 * ring, RXD.MAXCNT its size, and the ENDRX_STARTRX shortcut restarts
 * reception at the ring's start each time it is full (RXD.PTR is latched
 * at STARTRX, so it stays the ring). EasyDMA gives no write position, so
 * PPI channel 0 counts RXDRDY events on TIMER1 in counter mode: the count
 * modulo the ring size is the write position. Transmit copies each chunk
 * into RAM first (EasyDMA reads RAM only). Product Specification v1.7:
 * 6.34 (UARTE), 6.16 (PPI), 6.30 (TIMER).
 */
#include "cortex_m.h"
#include "dwt_counter.h"
#include "harness.h"
#include "nrf52840.h"
#include "port.h"
#include "port_drain.h"

#define UARTE0_BASE		   0x40002000u
#define UARTE_TASKS_STARTRX	   CORTEX_M_REGISTER(UARTE0_BASE + 0x000u)
#define UARTE_TASKS_STARTTX	   CORTEX_M_REGISTER(UARTE0_BASE + 0x008u)
#define UARTE_EVENTS_RXDRDY_ADDR   (UARTE0_BASE + 0x108u)
#define UARTE_EVENTS_ENDTX	   CORTEX_M_REGISTER(UARTE0_BASE + 0x120u)
#define UARTE_SHORTS		   CORTEX_M_REGISTER(UARTE0_BASE + 0x200u)
#define UARTE_ENABLE		   CORTEX_M_REGISTER(UARTE0_BASE + 0x500u)
#define UARTE_PSEL_RTS		   CORTEX_M_REGISTER(UARTE0_BASE + 0x508u)
#define UARTE_PSEL_TXD		   CORTEX_M_REGISTER(UARTE0_BASE + 0x50Cu)
#define UARTE_PSEL_CTS		   CORTEX_M_REGISTER(UARTE0_BASE + 0x510u)
#define UARTE_PSEL_RXD		   CORTEX_M_REGISTER(UARTE0_BASE + 0x514u)
#define UARTE_BAUDRATE		   CORTEX_M_REGISTER(UARTE0_BASE + 0x524u)
#define UARTE_RXD_PTR		   CORTEX_M_REGISTER(UARTE0_BASE + 0x534u)
#define UARTE_RXD_MAXCNT	   CORTEX_M_REGISTER(UARTE0_BASE + 0x538u)
#define UARTE_TXD_PTR		   CORTEX_M_REGISTER(UARTE0_BASE + 0x544u)
#define UARTE_TXD_MAXCNT	   CORTEX_M_REGISTER(UARTE0_BASE + 0x548u)
#define UARTE_CONFIG		   CORTEX_M_REGISTER(UARTE0_BASE + 0x56Cu)
#define UARTE_ENABLE_ENABLED	   8u
#define UARTE_SHORTS_ENDRX_STARTRX (1u << 5)
#define UARTE_BAUDRATE_1M	   0x10000000u
#define UARTE_PSEL_DISCONNECTED	   (1u << 31)
#define DK_TX_PIN		   6u /* P0.06 */
#define DK_RX_PIN		   8u /* P0.08 */

#if NRF52840_CONSOLE_BAUD != 1000000u
#error "uarte.c sets BAUDRATE for 1 Mbit/s only"
#endif

#define TIMER1_BASE	       0x40009000u
#define TIMER_TASKS_START      CORTEX_M_REGISTER(TIMER1_BASE + 0x000u)
#define TIMER_TASKS_COUNT_ADDR (TIMER1_BASE + 0x008u)
#define TIMER_TASKS_CLEAR      CORTEX_M_REGISTER(TIMER1_BASE + 0x00Cu)
#define TIMER_TASKS_CAPTURE0   CORTEX_M_REGISTER(TIMER1_BASE + 0x040u)
#define TIMER_MODE	       CORTEX_M_REGISTER(TIMER1_BASE + 0x504u)
#define TIMER_BITMODE	       CORTEX_M_REGISTER(TIMER1_BASE + 0x508u)
#define TIMER_CC0	       CORTEX_M_REGISTER(TIMER1_BASE + 0x540u)
#define TIMER_MODE_COUNTER     1u
#define TIMER_BITMODE_32       3u

#define PPI_BASE    0x4001F000u
#define PPI_CHENSET CORTEX_M_REGISTER(PPI_BASE + 0x504u)
#define PPI_CH0_EEP CORTEX_M_REGISTER(PPI_BASE + 0x510u)
#define PPI_CH0_TEP CORTEX_M_REGISTER(PPI_BASE + 0x514u)

/* A power of two dividing 2^32, so the 32-bit count modulo the size stays
 * the write position across the counter's wrap; at most 65535 (MAXCNT is
 * 16 bits); above one encoded frame (523 bytes) plus the margin. */
#define RX_RING_SIZE	 2048u
#define RX_WINDOW_MARGIN 16u
#if (RX_RING_SIZE & (RX_RING_SIZE - 1u)) != 0 || RX_RING_SIZE - RX_WINDOW_MARGIN < 523u
#error "RX_RING_SIZE must be a power of two holding one encoded frame"
#endif

/* RXDRDY says a byte is in the receiver, "potentially not yet transferred
 * to Data RAM" (6.34.2): a count is trusted only once it is this old, far
 * longer than EasyDMA takes to store a byte, far shorter than a byte's 10
 * us on the wire. */
#define RX_SETTLE_CYCLES (NRF52840_CLOCK_HZ / 1000000u) /* 1 us */

#define TX_CHUNK 64u

static HARNESS_BSS volatile uint8_t rx_ring[RX_RING_SIZE];
static uint32_t rx_read;       /* bytes taken out of the ring */
static uint32_t rx_confirmed;  /* bytes known to be in RAM */
static uint32_t rx_pending;    /* a later count, waiting to settle */
static uint32_t rx_pending_at; /* CYCCNT when it was read */
static HARNESS_BSS uint8_t tx_buffer[TX_CHUNK];

static uint32_t rx_count(void)
{
	TIMER_TASKS_CAPTURE0 = 1;
	return TIMER_CC0;
}

void nrf52840_uarte_init(void)
{
	TIMER_MODE = TIMER_MODE_COUNTER;
	TIMER_BITMODE = TIMER_BITMODE_32;
	TIMER_TASKS_CLEAR = 1;
	TIMER_TASKS_START = 1;
	PPI_CH0_EEP = UARTE_EVENTS_RXDRDY_ADDR;
	PPI_CH0_TEP = TIMER_TASKS_COUNT_ADDR;
	PPI_CHENSET = 1u << 0;

	UARTE_PSEL_TXD = DK_TX_PIN;
	UARTE_PSEL_RXD = DK_RX_PIN;
	UARTE_PSEL_RTS = UARTE_PSEL_DISCONNECTED;
	UARTE_PSEL_CTS = UARTE_PSEL_DISCONNECTED;
	UARTE_CONFIG = 0; /* no parity, no flow control, one stop bit */
	UARTE_BAUDRATE = UARTE_BAUDRATE_1M;
	UARTE_ENABLE = UARTE_ENABLE_ENABLED;

	UARTE_RXD_PTR = (uint32_t)(uintptr_t)rx_ring;
	UARTE_RXD_MAXCNT = RX_RING_SIZE;
	UARTE_SHORTS = UARTE_SHORTS_ENDRX_STARTRX;
	UARTE_TASKS_STARTRX = 1;
	rx_read = rx_confirmed = rx_pending = 0;
}

void port_uart_write(const uint8_t *data, size_t length)
{
	while (length > 0) {
		size_t chunk = length < TX_CHUNK ? length : TX_CHUNK;

		for (size_t i = 0; i < chunk; i++)
			tx_buffer[i] = data[i];
		UARTE_EVENTS_ENDTX = 0;
		UARTE_TXD_PTR = (uint32_t)(uintptr_t)tx_buffer;
		UARTE_TXD_MAXCNT = chunk;
		cortex_m_dsb(); /* the buffer is in RAM before EasyDMA reads it */
		UARTE_TASKS_STARTTX = 1;
		while (!UARTE_EVENTS_ENDTX) {
		}
		data += chunk;
		length -= chunk;
	}
}

int port_uart_read_byte(uint8_t *byte)
{
	uint32_t now;

	dwt_counter_poll();
	now = DWT_CYCCNT;
	if (rx_pending != rx_confirmed && now - rx_pending_at >= RX_SETTLE_CYCLES)
		rx_confirmed = rx_pending;
	if (rx_pending == rx_confirmed) {
		uint32_t count = rx_count();

		if (count != rx_pending) {
			rx_pending = count;
			rx_pending_at = now;
		}
	}
	if (rx_read == rx_confirmed)
		return 0;
	__asm__ volatile("dmb" ::: "memory");
	*byte = rx_ring[rx_read & (RX_RING_SIZE - 1u)];
	rx_read++;
	return 1;
}

uint32_t port_uart_rx_window(void)
{
	return RX_RING_SIZE - RX_WINDOW_MARGIN;
}

void port_idle(void)
{
}

/* ENDTX comes when EasyDMA has handed the last byte over; it still takes
 * up to two character times (the holding and the shift register) to
 * leave: 20 us at 1 Mbit/s. */
void port_uart_drain(void)
{
	uint64_t start = port_counter_read();

	while (port_counter_read() - start < 20u * (NRF52840_CLOCK_HZ / NRF52840_CONSOLE_BAUD)) {
	}
}
