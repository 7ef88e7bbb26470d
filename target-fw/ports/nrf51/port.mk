# The nRF51's Cortex-M0 has SysTick and nothing better, as the MPS2 images
# under QEMU: the mps2 port's SysTick counter serves here too.
PORT_SHARED := mps2/counter_systick.c mps2/tick_sync.c mps2/semihosting.c
# Their inline assembly is written in unified syntax ("subs r0, r0, #1"),
# which GCC assumes for Thumb-2 but not for ARMv6-M's Thumb.
PORT_CFLAGS := -masm-syntax-unified

# 16 KiB of RAM: the default 8 KiB stack would leave little for a model. The
# firmware's own deepest stack is under 1 KiB (stack_high_water).
ifeq ($(origin STACK_SIZE),file)
STACK_SIZE := 4096
endif
