/* Modelled energy: the datasheet arithmetic, and its method line naming the
 * figures it rests on and what it leaves out. */
#include <criterion/criterion.h>

#include <string.h>

#include "meter/energy_model.h"

static const struct profile_energy_model energy_model_test_chip = {
    .present = true,
    .chip = "Test chip",
    .supply_v = 3.0,
    .run_current_ma = 4.0,
    .at_clock_hz = 16000000,
    .datasheet = "Test PS v1, table 9",
};

Test(energy_model, is_power_per_cycle_times_cycles)
{
	/* 3 V x 4 mA = 12 mW; at 16 MHz that is 0.75 nJ a cycle: 1.6 M cycles = 1200 uJ. */
	cr_assert_float_eq(energy_model_uj(&energy_model_test_chip, 1.6e6), 1200.0, 1e-9);
	cr_assert_float_eq(energy_model_uj(&energy_model_test_chip, 0), 0.0, 1e-12);
}

Test(energy_model, does_not_depend_on_the_board_clock)
{
	struct profile_energy_model faster = energy_model_test_chip;

	/* Twice the stated clock at twice the current: the same energy a cycle. */
	faster.at_clock_hz *= 2;
	faster.run_current_ma *= 2;
	cr_assert_float_eq(energy_model_uj(&faster, 1e6),
			   energy_model_uj(&energy_model_test_chip, 1e6), 1e-9);
}

Test(energy_model, method_names_its_figures_and_what_it_leaves_out)
{
	char method[640];

	energy_model_method(&energy_model_test_chip, PROFILE_COUNTER_EMULATED_INSTRUCTIONS, method,
			    sizeof method);
	cr_assert_not_null(strstr(method, "Test chip"), "%s", method);
	cr_assert_not_null(strstr(method, "Test PS v1, table 9"), "%s", method);
	cr_assert_not_null(strstr(method, "instructions per inference, taken as cycles"), "%s",
			   method);
	cr_assert_not_null(strstr(method, "leaves out"), "%s", method);
	energy_model_method(&energy_model_test_chip, PROFILE_COUNTER_DWT, method, sizeof method);
	cr_assert_null(strstr(method, "instructions"), "%s", method);
}
