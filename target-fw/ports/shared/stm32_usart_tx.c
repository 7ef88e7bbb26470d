/*
 * Transmit and drain of the STM32 USART and LPUART in the layout the L4,
 * L4+ and F7 share (ISR at 0x1C, TDR at 0x28: RM0432 52.7, RM0385 34.8;
 * not the F4's SR/DR one), polled. The port's <stm32_console.h> names the
 * instance; its receive path, which differs with the DMA, stays the port's.
 */
#include "cortex_m.h"
#include "port.h"
#include "port_drain.h"
/* In angle brackets: found in the port's own folder, first on the path. */
#include <stm32_console.h>

#define USART_ISR     CORTEX_M_REGISTER(STM32_CONSOLE_BASE + 0x1Cu)
#define USART_TDR     CORTEX_M_REGISTER(STM32_CONSOLE_BASE + 0x28u)
#define USART_ISR_TC  (1u << 6)
#define USART_ISR_TXE (1u << 7)

void port_uart_write(const uint8_t *data, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		while (!(USART_ISR & USART_ISR_TXE)) {
		}
		USART_TDR = data[i];
	}
}

/* TC: the last frame, stop bit included, has left the shift register. */
void port_uart_drain(void)
{
	while (!(USART_ISR & USART_ISR_TC)) {
	}
}
