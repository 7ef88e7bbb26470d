/*
 * The real buses: USB devices through libusb (the only file that includes
 * it), serial ports through serial_ports_list() (libserialport).
 *
 * Strings (serial number, product, interface names) are read from sysfs,
 * which any user may read, and only when sysfs lacks them by opening the
 * device with libusb, which needs permission (udev rules) and is refused
 * for a probe another program holds. A device whose strings cannot be read
 * is still listed, by its ids and place, with strings_unread set.
 */
#include "lab/lab_enum.h"

#include <dirent.h>
#include <libusb.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"

#define SYSFS_USB    "/sys/bus/usb/devices"
#define SERIAL_BY_ID "/dev/serial/by-id"

/* One line of a sysfs attribute, or false. */
static bool sysfs_read(const char *path, char *out, size_t capacity)
{
	FILE *file = fopen(path, "r");
	size_t length;

	out[0] = '\0';
	if (!file)
		return false;
	if (!fgets(out, (int)capacity, file))
		out[0] = '\0';
	fclose(file);
	length = strcspn(out, "\n");
	out[length] = '\0';
	return true;
}

/* Control bytes would not survive a recording or a terminal: '?'. */
static void make_printable(char *text)
{
	for (; *text; text++)
		if ((unsigned char)*text < 0x20 || *text == 0x7f)
			*text = '?';
}

/* An old ST-LINK/V2 reports its serial number as raw bytes: written in
 * hex, the form OpenOCD's stlink driver also accepts for `adapter serial`
 * (its "alternate serial"). */
static void serial_as_text(char *serial, size_t capacity)
{
	char hex[64];
	size_t length = strlen(serial), used = 0;
	bool printable = true;

	for (size_t i = 0; i < length; i++)
		if ((unsigned char)serial[i] < 0x20 || (unsigned char)serial[i] >= 0x7f)
			printable = false;
	if (printable)
		return;
	for (size_t i = 0; i < length && used + 3 <= sizeof hex && used + 3 <= capacity; i++)
		used += (size_t)snprintf(hex + used, sizeof hex - used, "%02X",
					 (unsigned char)serial[i]);
	hex[used] = '\0';
	memcpy(serial, hex, used + 1);
}

static void tidy_strings(struct lab_usb_device *device)
{
	serial_as_text(device->serial, sizeof device->serial);
	make_printable(device->manufacturer);
	make_printable(device->product_name);
	for (uint8_t i = 0; i < device->interface_count; i++)
		make_printable(device->interfaces[i]);
}

static void sysfs_strings(struct lab_usb_device *device, const char *name)
{
	char path[PATH_MAX];
	bool found;

	snprintf(path, sizeof path, SYSFS_USB "/%s/serial", name);
	found = sysfs_read(path, device->serial, sizeof device->serial);
	snprintf(path, sizeof path, SYSFS_USB "/%s/product", name);
	found = sysfs_read(path, device->product_name, sizeof device->product_name) || found;
	snprintf(path, sizeof path, SYSFS_USB "/%s/manufacturer", name);
	sysfs_read(path, device->manufacturer, sizeof device->manufacturer);
	/* Interfaces are "<device>:<configuration>.<number>". */
	for (uint8_t i = 0; i < LAB_USB_MAX_INTERFACES; i++) {
		char text[64];

		snprintf(path, sizeof path, SYSFS_USB "/%s:1.%u/interface", name, i);
		if (!sysfs_read(path, text, sizeof text)) {
			snprintf(path, sizeof path, SYSFS_USB "/%s:1.%u", name, i);
			if (access(path, F_OK) != 0)
				break;
		}
		snprintf(device->interfaces[device->interface_count++],
			 sizeof device->interfaces[0], "%s", text);
	}
	device->strings_unread = !found;
}

static void usb_string(libusb_device_handle *handle, uint8_t index, char *out, size_t capacity)
{
	unsigned char text[256];
	int n;

	out[0] = '\0';
	if (!index)
		return;
	n = libusb_get_string_descriptor_ascii(handle, index, text, sizeof text);
	if (n > 0)
		snprintf(out, capacity, "%.*s", n, (const char *)text);
}

/* Without sysfs: the strings from the device itself, when it lets us. */
static void libusb_strings(libusb_device *usb, const struct libusb_device_descriptor *descriptor,
			   struct lab_usb_device *device)
{
	struct libusb_config_descriptor *config;
	libusb_device_handle *handle;

	if (libusb_open(usb, &handle) != 0)
		return;
	usb_string(handle, descriptor->iSerialNumber, device->serial, sizeof device->serial);
	usb_string(handle, descriptor->iProduct, device->product_name, sizeof device->product_name);
	usb_string(handle, descriptor->iManufacturer, device->manufacturer,
		   sizeof device->manufacturer);
	if (libusb_get_active_config_descriptor(usb, &config) == 0) {
		for (uint8_t i = 0; i < config->bNumInterfaces && i < LAB_USB_MAX_INTERFACES; i++) {
			const struct libusb_interface *interface = &config->interface[i];
			uint8_t index =
			    interface->num_altsetting ? interface->altsetting[0].iInterface : 0;

			usb_string(handle, index, device->interfaces[i],
				   sizeof device->interfaces[0]);
			device->interface_count = (uint8_t)(i + 1);
		}
		libusb_free_config_descriptor(config);
	}
	libusb_close(handle);
	device->strings_unread = false;
}

static void read_device(libusb_device *usb, const struct libusb_device_descriptor *descriptor,
			struct lab_usb_device *device)
{
	char name[64];
	int ports;

	memset(device, 0, sizeof *device);
	device->vendor = descriptor->idVendor;
	device->product = descriptor->idProduct;
	device->bus = libusb_get_bus_number(usb);
	device->address = libusb_get_device_address(usb);
	ports = libusb_get_port_numbers(usb, device->ports, LAB_USB_MAX_PORTS);
	device->port_count = ports > 0 ? (uint8_t)ports : 0;
	lab_usb_path(device, name, sizeof name);
	sysfs_strings(device, name);
	if (device->strings_unread)
		libusb_strings(usb, descriptor, device);
	tidy_strings(device);
}

static int list_devices(struct lab_enumeration *out)
{
	libusb_context *context;
	libusb_device **list;
	ssize_t count;
	int result = libusb_init(&context);

	if (result != 0)
		return hb_error(HB_ERR_IO, "cannot list USB devices: libusb: %s",
				libusb_strerror(result));
	count = libusb_get_device_list(context, &list);
	if (count < 0) {
		libusb_exit(context);
		return hb_error(HB_ERR_IO, "cannot list USB devices: libusb: %s",
				libusb_strerror((int)count));
	}
	out->devices = count ? calloc((size_t)count, sizeof *out->devices) : NULL;
	if (count && !out->devices) {
		libusb_free_device_list(list, 1);
		libusb_exit(context);
		return hb_error(HB_ERR_NOMEM, "cannot list USB devices: out of memory");
	}
	for (ssize_t i = 0; i < count; i++) {
		struct libusb_device_descriptor descriptor;

		if (libusb_get_device_descriptor(list[i], &descriptor) != 0 ||
		    descriptor.bDeviceClass == LIBUSB_CLASS_HUB)
			continue;
		read_device(list[i], &descriptor, &out->devices[out->device_count++]);
	}
	libusb_free_device_list(list, 1);
	libusb_exit(context);
	return HB_OK;
}

/* The /dev/serial/by-id link that resolves to each port, when udev made one. */
static void find_by_id_links(struct lab_enumeration *out)
{
	DIR *dir = opendir(SERIAL_BY_ID);
	struct dirent *entry;

	if (!dir)
		return;
	while ((entry = readdir(dir))) {
		char link[PATH_MAX], target[PATH_MAX];

		if (entry->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(link, sizeof link, SERIAL_BY_ID "/%s", entry->d_name) >=
			sizeof link ||
		    !realpath(link, target))
			continue;
		for (size_t i = 0; i < out->port_count; i++) {
			char port[PATH_MAX];

			if (realpath(out->ports[i].info.path, port) && strcmp(port, target) == 0 &&
			    strlen(link) < sizeof out->ports[i].by_id)
				memcpy(out->ports[i].by_id, link, strlen(link) + 1);
		}
	}
	closedir(dir);
}

static int list_ports(struct lab_enumeration *out)
{
	struct serial_port_info *ports;
	size_t count;
	int status = serial_ports_list(&ports, &count);

	if (status != HB_OK)
		return status;
	out->ports = count ? calloc(count, sizeof *out->ports) : NULL;
	if (count && !out->ports) {
		free(ports);
		return hb_error(HB_ERR_NOMEM, "cannot list serial ports: out of memory");
	}
	for (size_t i = 0; i < count; i++)
		out->ports[i].info = ports[i];
	out->port_count = count;
	free(ports);
	find_by_id_links(out);
	return HB_OK;
}

static int usb_enumerate(const char *argument, struct lab_enumeration *out)
{
	int status;

	(void)argument;
	status = list_devices(out);
	if (status == HB_OK)
		status = list_ports(out);
	if (status != HB_OK)
		lab_enumeration_release(out);
	return status;
}

const struct lab_source lab_source_usb = {
    .name = "usb",
    .enumerate = usb_enumerate,
};
