/* Modelled energy from datasheet figures (energy_model.h). */
#include "meter/energy_model.h"

#include <stdio.h>

double energy_model_uj(const struct profile_energy_model *model, double count)
{
	const double joules_per_cycle =
	    model->supply_v * model->run_current_ma * 1e-3 / model->at_clock_hz;

	return joules_per_cycle * count * 1e6;
}

void energy_model_method(const struct profile_energy_model *model, enum profile_counter counter,
			 char *out, size_t capacity)
{
	const char *count = counter == PROFILE_COUNTER_EMULATED_INSTRUCTIONS
				? "median emulated instructions per inference, taken as cycles"
				: "median cycles per inference";

	snprintf(out, capacity,
		 "%.3g V x %.4g mA / %.4g MHz (%s typical run current, %s) x %s; current "
		 "taken to scale with the clock; leaves out memory wait states, peripherals "
		 "and idle time between inferences",
		 model->supply_v, model->run_current_ma, model->at_clock_hz / 1e6, model->chip,
		 model->datasheet, count);
}
