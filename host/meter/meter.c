/* The meter drivers, in one explicit table: adding one is one line here. */
#include "meter/meter.h"
#include "meter/meter_detect.h"

#include <string.h>

static const struct meter_driver *const meter_table[] = {
    &meter_lpm01a,
    &meter_ppk2,
};

#define METER_COUNT (sizeof meter_table / sizeof meter_table[0])

const struct meter_driver *meter_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < METER_COUNT; i++)
		if (strcmp(meter_table[i]->name, name) == 0)
			return meter_table[i];
	return NULL;
}

const char *const *meter_names(void)
{
	static const char *names[METER_COUNT + 1];

	/* Filled from the table so the two can never disagree. */
	if (!names[0])
		for (size_t i = 0; i < METER_COUNT; i++)
			names[i] = meter_table[i]->name;
	return names;
}

size_t meter_detect(const struct serial_port_info *ports, size_t count, struct meter_found *found,
		    size_t capacity)
{
	size_t matches = 0;

	for (size_t p = 0; p < count; p++) {
		if (!ports[p].usb)
			continue;
		for (size_t d = 0; d < METER_COUNT; d++) {
			const struct meter_driver *driver = meter_table[d];
			const bool own = driver->usb_vendor &&
					 driver->usb_vendor == ports[p].usb_vendor &&
					 driver->usb_product == ports[p].usb_product;
			const bool shared = driver->shared_usb_vendor &&
					    driver->shared_usb_vendor == ports[p].usb_vendor &&
					    driver->shared_usb_product == ports[p].usb_product;

			if (!own && !shared)
				continue;
			if (matches < capacity)
				found[matches] = (struct meter_found){
				    .port = &ports[p], .driver = driver, .shared = !own};
			matches++;
		}
	}
	return matches;
}
