/* The firmware's port on the host: see fw_host_port.h. */
#include "fw_host_port.h"

#include <setjmp.h>
#include <string.h>

#include "build_info.h"
#include "frame.h"
#include "messages.h"
#include "port.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FW_HOST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FW_HOST_ASAN 1
#endif
#ifdef FW_HOST_ASAN
#include <sanitizer/asan_interface.h>
#endif

/* Ticks the counter advances per read: any step will do, none is measured. */
#define FW_HOST_TICK_STEP 25u

_Alignas(16) uint8_t fw_host_region[FW_HOST_REGION_BYTES];
_Alignas(16) uint8_t fw_host_ram[FW_HOST_RAM_BYTES];
_Alignas(16) uint32_t fw_host_stack[FW_HOST_STACK_BYTES / 4];

/* The linker symbols of target-fw/link/sections.ld, on the arrays above. */
#define FW_HOST_STRING(x) #x
#define FW_HOST_SYMBOL(name, base, offset)                                                         \
	".globl " #name "\n.set " #name ", " #base " + " FW_HOST_STRING(offset) "\n"
__asm__(FW_HOST_SYMBOL(__model_start, fw_host_region, 0)
	    FW_HOST_SYMBOL(__model_end, fw_host_region, 65536)
		FW_HOST_SYMBOL(__arena_start, fw_host_ram, 0)
		    FW_HOST_SYMBOL(__arena_end, fw_host_ram, 65536)
			FW_HOST_SYMBOL(__stack_bottom, fw_host_stack, 0)
			    FW_HOST_SYMBOL(__stack_top, fw_host_stack, 1024));
_Static_assert(FW_HOST_REGION_BYTES == 65536 && FW_HOST_RAM_BYTES == 65536 &&
		   FW_HOST_STACK_BYTES == 1024,
	       "the symbols above spell the sizes out");

static uint8_t tx[FW_HOST_TX_BYTES];
static size_t tx_length;
static uint64_t counter;
static uint64_t reads_left;
static int exit_status;
static void (*counter_hook)(void);
static jmp_buf *escape;
static enum fw_host_end end_reason;

void fw_host_reset(uint64_t counter_read_budget)
{
	tx_length = 0;
	counter = 0;
	reads_left = counter_read_budget;
	exit_status = -1;
}

enum fw_host_end fw_host_run(void (*call)(void *argument), void *argument)
{
	jmp_buf here;

	escape = &here;
	end_reason = FW_HOST_RETURNED;
	if (setjmp(here) == 0)
		call(argument);
	escape = NULL;
	return end_reason;
}

static void fw_host_leave(enum fw_host_end end)
{
	end_reason = end;
	if (escape)
		longjmp(*escape, 1);
	__builtin_trap(); /* firmware code outside fw_host_run() */
}

const uint8_t *fw_host_tx(size_t *length)
{
	*length = tx_length;
	return tx;
}

void fw_host_tx_take(void)
{
	tx_length = 0;
}

int fw_host_exit_status(void)
{
	return exit_status;
}

void fw_host_set_counter_hook(void (*hook)(void))
{
	counter_hook = hook;
}

void fw_host_poison(size_t image_bytes, size_t keep_start, size_t keep_end)
{
#ifdef FW_HOST_ASAN
	if (image_bytes < FW_HOST_REGION_BYTES)
		ASAN_POISON_MEMORY_REGION(fw_host_region + image_bytes,
					  FW_HOST_REGION_BYTES - image_bytes);
	if (keep_start > 0)
		ASAN_POISON_MEMORY_REGION(fw_host_ram, keep_start);
	if (keep_end < FW_HOST_RAM_BYTES)
		ASAN_POISON_MEMORY_REGION(fw_host_ram + keep_end, FW_HOST_RAM_BYTES - keep_end);
#else
	(void)image_bytes;
	(void)keep_start;
	(void)keep_end;
#endif
}

void fw_host_unpoison(void)
{
#ifdef FW_HOST_ASAN
	ASAN_UNPOISON_MEMORY_REGION(fw_host_region, FW_HOST_REGION_BYTES);
	ASAN_UNPOISON_MEMORY_REGION(fw_host_ram, FW_HOST_RAM_BYTES);
#endif
}

/* port.h */

void port_init(void)
{
}

void port_uart_write(const uint8_t *data, size_t length)
{
	if (length > FW_HOST_TX_BYTES - tx_length)
		fw_host_leave(FW_HOST_TX_FULL);
	memcpy(tx + tx_length, data, length);
	tx_length += length;
}

int port_uart_read_byte(uint8_t *byte)
{
	(void)byte;
	return 0;
}

uint32_t port_uart_rx_window(void)
{
	return FRAME_MAX_ENCODED;
}

void port_idle(void)
{
}

uint64_t port_counter_read(void)
{
	if (reads_left == 0)
		fw_host_leave(FW_HOST_OVER_BUDGET);
	reads_left--;
	if (counter_hook)
		counter_hook();
	counter += FW_HOST_TICK_STEP;
	return counter;
}

uint8_t port_counter_kind(void)
{
	return MSG_COUNTER_SYSTICK;
}

uint32_t port_counter_scale_q16(void)
{
	return 40u << 16;
}

uint32_t port_clock_hz(void)
{
	return 25000000u;
}

void port_window_marker(int high)
{
	(void)high;
}

const char *port_name(void)
{
	return "host";
}

void port_exit(int status)
{
	exit_status = status;
	fw_host_leave(FW_HOST_EXITED);
	__builtin_unreachable();
}

/* MSG_DEBUG_RESET on the host: the run ends, FW_HOST_RESET says why. */
void port_reset(void)
{
	fw_host_leave(FW_HOST_RESET);
	__builtin_unreachable();
}

int fw_host_region_read_only;

/* The region is a plain array: MSG_DEBUG_CORRUPT may damage it, unless a
 * test plays a board whose region is flash. */
int port_model_region_writable(void)
{
	return !fw_host_region_read_only;
}

uint8_t port_reset_cause(void)
{
	return 0; /* MSG_RESET_CAUSE_UNKNOWN */
}

/* build_info.h: firmware.mk sets these from the sources; the host has none. */

uint32_t build_id(void)
{
	return 0x686f7374u; /* "host" */
}

const char *build_core(void)
{
	return "host";
}
