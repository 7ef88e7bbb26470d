/*
 * Modelled energy: what an inference costs by a chip's datasheet, for boards
 * without a meter (emulated ones, or real ones nobody wired). The figure is
 * the datasheet's typical run power per clock cycle times the counted
 * cycles; on an emulator the count is instructions, taken as cycles. It is
 * always labelled "modelled" and kept apart from measured energy.
 */
#ifndef HB_ENERGY_MODEL_H
#define HB_ENERGY_MODEL_H

#include "config/profile.h"

/* Energy per inference in microjoules for `count` cycles (or instructions)
 * per inference. Run current is taken to scale with the clock, so the
 * profile's clock cancels out: supply_v x run_current / at_clock_hz x count. */
double energy_model_uj(const struct profile_energy_model *model, double count);

/* The method line a record keeps beside the figure. */
void energy_model_method(const struct profile_energy_model *model, enum profile_counter counter,
			 char *out, size_t capacity);

#endif
