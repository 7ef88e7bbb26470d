/* The lab tests' board profiles, parsed from text like any profile. */
#include <criterion/criterion.h>

#include <stdio.h>

#include "test_lab.h"
#include "util/error.h"

static const char lab_test_emulated[] =
    "{\"schema\": 1, \"id\": \"qemu-m4\", \"name\": \"Test AN386\", \"core\": \"cortex-m4\","
    " \"fpu\": \"fpv4-sp-d16\", \"dsp\": true, \"clock_hz\": 25000000,"
    " \"memory\": {\"flash\": {\"origin\": \"0x00000000\", \"size\": \"4M\"},"
    "  \"ram\": {\"origin\": \"0x20000000\", \"size\": \"4M\"},"
    "  \"model\": {\"origin\": \"0x00100000\", \"size\": \"3M\"}},"
    " \"firmware\": {\"port\": \"mps2\"},"
    " \"flasher\": {\"driver\": \"qemu\", \"machine\": \"mps2-an386\"},"
    " \"console\": {\"transport\": \"qemu\"},"
    " \"cycle_counter\": \"emulated-instructions\", \"verified\": \"emulated\"}";

/* %s: id, %s: OpenOCD interface config. */
static const char lab_test_real[] =
    "{\"schema\": 1, \"id\": \"%s\", \"name\": \"Test board\", \"core\": \"cortex-m4\","
    " \"fpu\": \"fpv4-sp-d16\", \"dsp\": true, \"clock_hz\": 16000000,"
    " \"memory\": {\"flash\": {\"origin\": \"0x08000000\", \"size\": \"512K\"},"
    "  \"ram\": {\"origin\": \"0x20000000\", \"size\": \"128K\"},"
    "  \"model\": {\"origin\": \"0x08040000\", \"size\": \"256K\"}},"
    " \"firmware\": {\"port\": \"stm32f4\"},"
    " \"flasher\": {\"driver\": \"openocd\", \"interface\": \"%s\","
    "  \"target\": \"target/stm32f4x.cfg\"},"
    " \"console\": {\"transport\": \"serial\", \"device\": \"/dev/ttyACM0\", \"baud\": 115200},"
    " \"cycle_counter\": \"dwt\", \"verified\": \"compile-only\"}";

void lab_test_make_profiles(struct board_profile profiles[LAB_TEST_PROFILE_COUNT])
{
	static const char *const real[][2] = {
	    {"nucleo-a", "interface/stlink.cfg"},
	    {"nucleo-b", "interface/stlink.cfg"},
	    {"nrf-jlink", "interface/jlink.cfg"},
	    {"pico-dap", "interface/cmsis-dap.cfg"},
	};
	char text[2048], path[64];

	cr_assert_eq(profile_parse(lab_test_emulated, sizeof lab_test_emulated - 1,
				   "boards/qemu-m4.json", &profiles[0]),
		     HB_OK, "%s", hb_last_error());
	for (size_t i = 0; i < 4; i++) {
		int length = snprintf(text, sizeof text, lab_test_real, real[i][0], real[i][1]);

		snprintf(path, sizeof path, "boards/%s.json", real[i][0]);
		cr_assert_eq(profile_parse(text, (size_t)length, path, &profiles[i + 1]), HB_OK,
			     "%s: %s", path, hb_last_error());
	}
}
