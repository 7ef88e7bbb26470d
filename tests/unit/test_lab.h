/* Board profiles the lab tests match probes and lab maps against, made
 * here so the tests do not depend on which boards/ ships. */
#ifndef HB_TEST_LAB_H
#define HB_TEST_LAB_H

#include "config/profile.h"

/* qemu-m4 (emulated), nucleo-a and nucleo-b (interface/stlink.cfg),
 * nrf-jlink (interface/jlink.cfg), pico-dap (interface/cmsis-dap.cfg). */
#define LAB_TEST_PROFILE_COUNT 5

void lab_test_make_profiles(struct board_profile profiles[LAB_TEST_PROFILE_COUNT]);

#endif
