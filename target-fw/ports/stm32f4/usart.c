/*
 * USART2 of the STM32F4, polled, 115200 8N1 from the 16 MHz APB1 clock.
 * Register offsets and bits from RM0390 (sections 6, 7 and 25).
 */
#include "cortex_m.h"
#include "port.h"
#include "stm32f4.h"

#define RCC_BASE	     0x40023800u
#define RCC_AHB1ENR	     CORTEX_M_REGISTER(RCC_BASE + 0x30u)
#define RCC_APB1ENR	     CORTEX_M_REGISTER(RCC_BASE + 0x40u)
#define RCC_AHB1ENR_GPIOAEN  (1u << 0)
#define RCC_APB1ENR_USART2EN (1u << 17)

#define GPIOA_BASE	    0x40020000u
#define GPIOA_MODER	    CORTEX_M_REGISTER(GPIOA_BASE + 0x00u)
#define GPIOA_PUPDR	    CORTEX_M_REGISTER(GPIOA_BASE + 0x0Cu)
#define GPIOA_AFRL	    CORTEX_M_REGISTER(GPIOA_BASE + 0x20u)
#define GPIO_MODE_ALTERNATE 2u
#define GPIO_PULL_UP	    1u
#define GPIO_AF7_USART2	    7u

#define USART2_BASE   0x40004400u
#define USART_SR      CORTEX_M_REGISTER(USART2_BASE + 0x00u)
#define USART_DR      CORTEX_M_REGISTER(USART2_BASE + 0x04u)
#define USART_BRR     CORTEX_M_REGISTER(USART2_BASE + 0x08u)
#define USART_CR1     CORTEX_M_REGISTER(USART2_BASE + 0x0Cu)
#define USART_SR_ORE  (1u << 3)
#define USART_SR_RXNE (1u << 5)
#define USART_SR_TC   (1u << 6)
#define USART_SR_TXE  (1u << 7)
#define USART_CR1_RE  (1u << 2)
#define USART_CR1_TE  (1u << 3)
#define USART_CR1_UE  (1u << 13)

#define TX_PIN 2u
#define RX_PIN 3u

void stm32f4_usart_init(void)
{
	RCC_AHB1ENR |= RCC_AHB1ENR_GPIOAEN;
	RCC_APB1ENR |= RCC_APB1ENR_USART2EN;
	/* An enabled clock takes two bus cycles to reach the peripheral
	 * (errata sheet ES0298): reading the enable register back covers them. */
	(void)RCC_APB1ENR;

	GPIOA_AFRL = (GPIOA_AFRL & ~((0xFu << (4u * TX_PIN)) | (0xFu << (4u * RX_PIN)))) |
		     GPIO_AF7_USART2 << (4u * TX_PIN) | GPIO_AF7_USART2 << (4u * RX_PIN);
	/* A pull-up keeps RX idle (high) when nothing drives it. */
	GPIOA_PUPDR = (GPIOA_PUPDR & ~(3u << (2u * RX_PIN))) | GPIO_PULL_UP << (2u * RX_PIN);
	GPIOA_MODER = (GPIOA_MODER & ~((3u << (2u * TX_PIN)) | (3u << (2u * RX_PIN)))) |
		      GPIO_MODE_ALTERNATE << (2u * TX_PIN) | GPIO_MODE_ALTERNATE << (2u * RX_PIN);

	/* Oversampling by 16: BRR holds the divider in 12.4 fixed point, which
	 * is the clock over the baud rate, rounded (139: 115108 baud, -0.08%). */
	USART_BRR = (STM32F4_HSI_HZ + STM32F4_UART_BAUD / 2u) / STM32F4_UART_BAUD;
	USART_CR1 = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE;
}

void port_uart_write(const uint8_t *data, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		while (!(USART_SR & USART_SR_TXE)) {
		}
		USART_DR = data[i];
	}
}

/* Polling: the USART has a one-byte receive register and no interrupt is set
 * up, so sleeping here could lose bytes. */
void port_idle(void)
{
}

int port_uart_read_byte(uint8_t *byte)
{
	uint32_t status = USART_SR;

	stm32f4_counter_poll();
	/* Reading DR after SR also clears an overrun; the byte lost to it
	 * breaks that frame's CRC, and the host resends. */
	if (!(status & (USART_SR_RXNE | USART_SR_ORE)))
		return 0;
	*byte = (uint8_t)USART_DR;
	return (status & USART_SR_RXNE) != 0;
}

void stm32f4_usart_drain(void)
{
	while (!(USART_SR & USART_SR_TC)) {
	}
}
