/*
 * UART0 of the RP2040 (an Arm PL011), the Pico's console: 8N1 at
 * RP2040_CONSOLE_BAUD from clk_peri. Transmit is polled; receive runs
 * through DMA channel 0, paced by UART0's receive request (DREQ 21), into
 * a ring: the channel's write address wraps within the ring (RING_SEL,
 * RING_SIZE), and where it points is the write position. RP2040 datasheet
 * 4.2 (UART), 2.5 (DMA: 2.5.3.2 address wrapping), 2.19 (GPIO).
 */
#include "harness.h"
#include "port.h"
#include "port_drain.h"
#include "rp2040.h"

#define UART0_BASE	  0x40034000u
#define UART_DR_ADDR	  (UART0_BASE + 0x000u)
#define UART_DR		  CORTEX_M_REGISTER(UART_DR_ADDR)
#define UART_FR		  CORTEX_M_REGISTER(UART0_BASE + 0x018u)
#define UART_IBRD	  CORTEX_M_REGISTER(UART0_BASE + 0x024u)
#define UART_FBRD	  CORTEX_M_REGISTER(UART0_BASE + 0x028u)
#define UART_LCR_H	  CORTEX_M_REGISTER(UART0_BASE + 0x02Cu)
#define UART_CR		  CORTEX_M_REGISTER(UART0_BASE + 0x030u)
#define UART_DMACR	  CORTEX_M_REGISTER(UART0_BASE + 0x048u)
#define UART_FR_BUSY	  (1u << 3)
#define UART_FR_TXFF	  (1u << 5)
#define UART_LCR_H_FEN	  (1u << 4)
#define UART_LCR_H_WLEN_8 (3u << 5)
#define UART_CR_UARTEN	  (1u << 0)
#define UART_CR_TXE	  (1u << 8)
#define UART_CR_RXE	  (1u << 9)
#define UART_DMACR_RXDMAE (1u << 0)

/* The divider in 1/64ths, rounded, as the PL011 takes it: integer part
 * IBRD, fraction FBRD. */
#define BAUD_DIV_X128 (8ull * RP2040_CLOCK_HZ / RP2040_CONSOLE_BAUD)
#define BAUD_IBRD     (BAUD_DIV_X128 >> 7)
#define BAUD_FBRD     (((BAUD_DIV_X128 & 0x7Fu) + 1u) / 2u)

#define TX_PIN	     0u
#define RX_PIN	     1u
#define FUNCSEL_UART 2u
#define PADS_PDE     (1u << 2)
#define PADS_PUE     (1u << 3)

#define DMA_BASE		 0x50000000u
#define DMA_CH0_READ_ADDR	 CORTEX_M_REGISTER(DMA_BASE + 0x000u)
#define DMA_CH0_WRITE_ADDR	 CORTEX_M_REGISTER(DMA_BASE + 0x004u)
#define DMA_CH0_TRANS_COUNT	 CORTEX_M_REGISTER(DMA_BASE + 0x008u)
#define DMA_CH0_CTRL_TRIG	 CORTEX_M_REGISTER(DMA_BASE + 0x00Cu)
#define DMA_CTRL_EN		 (1u << 0)
#define DMA_CTRL_INCR_WRITE	 (1u << 5)
#define DMA_CTRL_RING_SIZE(log2) ((uint32_t)(log2) << 6)
#define DMA_CTRL_RING_SEL_WRITE	 (1u << 10)
#define DMA_CTRL_CHAIN_TO(ch)	 ((uint32_t)(ch) << 11) /* itself: no chaining */
#define DMA_CTRL_TREQ(dreq)	 ((uint32_t)(dreq) << 15)
#define DREQ_UART0_RX		 21u

/* The ring: 2^RX_RING_LOG2 bytes, aligned to its size as address wrapping
 * needs; above one encoded frame (523 bytes) plus the margin. The transfer
 * count is the largest there is: at 921600 bit/s it lasts 13 hours of
 * continuous input, longer than any run. */
#define RX_RING_LOG2	 11u
#define RX_RING_SIZE	 (1u << RX_RING_LOG2)
#define RX_WINDOW_MARGIN 16u
#if RX_RING_SIZE - RX_WINDOW_MARGIN < 523u
#error "the receive window must hold one encoded frame (523 bytes)"
#endif

static HARNESS_BSS volatile uint8_t rx_ring[RX_RING_SIZE] __attribute__((aligned(RX_RING_SIZE)));
static uint32_t rx_read;

static void pins_init(void)
{
	rp2040_unreset(RESETS_IO_BANK0 | RESETS_PADS_BANK0);
	IO_BANK0_GPIO_CTRL(TX_PIN) = FUNCSEL_UART;
	IO_BANK0_GPIO_CTRL(RX_PIN) = FUNCSEL_UART;
	/* RX idles high when nothing drives it. */
	PADS_BANK0_GPIO(RX_PIN) = (PADS_BANK0_GPIO(RX_PIN) & ~PADS_PDE) | PADS_PUE;
}

static void rx_dma_start(void)
{
	rp2040_unreset(RESETS_DMA);
	DMA_CH0_READ_ADDR = UART_DR_ADDR;
	DMA_CH0_WRITE_ADDR = (uint32_t)(uintptr_t)rx_ring;
	DMA_CH0_TRANS_COUNT = 0xFFFFFFFFu;
	/* Bytes (DATA_SIZE 0), read address fixed, write address wrapping in
	 * the ring; writing CTRL_TRIG starts it. */
	DMA_CH0_CTRL_TRIG = DMA_CTRL_EN | DMA_CTRL_INCR_WRITE | DMA_CTRL_RING_SIZE(RX_RING_LOG2) |
			    DMA_CTRL_RING_SEL_WRITE | DMA_CTRL_CHAIN_TO(0) |
			    DMA_CTRL_TREQ(DREQ_UART0_RX);
	rx_read = 0;
}

void rp2040_uart_init(void)
{
	rp2040_unreset(RESETS_UART0);
	pins_init();
	UART_IBRD = (uint32_t)BAUD_IBRD;
	UART_FBRD = (uint32_t)BAUD_FBRD;
	/* The divider takes effect with this write (4.2.7.1); the FIFOs on, so
	 * DREQ asks for each byte as it arrives. */
	UART_LCR_H = UART_LCR_H_WLEN_8 | UART_LCR_H_FEN;
	UART_DMACR = UART_DMACR_RXDMAE;
	rx_dma_start();
	UART_CR = UART_CR_UARTEN | UART_CR_TXE | UART_CR_RXE;
}

void port_uart_write(const uint8_t *data, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		while (UART_FR & UART_FR_TXFF) {
		}
		UART_DR = data[i];
	}
}

/* The write address moves after the byte's write completes; the M0+ has
 * no cache, and the DMB keeps the ring read after the address read. */
int port_uart_read_byte(uint8_t *byte)
{
	uint32_t written =
	    (DMA_CH0_WRITE_ADDR - (uint32_t)(uintptr_t)rx_ring) & (RX_RING_SIZE - 1u);

	if (written == rx_read)
		return 0;
	__asm__ volatile("dmb" ::: "memory");
	*byte = rx_ring[rx_read];
	rx_read = (rx_read + 1u) & (RX_RING_SIZE - 1u);
	return 1;
}

uint32_t port_uart_rx_window(void)
{
	return RX_RING_SIZE - RX_WINDOW_MARGIN;
}

void port_idle(void)
{
}

/* BUSY stays set until the last bit of the last byte has left. */
void port_uart_drain(void)
{
	while (UART_FR & UART_FR_BUSY) {
	}
}
