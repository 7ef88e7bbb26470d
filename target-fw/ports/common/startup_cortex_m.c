/*
 * Reset and exception entry shared by the Cortex-M ports: the vector table
 * (system exceptions only, as no port enables a device interrupt), the
 * reset handler that prepares C's memory and calls main, and weak handlers
 * a port overrides by defining a function of the same name.
 */
#include <stdint.h>

#include "cortex_m.h"

typedef void (*exception_handler)(void);

struct cortex_m_vector_table {
	const uint32_t *initial_stack_pointer;
	exception_handler reset;
	exception_handler nmi;
	exception_handler hard_fault;
	exception_handler memory_management_fault;
	exception_handler bus_fault;
	exception_handler usage_fault;
	exception_handler reserved_7_to_10[4];
	exception_handler supervisor_call;
	exception_handler debug_monitor;
	exception_handler reserved_13;
	exception_handler pend_supervisor_call;
	exception_handler systick;
};

/* From target-fw/link/sections.ld. */
extern uint32_t __stack_top[];
extern uint32_t __data_start[];
extern uint32_t __data_end[];
extern const uint32_t __data_load[];
extern uint32_t __bss_start[];
extern uint32_t __bss_end[];

int main(void);
void Reset_Handler(void);

/* A fault the port does not handle stops here, where a debugger finds it. */
static void default_handler(void)
{
	for (;;) {
	}
}

void NMI_Handler(void) __attribute__((weak, alias("default_handler")));
void HardFault_Handler(void) __attribute__((weak, alias("default_handler")));
void MemManage_Handler(void) __attribute__((weak, alias("default_handler")));
void BusFault_Handler(void) __attribute__((weak, alias("default_handler")));
void UsageFault_Handler(void) __attribute__((weak, alias("default_handler")));
void SVC_Handler(void) __attribute__((weak, alias("default_handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("default_handler")));
void PendSV_Handler(void) __attribute__((weak, alias("default_handler")));
void SysTick_Handler(void) __attribute__((weak, alias("default_handler")));

__attribute__((section(".vectors"), used)) static const struct cortex_m_vector_table vectors = {
    .initial_stack_pointer = __stack_top,
    .reset = Reset_Handler,
    .nmi = NMI_Handler,
    .hard_fault = HardFault_Handler,
    .memory_management_fault = MemManage_Handler,
    .bus_fault = BusFault_Handler,
    .usage_fault = UsageFault_Handler,
    .supervisor_call = SVC_Handler,
    .debug_monitor = DebugMon_Handler,
    .pend_supervisor_call = PendSV_Handler,
    .systick = SysTick_Handler,
};

void Reset_Handler(void)
{
	const uint32_t *source = __data_load;
	uint32_t *word;

#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__)
	/* A debugger may start the image from another alias of its flash. */
	SCB_VTOR = (uint32_t)(uintptr_t)&vectors;
#endif
#ifdef __ARM_FP
	/* Before any C code: the compiler may use FPU registers anywhere. */
	SCB_CPACR |= SCB_CPACR_CP10_CP11_FULL;
	cortex_m_dsb();
	cortex_m_isb();
#endif
	for (word = __data_start; word < __data_end; word++)
		*word = *source++;
	for (word = __bss_start; word < __bss_end; word++)
		*word = 0;
	main();
	for (;;) {
	}
}
