#include "link/deadline.h"

void deadline_rule_default(struct deadline_rule *rule, uint32_t clock_hz)
{
	*rule = (struct deadline_rule){.margin = DEADLINE_MARGIN,
				       .min_ms = DEADLINE_MIN_MS,
				       .units_per_mac = DEADLINE_UNITS_PER_MAC,
				       .clock_hz = clock_hz,
				       .source = "defaults"};
}

int deadline_for_work_ms(const struct deadline_rule *rule, double units_per_inference,
			 uint32_t inferences)
{
	double ms = rule->min_ms > 0 ? rule->min_ms : 0;

	if (rule->fixed_ms > 0)
		return rule->fixed_ms;
	/* An unknown clock leaves the work unpriced: the floor cannot be
	 * trusted then, so the handshake's generous deadline stands in. */
	if (rule->clock_hz == 0)
		return DEADLINE_HANDSHAKE_MS;
	if (units_per_inference > 0)
		ms += rule->margin * units_per_inference * inferences / rule->clock_hz * 1000.0;
	return ms >= DEADLINE_MAX_MS ? DEADLINE_MAX_MS : (int)(ms + 0.5);
}

double deadline_bound_units(const struct deadline_rule *rule, uint64_t macs)
{
	return (double)macs * rule->units_per_mac;
}
