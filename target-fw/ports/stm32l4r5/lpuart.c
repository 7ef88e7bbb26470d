/*
 * LPUART1 of the STM32L4R5, the NUCLEO-L4R5ZI's console: 8N1 at
 * STM32L4R5_CONSOLE_BAUD from PCLK1. Transmit and drain are the shared
 * shared/stm32_usart_tx.c (the F7's USART has the same layout); receive runs
 * through DMA1 channel 1 (DMAMUX1 channel 0, request 34, LPUART1_RX) into a
 * ring in RAM, so bytes the host sends ahead while an inference runs are
 * kept without the core's help. RM0432: 8 (PWR_CR2.IOSV: port G's PG2-PG15
 * are powered from VDDIO2, off until it is declared valid), 11 (DMA), 12
 * (DMAMUX, table 41), 8.4 (GPIO) and 52 (LPUART).
 */
#include "cortex_m.h"
#include "harness.h"
#include <stm32_console.h> /* the port's own: LPUART1 or USART1 */
#include "port.h"
#include "dwt_counter.h"
#include "stm32l4r5.h"

#define RCC_BASE		  0x40021000u
#define RCC_AHB1ENR		  CORTEX_M_REGISTER(RCC_BASE + 0x48u)
#define RCC_AHB2ENR		  CORTEX_M_REGISTER(RCC_BASE + 0x4Cu)
#define RCC_APB1ENR2		  CORTEX_M_REGISTER(RCC_BASE + 0x5Cu)
#define RCC_CCIPR		  CORTEX_M_REGISTER(RCC_BASE + 0x88u)
#define RCC_AHB1ENR_DMA1EN	  (1u << 0)
#define RCC_AHB1ENR_DMAMUXEN	  (1u << 2)
#define RCC_AHB2ENR_GPIOGEN	  (1u << 6)
#define RCC_APB1ENR2_LPUART1EN	  (1u << 0)
#define RCC_CCIPR_LPUART1SEL_MASK (3u << 10) /* 00: PCLK1 */

#define PWR_CR2	     CORTEX_M_REGISTER(0x40007000u + 0x04u)
#define PWR_CR2_IOSV (1u << 9)

#define GPIOG_BASE	    0x48001800u
#define GPIOG_MODER	    CORTEX_M_REGISTER(GPIOG_BASE + 0x00u)
#define GPIOG_PUPDR	    CORTEX_M_REGISTER(GPIOG_BASE + 0x0Cu)
#define GPIOG_AFR(pin)	    CORTEX_M_REGISTER(GPIOG_BASE + 0x20u + 4u * ((pin) / 8u))
#define TX_PIN		    7u
#define RX_PIN		    8u
#define GPIO_MODE_ALTERNATE 2u
#define GPIO_PULL_UP	    1u
#define GPIO_AF8_LPUART1    8u

#define LPUART1_BASE	STM32_CONSOLE_BASE
#define LPUART_CR1	CORTEX_M_REGISTER(LPUART1_BASE + 0x00u)
#define LPUART_CR3	CORTEX_M_REGISTER(LPUART1_BASE + 0x08u)
#define LPUART_BRR	CORTEX_M_REGISTER(LPUART1_BASE + 0x0Cu)
#define LPUART_RDR_ADDR (LPUART1_BASE + 0x24u)
#define LPUART_CR1_UE	(1u << 0)
#define LPUART_CR1_RE	(1u << 2)
#define LPUART_CR1_TE	(1u << 3)
#define LPUART_CR3_DMAR (1u << 6)
/* With overrun detection off a late byte overwrites RDR instead of
 * stopping reception: the frame's CRC catches the loss and the host
 * resends. */
#define LPUART_CR3_OVRDIS (1u << 12)

/* LPUART's BRR is 256 * f / baud, at least 0x300 (52.4.6). */
#define LPUART_BRR_VALUE                                                                           \
	((256ull * STM32L4R5_CLOCK_HZ + STM32L4R5_CONSOLE_BAUD / 2u) / STM32L4R5_CONSOLE_BAUD)
#if LPUART_BRR_VALUE < 0x300u || LPUART_BRR_VALUE > 0xFFFFFu
#error "LPUART1's BRR is out of range for this clock and baud"
#endif

/* DMA1 channel 1 (11.6: CCRx at 0x08 + 0x14 * (x - 1)), fed by DMAMUX1
 * channel 0 (DMAMUX1 channels 0-6 drive DMA1 channels 1-7). */
#define DMA1_BASE	  0x40020000u
#define DMA1_CCR1	  CORTEX_M_REGISTER(DMA1_BASE + 0x08u)
#define DMA1_CNDTR1	  CORTEX_M_REGISTER(DMA1_BASE + 0x0Cu)
#define DMA1_CPAR1	  CORTEX_M_REGISTER(DMA1_BASE + 0x10u)
#define DMA1_CMAR1	  CORTEX_M_REGISTER(DMA1_BASE + 0x14u)
#define DMA1_IFCR	  CORTEX_M_REGISTER(DMA1_BASE + 0x04u)
#define DMA1_IFCR_CH1	  0xFu /* CGIF1, CTCIF1, CHTIF1, CTEIF1 */
#define DMA_CCR_EN	  (1u << 0)
#define DMA_CCR_CIRC	  (1u << 5)
#define DMA_CCR_MINC	  (1u << 7)
#define DMAMUX1_C0CR	  CORTEX_M_REGISTER(0x40020800u)
#define DMAMUX_LPUART1_RX 34u

/* The ring: a power of two (wrapping is a mask; a CNDTR read of 0 at the
 * reload maps to position 0), at most 65535 (CNDTR is 16 bits), above one
 * encoded frame (523 bytes) plus the margin. 2 KiB is 0.3% of the RAM. A
 * full ring looks empty, so the host keeps fewer bytes in flight than
 * that, by a margin for bytes outside its count (frame delimiters). */
#define RX_RING_SIZE	 2048u
#define RX_WINDOW_MARGIN 16u
#if (RX_RING_SIZE & (RX_RING_SIZE - 1u)) != 0 || RX_RING_SIZE - RX_WINDOW_MARGIN < 523u
#error "RX_RING_SIZE must be a power of two holding one encoded frame"
#endif

static HARNESS_BSS volatile uint8_t rx_ring[RX_RING_SIZE];
static uint32_t rx_read;

static void pins_init(void)
{
	PWR_CR2 |= PWR_CR2_IOSV; /* PWR's clock is on since clock.c */
	RCC_AHB2ENR |= RCC_AHB2ENR_GPIOGEN;
	(void)RCC_AHB2ENR;

	GPIOG_AFR(TX_PIN) = (GPIOG_AFR(TX_PIN) & ~(0xFu << (4u * (TX_PIN % 8u)))) |
			    GPIO_AF8_LPUART1 << (4u * (TX_PIN % 8u));
	GPIOG_AFR(RX_PIN) = (GPIOG_AFR(RX_PIN) & ~(0xFu << (4u * (RX_PIN % 8u)))) |
			    GPIO_AF8_LPUART1 << (4u * (RX_PIN % 8u));
	GPIOG_PUPDR = (GPIOG_PUPDR & ~(3u << (2u * RX_PIN))) | GPIO_PULL_UP << (2u * RX_PIN);
	GPIOG_MODER = (GPIOG_MODER & ~((3u << (2u * TX_PIN)) | (3u << (2u * RX_PIN)))) |
		      GPIO_MODE_ALTERNATE << (2u * TX_PIN) | GPIO_MODE_ALTERNATE << (2u * RX_PIN);
}

/* Circular, peripheral to memory (DIR 0), bytes on both sides, memory
 * address incrementing, no interrupt. A channel left running by a
 * debugger's core-only reset is stopped first. */
static void rx_dma_start(void)
{
	RCC_AHB1ENR |= RCC_AHB1ENR_DMA1EN | RCC_AHB1ENR_DMAMUXEN;
	(void)RCC_AHB1ENR;

	DMA1_CCR1 = 0;
	DMA1_IFCR = DMA1_IFCR_CH1;
	DMAMUX1_C0CR = DMAMUX_LPUART1_RX;
	DMA1_CPAR1 = LPUART_RDR_ADDR;
	DMA1_CMAR1 = (uint32_t)(uintptr_t)rx_ring;
	DMA1_CNDTR1 = RX_RING_SIZE;
	DMA1_CCR1 = DMA_CCR_MINC | DMA_CCR_CIRC;
	DMA1_CCR1 |= DMA_CCR_EN;
	rx_read = 0;
}

void stm32l4r5_lpuart_init(void)
{
	RCC_APB1ENR2 |= RCC_APB1ENR2_LPUART1EN;
	RCC_CCIPR &= ~RCC_CCIPR_LPUART1SEL_MASK;
	(void)RCC_APB1ENR2;
	pins_init();

	LPUART_CR1 = 0;
	LPUART_BRR = (uint32_t)LPUART_BRR_VALUE;
	rx_dma_start(); /* ready before the receiver starts */
	LPUART_CR3 = LPUART_CR3_DMAR | LPUART_CR3_OVRDIS;
	LPUART_CR1 = LPUART_CR1_UE | LPUART_CR1_TE | LPUART_CR1_RE;
}

/* The DMA stores each byte before it decrements CNDTR and the M4 has no
 * data cache; the DMB keeps the ring read after the CNDTR read. */
int port_uart_read_byte(uint8_t *byte)
{
	uint32_t written;

	dwt_counter_poll();
	written = (RX_RING_SIZE - DMA1_CNDTR1) & (RX_RING_SIZE - 1u);
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

/* Polling: a WFI would need a wake source at least once per CYCCNT wrap
 * (36 s at 120 MHz) and on each byte. */
void port_idle(void)
{
}
