#include "report/count_label.h"

bool count_is_emulated(enum profile_counter counter)
{
	return counter == PROFILE_COUNTER_EMULATED_INSTRUCTIONS;
}

const char *count_unit(enum profile_counter counter)
{
	return count_is_emulated(counter) ? "instructions" : "cycles";
}

const char *count_per_mac_label(enum profile_counter counter)
{
	return count_is_emulated(counter) ? "instructions/MAC" : "cycles/MAC";
}

const char *count_source(enum profile_counter counter)
{
	return count_is_emulated(counter) ? "emulated" : "measured";
}

const char *count_method(enum profile_counter counter)
{
	return count_is_emulated(counter) ? "SysTick ticks under QEMU -icount shift=0 times the "
					    "instructions per tick calibrated at boot"
					  : "hardware counter difference around each invocation";
}

const char *latency_caveat(enum profile_counter counter)
{
	return count_is_emulated(counter)
		   ? "assumes 1 instruction per cycle, not a timing measurement"
		   : "";
}

const char *count_note(enum profile_counter counter)
{
	return count_is_emulated(counter)
		   ? "Counts on an emulated board are instructions counted by QEMU, not cycles."
		   : "";
}
