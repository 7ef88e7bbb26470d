/*
 * USART1 of the STM32F746, the DISCO's console: 8N1 at
 * STM32F7_CONSOLE_BAUD from APB2, oversampling by 16. Transmit and drain
 * are shared/stm32_usart_tx.c, as on the L4R5's LPUART1;
 * receive runs through DMA2 stream 2 channel 4 (USART1_RX, RM0385 table
 * 27) into a ring in RAM in circular mode, so bytes the host sends ahead
 * while an inference runs are kept without the core's help. RM0385: 8
 * (DMA), 6 (GPIO), 34 (USART).
 */
#include "cortex_m.h"
#include "dwt_counter.h"
#include "harness.h"
#include <stm32_console.h> /* the port's own: LPUART1 or USART1 */
#include "port.h"
#include "stm32f7.h"

#define RCC_AHB1ENR		    CORTEX_M_REGISTER(0x40023800u + 0x30u)
#define RCC_APB2ENR		    CORTEX_M_REGISTER(0x40023800u + 0x44u)
#define RCC_DCKCFGR2		    CORTEX_M_REGISTER(0x40023800u + 0x90u)
#define RCC_AHB1ENR_GPIOAEN	    (1u << 0)
#define RCC_AHB1ENR_GPIOBEN	    (1u << 1)
#define RCC_AHB1ENR_DMA2EN	    (1u << 22)
#define RCC_APB2ENR_USART1EN	    (1u << 4)
#define RCC_DCKCFGR2_USART1SEL_MASK 3u /* 00: APB2 */

#define GPIOA_BASE	    0x40020000u
#define GPIOB_BASE	    0x40020400u
#define GPIO_MODER(base)    CORTEX_M_REGISTER((base) + 0x00u)
#define GPIO_PUPDR(base)    CORTEX_M_REGISTER((base) + 0x0Cu)
#define GPIO_AFR(base, pin) CORTEX_M_REGISTER((base) + 0x20u + 4u * ((pin) / 8u))
#define TX_PIN		    9u /* PA9 */
#define RX_PIN		    7u /* PB7 */
#define GPIO_MODE_ALTERNATE 2u
#define GPIO_PULL_UP	    1u
#define GPIO_AF7_USART1	    7u

#define USART1_BASE	 STM32_CONSOLE_BASE
#define USART_CR1	 CORTEX_M_REGISTER(USART1_BASE + 0x00u)
#define USART_CR3	 CORTEX_M_REGISTER(USART1_BASE + 0x08u)
#define USART_BRR	 CORTEX_M_REGISTER(USART1_BASE + 0x0Cu)
#define USART_RDR_ADDR	 (USART1_BASE + 0x24u)
#define USART_CR1_UE	 (1u << 0)
#define USART_CR1_RE	 (1u << 2)
#define USART_CR1_TE	 (1u << 3)
#define USART_CR3_DMAR	 (1u << 6)
#define USART_CR3_OVRDIS (1u << 12) /* a late byte overwrites RDR; the CRC catches it */
#define USART_BRR_VALUE	 ((STM32F7_APB2_HZ + STM32F7_CONSOLE_BAUD / 2u) / STM32F7_CONSOLE_BAUD)

#define DMA2_BASE	   0x40026400u
#define DMA2_LIFCR	   CORTEX_M_REGISTER(DMA2_BASE + 0x08u)
#define RX_STREAM	   2u
#define RX_STREAM_BASE	   (DMA2_BASE + 0x10u + 0x18u * RX_STREAM)
#define RX_STREAM_CR	   CORTEX_M_REGISTER(RX_STREAM_BASE + 0x00u)
#define RX_STREAM_NDTR	   CORTEX_M_REGISTER(RX_STREAM_BASE + 0x04u)
#define RX_STREAM_PAR	   CORTEX_M_REGISTER(RX_STREAM_BASE + 0x08u)
#define RX_STREAM_M0AR	   CORTEX_M_REGISTER(RX_STREAM_BASE + 0x0Cu)
#define RX_STREAM_FCR	   CORTEX_M_REGISTER(RX_STREAM_BASE + 0x14u)
#define RX_CHANNEL	   4u
#define DMA_SXCR_EN	   (1u << 0)
#define DMA_SXCR_CIRC	   (1u << 8)
#define DMA_SXCR_MINC	   (1u << 10)
#define DMA_SXCR_CHSEL(ch) ((uint32_t)(ch) << 25)
/* Stream 2's flags in LIFCR: FEIF2 (16), DMEIF2 (18), TEIF2 (19), HTIF2
 * (20), TCIF2 (21). */
#define DMA_LIFCR_STREAM2 ((1u << 16) | (1u << 18) | (1u << 19) | (1u << 20) | (1u << 21))

/* A power of two (wrapping is a mask; an NDTR of 0 at the reload maps to
 * 0), at most 65535 (NDTR is 16 bits), above one encoded frame plus the
 * margin; aligned to cache lines so that invalidating them touches
 * nothing else. */
#define RX_RING_SIZE	 2048u
#define RX_WINDOW_MARGIN 16u
#if (RX_RING_SIZE & (RX_RING_SIZE - 1u)) != 0 || RX_RING_SIZE - RX_WINDOW_MARGIN < 523u
#error "RX_RING_SIZE must be a power of two holding one encoded frame"
#endif

static HARNESS_BSS volatile uint8_t rx_ring[RX_RING_SIZE] __attribute__((aligned(32)));
static uint32_t rx_read;

static void set_alternate(uint32_t base, uint32_t pin)
{
	GPIO_AFR(base, pin) = (GPIO_AFR(base, pin) & ~(0xFu << (4u * (pin % 8u)))) |
			      GPIO_AF7_USART1 << (4u * (pin % 8u));
	GPIO_MODER(base) = (GPIO_MODER(base) & ~(3u << (2u * pin))) | GPIO_MODE_ALTERNATE
									  << (2u * pin);
}

static void rx_dma_start(void)
{
	RCC_AHB1ENR |= RCC_AHB1ENR_DMA2EN;
	(void)RCC_AHB1ENR;
	RX_STREAM_CR = 0;
	while (RX_STREAM_CR & DMA_SXCR_EN) {
	}
	DMA2_LIFCR = DMA_LIFCR_STREAM2;
	RX_STREAM_PAR = USART_RDR_ADDR;
	RX_STREAM_M0AR = (uint32_t)(uintptr_t)rx_ring;
	RX_STREAM_NDTR = RX_RING_SIZE;
	RX_STREAM_FCR = 0; /* direct mode: each byte to memory as it comes */
	RX_STREAM_CR = DMA_SXCR_CHSEL(RX_CHANNEL) | DMA_SXCR_MINC | DMA_SXCR_CIRC;
	RX_STREAM_CR |= DMA_SXCR_EN;
	rx_read = 0;
}

void stm32f7_usart_init(void)
{
	RCC_AHB1ENR |= RCC_AHB1ENR_GPIOAEN | RCC_AHB1ENR_GPIOBEN;
	RCC_APB2ENR |= RCC_APB2ENR_USART1EN;
	RCC_DCKCFGR2 &= ~RCC_DCKCFGR2_USART1SEL_MASK;
	(void)RCC_APB2ENR;
	set_alternate(GPIOA_BASE, TX_PIN);
	set_alternate(GPIOB_BASE, RX_PIN);
	GPIO_PUPDR(GPIOB_BASE) =
	    (GPIO_PUPDR(GPIOB_BASE) & ~(3u << (2u * RX_PIN))) | GPIO_PULL_UP << (2u * RX_PIN);

	USART_CR1 = 0;
	USART_BRR = USART_BRR_VALUE;
	rx_dma_start();
	USART_CR3 = USART_CR3_DMAR | USART_CR3_OVRDIS;
	USART_CR1 = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE;
}

/* The DMA stores a byte before NDTR counts it. The core reads the ring
 * only after invalidating the byte's cache line, every time: a line
 * fetched while the DMA was still filling it would otherwise hide the
 * later bytes (the core never writes the ring, so no line is dirty). */
int port_uart_read_byte(uint8_t *byte)
{
	uint32_t written;

	dwt_counter_poll();
	written = (RX_RING_SIZE - RX_STREAM_NDTR) & (RX_RING_SIZE - 1u);
	if (written == rx_read)
		return 0;
	stm32f7_dcache_invalidate_line(&rx_ring[rx_read]);
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
