/*
 * The console USART of the STM32F4 (stm32f4_board.h picks USART1 or USART2
 * and its pins), 115200 8N1 from the 16 MHz bus clock. Transmit is polled.
 * Receive runs through DMA into a ring in RAM, so bytes the host sends
 * ahead while the core computes an inference are kept; a board without
 * the DMA (QEMU's netduinoplus2, which leaves DMA1 and DMA2 unimplemented)
 * polls the data register instead.
 * Register offsets and bits from RM0390 (sections 6, 7, 9 and 25).
 */
#include "harness.h"
#include "cortex_m.h"
#include "port.h"
#include "port_drain.h"
#include "stm32f4.h"
/* In angle brackets: the include path, where a port reusing these files puts
 * its own folder first, decides which board this is (quotes would search
 * this folder first). */
#include <stm32f4_board.h>

#define RCC_BASE	    0x40023800u
#define RCC_AHB1ENR	    CORTEX_M_REGISTER(RCC_BASE + 0x30u)
#define RCC_APB1ENR	    CORTEX_M_REGISTER(RCC_BASE + 0x40u)
#define RCC_APB2ENR	    CORTEX_M_REGISTER(RCC_BASE + 0x44u)
#define RCC_AHB1ENR_GPIOAEN (1u << 0)
#define RCC_AHB1ENR_DMA1EN  (1u << 21) /* 6.3.10 */

/* The instances usart.c knows: registers, the enable bit of their bus
 * clock and their interrupt (RM0390 table 38). Both buses run at the HSI
 * rate: the port sets no prescaler. */
#if STM32F4_BOARD_CONSOLE_USART == 1
#define USART_BASE    0x40011000u
#define USART_RCC_ENR RCC_APB2ENR
#define USART_RCC_EN  (1u << 4)
#define USART_IRQ     37u
#elif STM32F4_BOARD_CONSOLE_USART == 2
#define USART_BASE    0x40004400u
#define USART_RCC_ENR RCC_APB1ENR
#define USART_RCC_EN  (1u << 17)
#define USART_IRQ     38u
#else
#error "STM32F4_BOARD_CONSOLE_USART must be 1 or 2"
#endif

/* Both USARTs' pins sit on port A (PA9/PA10, PA2/PA3) at AF7. */
#define GPIOA_BASE	    0x40020000u
#define GPIOA_MODER	    CORTEX_M_REGISTER(GPIOA_BASE + 0x00u)
#define GPIOA_PUPDR	    CORTEX_M_REGISTER(GPIOA_BASE + 0x0Cu)
#define GPIOA_AFR(pin)	    CORTEX_M_REGISTER(GPIOA_BASE + 0x20u + 4u * ((pin) / 8u))
#define GPIO_MODE_ALTERNATE 2u
#define GPIO_PULL_UP	    1u
#define GPIO_AF7_USART	    7u

#define USART_SR	 CORTEX_M_REGISTER(USART_BASE + 0x00u)
#define USART_DR_ADDR	 (USART_BASE + 0x04u)
#define USART_DR	 CORTEX_M_REGISTER(USART_DR_ADDR)
#define USART_BRR	 CORTEX_M_REGISTER(USART_BASE + 0x08u)
#define USART_CR1	 CORTEX_M_REGISTER(USART_BASE + 0x0Cu)
#define USART_CR3	 CORTEX_M_REGISTER(USART_BASE + 0x14u) /* 25.6.6 */
#define USART_SR_RXNE	 (1u << 5)
#define USART_SR_TC	 (1u << 6)
#define USART_SR_TXE	 (1u << 7)
#define USART_CR1_RE	 (1u << 2)
#define USART_CR1_TE	 (1u << 3)
#define USART_CR1_RXNEIE (1u << 5)
#define USART_CR1_UE	 (1u << 13)
#define USART_CR3_DMAR	 (1u << 6) /* a received byte raises a DMA request */

/* DMA1 (9.5, register map 9.5.11). USART2_RX is request channel 4 of
 * stream 5 (table 28, DMA1 request mapping). A stream's registers start at
 * 0x10 + 0x18 * stream; streams 4-7 report in HISR and clear in HIFCR. */
#if STM32F4_BOARD_CONSOLE_RX_DMA && STM32F4_BOARD_CONSOLE_USART != 2
#error "DMA receive is wired for USART2 only (DMA1 stream 5 channel 4)"
#endif
#define DMA1_BASE	   0x40026000u
#define DMA1_HIFCR	   CORTEX_M_REGISTER(DMA1_BASE + 0x0Cu) /* 9.5.4 */
#define RX_STREAM	   5u
#define RX_STREAM_BASE	   (DMA1_BASE + 0x10u + 0x18u * RX_STREAM)
#define RX_STREAM_CR	   CORTEX_M_REGISTER(RX_STREAM_BASE + 0x00u) /* 9.5.5 */
#define RX_STREAM_NDTR	   CORTEX_M_REGISTER(RX_STREAM_BASE + 0x04u) /* 9.5.6 */
#define RX_STREAM_PAR	   CORTEX_M_REGISTER(RX_STREAM_BASE + 0x08u) /* 9.5.7 */
#define RX_STREAM_M0AR	   CORTEX_M_REGISTER(RX_STREAM_BASE + 0x0Cu) /* 9.5.8 */
#define RX_STREAM_FCR	   CORTEX_M_REGISTER(RX_STREAM_BASE + 0x14u) /* 9.5.10 */
#define RX_CHANNEL	   4u
#define DMA_SXCR_EN	   (1u << 0)
#define DMA_SXCR_CIRC	   (1u << 8)
#define DMA_SXCR_MINC	   (1u << 10)
#define DMA_SXCR_CHSEL(ch) ((uint32_t)(ch) << 25)
/* Stream 5's flags in HIFCR: FEIF5 (6), DMEIF5 (8), TEIF5 (9), HTIF5 (10),
 * TCIF5 (11). */
#define DMA_HIFCR_STREAM5 ((1u << 6) | (1u << 8) | (1u << 9) | (1u << 10) | (1u << 11))

/* The console's interrupt. As on the emulated ports, the polled receive
 * path enables it in the NVIC only while PRIMASK is set around a WFI, to
 * wake it: the handler never runs and the pending state is cleared by
 * hand, so the vector table needs no entry for it. */
#define USART_IRQ_BIT	(1u << (USART_IRQ % 32u))
#define USART_IRQ_WORD	(4u * (USART_IRQ / 32u))
#define NVIC_ISER_USART CORTEX_M_REGISTER(0xE000E100u + USART_IRQ_WORD)
#define NVIC_ICER_USART CORTEX_M_REGISTER(0xE000E180u + USART_IRQ_WORD)
#define NVIC_ICPR_USART CORTEX_M_REGISTER(0xE000E280u + USART_IRQ_WORD)

#define TX_PIN STM32F4_BOARD_CONSOLE_TX_PIN
#define RX_PIN STM32F4_BOARD_CONSOLE_RX_PIN

/* What the host may send ahead while an inference runs. One encoded frame
 * (523 bytes) is the minimum; 2 KiB takes a whole int8 fmnist input (784
 * bytes in two frames) with room to spare, or most of its float32 input
 * (3136 bytes), for 1.6% of the RAM (the model arena shrinks by as much).
 * A power of two so that wrapping is a mask, which also maps an NDTR of 0
 * (should a read catch the circular reload) to position 0. At most 65535:
 * NDTR is 16 bits. */
#define RX_RING_SIZE 2048u

/* A full ring looks the same as an empty one (the DMA position equals the
 * read position), and the DMA never says when it laps the reader, so the
 * host must keep fewer bytes than the ring in flight. The margin is that
 * one byte plus a few the host may send outside its count, such as
 * delimiters that resynchronise the line (frame.h). */
#define RX_WINDOW_MARGIN 16u

/* Polled, the window rests on the emulator: QEMU's USART model takes the
 * next byte from its chardev only once the data register has been read,
 * so bytes the host sends ahead wait in the host's socket and none is lost
 * however long an inference runs (the window of the mps2 and nrf51 ports). */
#define RX_POLLED_WINDOW 8192u

#if (RX_RING_SIZE & (RX_RING_SIZE - 1u)) != 0 || RX_RING_SIZE > 65535u
#error "RX_RING_SIZE must be a power of two that fits NDTR"
#endif
#if RX_RING_SIZE - RX_WINDOW_MARGIN < 523u
#error "the receive window must hold one encoded frame (523 bytes)"
#endif

#if STM32F4_BOARD_CONSOLE_RX_DMA
/* Written only by the DMA, read only by port_uart_read_byte. */
static HARNESS_BSS volatile uint8_t rx_ring[RX_RING_SIZE];
static uint32_t rx_read;

/* Points DMA1 stream 5 at the ring in circular mode and starts it. Follows
 * the stream configuration procedure (9.3): a stream still running
 * (after a core-only reset from a debugger) is stopped first, and its old
 * flags are cleared, or it would not restart. */
static void rx_dma_start(void)
{
	RCC_AHB1ENR |= RCC_AHB1ENR_DMA1EN;
	(void)RCC_AHB1ENR; /* two bus cycles to reach the DMA (ES0298) */

	RX_STREAM_CR = 0;
	while (RX_STREAM_CR & DMA_SXCR_EN) {
	}
	DMA1_HIFCR = DMA_HIFCR_STREAM5;

	RX_STREAM_PAR = USART_DR_ADDR;
	RX_STREAM_M0AR = (uint32_t)(uintptr_t)rx_ring;
	RX_STREAM_NDTR = RX_RING_SIZE;
	/* Direct mode (DMDIS = 0): each byte goes to memory as it arrives.
	 * The FIFO would hold bytes back until its threshold (9.3, FIFO). */
	RX_STREAM_FCR = 0;
	/* Peripheral to memory (DIR = 0), byte on both sides (PSIZE = MSIZE =
	 * 0), the DMA as flow controller (PFCTRL = 0, which circular mode
	 * needs), memory address incrementing and, in circular mode, NDTR
	 * reloading at the end of the ring (9.3.9). No interrupt. */
	RX_STREAM_CR = DMA_SXCR_CHSEL(RX_CHANNEL) | DMA_SXCR_MINC | DMA_SXCR_CIRC;
	RX_STREAM_CR |= DMA_SXCR_EN;
	rx_read = 0;
}

/* In direct mode the DMA stores each byte in RAM before it decrements NDTR
 * (9.3.3), and the Cortex-M4 has no data cache, so a byte the NDTR read
 * counts is already in RAM. The DMB keeps the ring read after the NDTR read
 * (the architecture lets a Normal-memory load pass a Device-memory one);
 * the volatile ring keeps the compiler from reading it early or caching it.
 * The DMA never writes the byte at rx_read while the host keeps within
 * port_uart_rx_window(), and rx_read is only touched here. A byte lost to
 * a USART overrun (unexpected: the DMA answers within a microsecond, a
 * byte takes 87 us) breaks its frame's CRC, and the host resends. */
int port_uart_read_byte(uint8_t *byte)
{
	uint32_t written;

	stm32f4_counter_poll();
	written = (RX_RING_SIZE - RX_STREAM_NDTR) & (RX_RING_SIZE - 1u);
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

/* Still polling. The DMA keeps receiving while the core sleeps, so a WFI
 * idle is now possible; it needs a wake source first (the USART's IDLE
 * interrupt, or SysTick), since the DMA consumes RXNE and no interrupt is
 * set up, and it must wake at least once per CYCCNT wrap (shared/counter_dwt.c). */
void port_idle(void)
{
}

#else /* polled receive */

int port_uart_read_byte(uint8_t *byte)
{
	stm32f4_counter_poll();
	if (!(USART_SR & USART_SR_RXNE))
		return 0;
	*byte = (uint8_t)USART_DR;
	return 1;
}

uint32_t port_uart_rx_window(void)
{
	return RX_POLLED_WINDOW;
}

/* Sleeping rather than polling lets QEMU's CPU thread yield to the USART
 * (mps2/uart_cmsdk.c). RXNEIE holds the interrupt line up while a byte
 * waits; reading the data register drops it. */
void port_idle(void)
{
	__asm volatile("cpsid i" ::: "memory");
	NVIC_ISER_USART = USART_IRQ_BIT;
	if (!(USART_SR & USART_SR_RXNE))
		__asm volatile("wfi" ::: "memory");
	NVIC_ICER_USART = USART_IRQ_BIT;
	NVIC_ICPR_USART = USART_IRQ_BIT;
	__asm volatile("dsb\n\tisb\n\tcpsie i" ::: "memory");
}

#endif

static void pins_init(void)
{
	RCC_AHB1ENR |= RCC_AHB1ENR_GPIOAEN;
	(void)RCC_AHB1ENR; /* two bus cycles to reach the port (ES0298) */

	GPIOA_AFR(TX_PIN) = (GPIOA_AFR(TX_PIN) & ~(0xFu << (4u * (TX_PIN % 8u)))) |
			    GPIO_AF7_USART << (4u * (TX_PIN % 8u));
	GPIOA_AFR(RX_PIN) = (GPIOA_AFR(RX_PIN) & ~(0xFu << (4u * (RX_PIN % 8u)))) |
			    GPIO_AF7_USART << (4u * (RX_PIN % 8u));
	/* A pull-up keeps RX idle (high) when nothing drives it. */
	GPIOA_PUPDR = (GPIOA_PUPDR & ~(3u << (2u * RX_PIN))) | GPIO_PULL_UP << (2u * RX_PIN);
	GPIOA_MODER = (GPIOA_MODER & ~((3u << (2u * TX_PIN)) | (3u << (2u * RX_PIN)))) |
		      GPIO_MODE_ALTERNATE << (2u * TX_PIN) | GPIO_MODE_ALTERNATE << (2u * RX_PIN);
}

void stm32f4_usart_init(void)
{
	USART_RCC_ENR |= USART_RCC_EN;
	/* An enabled clock takes two bus cycles to reach the peripheral
	 * (errata sheet ES0298): reading the enable register back covers them. */
	(void)USART_RCC_ENR;
	pins_init();

	/* Oversampling by 16: BRR holds the divider in 12.4 fixed point, which
	 * is the clock over the baud rate, rounded (139: 115108 baud, -0.08%). */
	USART_BRR = (STM32F4_HSI_HZ + STM32F4_UART_BAUD / 2u) / STM32F4_UART_BAUD;
#if STM32F4_BOARD_CONSOLE_RX_DMA
	/* The stream is ready before the receiver starts, so the first byte
	 * already has somewhere to go (25.4, continuous communication using
	 * DMA). */
	rx_dma_start();
	USART_CR3 = USART_CR3_DMAR;
	USART_CR1 = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE;
#else
	/* RXNEIE only raises the line that wakes port_idle's WFI. */
	USART_CR3 = 0;
	USART_CR1 = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE | USART_CR1_RXNEIE;
#endif
}

void port_uart_write(const uint8_t *data, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		while (!(USART_SR & USART_SR_TXE)) {
		}
		USART_DR = data[i];
	}
}

void port_uart_drain(void)
{
	while (!(USART_SR & USART_SR_TC)) {
	}
}
