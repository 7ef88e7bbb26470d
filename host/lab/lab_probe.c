/*
 * The probe tables. Sources, checked for each row:
 * - ST-LINK: OpenOCD 0.12's interface/stlink.cfg (hla_vid_pid) and its
 *   contrib/60-openocd.rules; stlink-org/stlink's usb.h names the same
 *   ids (0x374a is its "32L audio" ST-LINK/V2-1, not in OpenOCD's list).
 * - J-Link: SEGGER's ids as OpenOCD 0.12's 60-openocd.rules lists them.
 * - CMSIS-DAP: the CMSIS-DAP rule, also what OpenOCD's cmsis-dap driver and
 *   its udev rule match: the product string (v1, HID) or an interface
 *   string (v2, bulk) contains "CMSIS-DAP"; any vendor's ids.
 * - Raspberry Pi: raspberrypi/debugprobe's usb_descriptors.c (2e8a:000c,
 *   "CMSIS-DAP adapter"); 2e8a:0004 is the older picoprobe firmware, which
 *   spoke its own protocol until it became CMSIS-DAP too (then its strings
 *   say so and it is classed as cmsis-dap).
 */
#include "lab/lab_probe.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "flash/flasher.h"

static const char *const stlink_v2_interfaces[] = {
    "interface/stlink.cfg", "interface/stlink-v2.cfg", "interface/stlink-dap.cfg", NULL};
static const char *const stlink_v2_1_interfaces[] = {
    "interface/stlink.cfg", "interface/stlink-v2-1.cfg", "interface/stlink-dap.cfg", NULL};
static const char *const stlink_v3_interfaces[] = {"interface/stlink.cfg",
						   "interface/stlink-dap.cfg", NULL};
static const char *const cmsis_dap_interfaces[] = {"interface/cmsis-dap.cfg", NULL};
static const char *const jlink_interfaces[] = {"interface/jlink.cfg", NULL};
/* Raspberry Pi's OpenOCD fork only: upstream 0.12 has no picoprobe driver. */
static const char *const picoprobe_interfaces[] = {"interface/picoprobe.cfg", NULL};

enum {
	KIND_STLINK_V2,
	KIND_STLINK_V2_1,
	KIND_STLINK_V3,
	KIND_CMSIS_DAP,
	KIND_JLINK,
	KIND_PICOPROBE,
	KIND_COUNT,
};

static const struct lab_probe_kind kinds[KIND_COUNT] = {
    [KIND_STLINK_V2] = {"stlink-v2", "ST-LINK/V2", stlink_v2_interfaces},
    [KIND_STLINK_V2_1] = {"stlink-v2-1", "ST-LINK/V2-1", stlink_v2_1_interfaces},
    [KIND_STLINK_V3] = {"stlink-v3", "STLINK-V3", stlink_v3_interfaces},
    [KIND_CMSIS_DAP] = {"cmsis-dap", "CMSIS-DAP", cmsis_dap_interfaces},
    [KIND_JLINK] = {"jlink", "SEGGER J-Link", jlink_interfaces},
    [KIND_PICOPROBE] = {"picoprobe", "Raspberry Pi picoprobe", picoprobe_interfaces},
};

struct probe_id {
	uint16_t vendor, product;
	int kind;
	const char *model;
};

static const struct probe_id probe_ids[] = {
    {0x0483, 0x3748, KIND_STLINK_V2, "ST-LINK/V2"},
    {0x0483, 0x374a, KIND_STLINK_V2_1, "ST-LINK/V2-1 (audio)"},
    {0x0483, 0x374b, KIND_STLINK_V2_1, "ST-LINK/V2-1"},
    {0x0483, 0x3752, KIND_STLINK_V2_1, "ST-LINK/V2-1 (no mass storage)"},
    {0x0483, 0x374e, KIND_STLINK_V3, "STLINK-V3E"},
    {0x0483, 0x374f, KIND_STLINK_V3, "STLINK-V3SET"},
    {0x0483, 0x3753, KIND_STLINK_V3, "STLINK-V3 (two VCPs)"},
    {0x0483, 0x3754, KIND_STLINK_V3, "STLINK-V3 (no mass storage)"},
    {0x0483, 0x3757, KIND_STLINK_V3, "STLINK-V3PWR"},
    {0x1366, 0x0101, KIND_JLINK, "J-Link"},
    {0x1366, 0x0102, KIND_JLINK, "J-Link"},
    {0x1366, 0x0103, KIND_JLINK, "J-Link"},
    {0x1366, 0x0104, KIND_JLINK, "J-Link"},
    {0x1366, 0x0105, KIND_JLINK, "J-Link"},
    {0x1366, 0x0107, KIND_JLINK, "J-Link"},
    {0x1366, 0x0108, KIND_JLINK, "J-Link"},
    {0x1366, 0x1010, KIND_JLINK, "J-Link"},
    {0x1366, 0x1011, KIND_JLINK, "J-Link"},
    {0x1366, 0x1012, KIND_JLINK, "J-Link"},
    {0x1366, 0x1013, KIND_JLINK, "J-Link"},
    {0x1366, 0x1014, KIND_JLINK, "J-Link"},
    {0x1366, 0x1015, KIND_JLINK, "J-Link"},
    {0x1366, 0x1016, KIND_JLINK, "J-Link"},
    {0x1366, 0x1017, KIND_JLINK, "J-Link"},
    {0x1366, 0x1018, KIND_JLINK, "J-Link"},
    {0x1366, 0x1020, KIND_JLINK, "J-Link"},
    {0x1366, 0x1051, KIND_JLINK, "J-Link"},
    {0x1366, 0x1055, KIND_JLINK, "J-Link"},
    {0x1366, 0x1061, KIND_JLINK, "J-Link"},
    {0x2e8a, 0x0004, KIND_PICOPROBE, "Raspberry Pi picoprobe"},
    {0x2e8a, 0x000c, KIND_CMSIS_DAP, "Raspberry Pi Debug Probe (debugprobe)"},
};

static bool says_cmsis_dap(const struct lab_usb_device *device)
{
	if (strstr(device->product_name, "CMSIS-DAP"))
		return true;
	for (uint8_t i = 0; i < device->interface_count; i++)
		if (strstr(device->interfaces[i], "CMSIS-DAP"))
			return true;
	return false;
}

const struct lab_probe_kind *lab_probe_classify(const struct lab_usb_device *device,
						const char **model)
{
	const struct probe_id *row = NULL;

	for (size_t i = 0; i < sizeof probe_ids / sizeof probe_ids[0]; i++)
		if (probe_ids[i].vendor == device->vendor &&
		    probe_ids[i].product == device->product)
			row = &probe_ids[i];
	/* What a device says it speaks wins over its ids: picoprobe firmware
	 * kept 2e8a:0004 when it turned into a CMSIS-DAP probe. */
	if (says_cmsis_dap(device)) {
		*model = row ? row->model
			     : (device->product_name[0] ? device->product_name : "CMSIS-DAP");
		return &kinds[KIND_CMSIS_DAP];
	}
	if (!row)
		return NULL;
	*model = row->model;
	return &kinds[row->kind];
}

const struct lab_probe_kind *lab_probe_kind_find(const char *name)
{
	for (size_t i = 0; i < KIND_COUNT; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

const char *const *lab_probe_kind_names(void)
{
	static const char *names[KIND_COUNT + 1];

	for (size_t i = 0; i < KIND_COUNT; i++)
		names[i] = kinds[i].name;
	return names;
}

bool lab_probe_drives(const struct lab_probe_kind *kind, const struct board_profile *profile)
{
	const struct flasher_driver *flasher = flasher_find(profile->flasher.driver);

	if (!flasher || flasher->emulator)
		return false;
	if (!profile->flasher.interface_cfg[0])
		return true;
	for (size_t i = 0; kind->interfaces[i]; i++)
		if (strcmp(kind->interfaces[i], profile->flasher.interface_cfg) == 0)
			return true;
	return false;
}

void lab_probe_kinds_for(const struct board_profile *profile, char *out, size_t capacity)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < KIND_COUNT; i++) {
		int n;

		if (!lab_probe_drives(&kinds[i], profile))
			continue;
		n = snprintf(out + used, capacity - used, "%s%s", used ? ", " : "", kinds[i].name);
		if (n < 0 || (size_t)n >= capacity - used)
			break;
		used += (size_t)n;
	}
	if (!used)
		snprintf(out, capacity, "none");
}
