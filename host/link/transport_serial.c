/*
 * Serial transport for real boards, through libserialport. This is the only
 * file that includes <libserialport.h>: its error codes stop here and leave
 * as hb_error() lines that say what to check.
 *
 * An address is a device path ("/dev/ttyACM0") or "usb:VID:PID[:serial]"
 * (hex ids), which survives the board moving to another ttyACM number.
 * libserialport 0.1.1 only knows ports listed under /sys/class/tty, so
 * pseudo-terminals are refused; QEMU is reached through the tcp transport.
 */
#include "link/serial_ports.h"
#include "link/transport.h"

#include "util/error.h"

#include <errno.h>
#include <libserialport.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SERIAL_DEFAULT_BAUD 115200
/* Only what works today: hilbench does not detect ports yet. */
#define SERIAL_HINT                                                                                \
	"is the board plugged in? `ls /dev/serial/by-id` lists the serial ports this machine sees"

struct serial_transport {
	struct transport base;
	struct sp_port *port;
};

/* Turns a failed libserialport call into one message. Only SP_ERR_FAIL
 * carries an OS error; asking for it after any other code is not allowed. */
static int serial_error(enum sp_return result, const char *address, const char *action)
{
	int os_error;
	char *text;
	int code;

	switch (result) {
	case SP_ERR_MEM:
		return hb_error(HB_ERR_NOMEM, "%s serial port '%s': out of memory", action,
				address);
	case SP_ERR_SUPP:
		return hb_error(HB_ERR_IO,
				"%s serial port '%s': not supported by this port or system", action,
				address);
	case SP_ERR_ARG:
		return hb_error(HB_ERR_INTERNAL, "%s serial port '%s': invalid argument", action,
				address);
	case SP_ERR_FAIL: break;
	default:
		return hb_error(HB_ERR_IO, "%s serial port '%s': failed (%d)", action, address,
				(int)result);
	}
	os_error = sp_last_error_code();
	if (os_error == EACCES || os_error == EPERM)
		return hb_error(
		    HB_ERR_IO,
		    "%s serial port '%s': permission denied (add yourself to the 'dialout' group: "
		    "`sudo usermod -aG dialout $USER`, then log in again)",
		    action, address);
	if (os_error == EBUSY)
		return hb_error(HB_ERR_IO, "%s serial port '%s': in use by another program", action,
				address);
	if (os_error == ENOENT || os_error == ENODEV || os_error == ENXIO)
		return hb_error(HB_ERR_NOT_FOUND, "%s serial port '%s': no such device (%s)",
				action, address, SERIAL_HINT);
	text = sp_last_error_message();
	code = hb_error(HB_ERR_IO, "%s serial port '%s': %s", action, address,
			text ? text : "unknown error");
	sp_free_error_message(text);
	return code;
}

/* Parses "usb:VID:PID[:serial]" with hex ids. */
static int serial_parse_usb(const char *address, int *vid, int *pid, const char **serial)
{
	const char *cursor = address + strlen("usb:");
	char *end;
	unsigned long value;

	value = strtoul(cursor, &end, 16);
	if (end == cursor || *end != ':' || value > 0xFFFF)
		return HB_ERR_INPUT;
	*vid = (int)value;
	cursor = end + 1;
	value = strtoul(cursor, &end, 16);
	if (end == cursor || (*end != ':' && *end != '\0') || value > 0xFFFF)
		return HB_ERR_INPUT;
	*pid = (int)value;
	*serial = *end == ':' ? end + 1 : NULL;
	if (*serial && (*serial)[0] == '\0')
		return HB_ERR_INPUT;
	return HB_OK;
}

static bool serial_usb_matches(const struct sp_port *port, int vid, int pid, const char *serial)
{
	int port_vid, port_pid;
	const char *port_serial;

	if (sp_get_port_transport(port) != SP_TRANSPORT_USB)
		return false;
	if (sp_get_port_usb_vid_pid(port, &port_vid, &port_pid) != SP_OK)
		return false;
	if (port_vid != vid || port_pid != pid)
		return false;
	if (!serial)
		return true;
	port_serial = sp_get_port_usb_serial(port);
	return port_serial && strcmp(port_serial, serial) == 0;
}

static int serial_find_usb(const char *address, struct sp_port **out)
{
	struct sp_port **ports;
	const char *serial;
	int vid, pid;
	size_t matches = 0;
	enum sp_return result;
	int status = HB_OK;

	if (serial_parse_usb(address, &vid, &pid, &serial) != HB_OK)
		return hb_error(HB_ERR_INPUT,
				"cannot open serial port '%s': expected usb:VID:PID[:serial] with "
				"hex ids, e.g. usb:0483:374b",
				address);
	result = sp_list_ports(&ports);
	if (result != SP_OK)
		return serial_error(result, address, "cannot look up");
	for (size_t i = 0; ports[i]; i++) {
		if (!serial_usb_matches(ports[i], vid, pid, serial))
			continue;
		if (matches++ == 0) {
			result = sp_copy_port(ports[i], out);
			if (result != SP_OK)
				status = serial_error(result, address, "cannot open");
		}
	}
	sp_free_port_list(ports);
	if (status != HB_OK)
		return status;
	if (matches == 0)
		return hb_error(
		    HB_ERR_NOT_FOUND,
		    "cannot open serial port '%s': no USB serial device with that %s (%s)", address,
		    serial ? "VID:PID and serial number" : "VID:PID", SERIAL_HINT);
	if (matches > 1) {
		sp_free_port(*out);
		*out = NULL;
		return hb_error(HB_ERR_INPUT,
				"cannot open serial port '%s': %zu devices match; add the serial "
				"number (usb:%04x:%04x:SERIAL)",
				address, matches, vid, pid);
	}
	return HB_OK;
}

static int serial_find_path(const char *address, struct sp_port **out)
{
	struct stat info;
	enum sp_return result = sp_get_port_by_name(address, out);

	if (result == SP_OK)
		return HB_OK;
	/* 0.1.1 answers SP_ERR_ARG both for a missing device and for a file
	 * that is not a port it knows; the file system tells them apart. */
	if (result == SP_ERR_ARG) {
		if (stat(address, &info) != 0)
			return hb_error(HB_ERR_NOT_FOUND,
					"cannot open serial port '%s': no such device (%s)",
					address, SERIAL_HINT);
		return hb_error(
		    HB_ERR_INPUT,
		    "cannot open serial port '%s': not a serial port listed under /sys/class/tty "
		    "(pseudo-terminals are not supported; use the tcp transport for emulators)",
		    address);
	}
	return serial_error(result, address, "cannot open");
}

static int serial_configure(struct sp_port *port, const char *address, uint32_t baud)
{
	enum sp_return result;

	if (baud == 0)
		baud = SERIAL_DEFAULT_BAUD;
	if (baud > 0x7FFFFFFF)
		return hb_error(HB_ERR_INPUT,
				"cannot configure serial port '%s': baud %u out of range", address,
				baud);
	result = sp_set_baudrate(port, (int)baud);
	if (result != SP_OK)
		return serial_error(result, address, "cannot set the baud rate of");
	result = sp_set_bits(port, 8);
	if (result == SP_OK)
		result = sp_set_parity(port, SP_PARITY_NONE);
	if (result == SP_OK)
		result = sp_set_stopbits(port, 1);
	if (result == SP_OK)
		result = sp_set_flowcontrol(port, SP_FLOWCONTROL_NONE);
	if (result != SP_OK)
		return serial_error(result, address, "cannot configure 8N1 on");
	return HB_OK;
}

static int serial_open(const char *address, const struct transport_options *options,
		       struct transport **out)
{
	struct serial_transport *serial;
	struct sp_port *port = NULL;
	enum sp_return result;
	int status;

	*out = NULL;
	if (strlen(address) >= sizeof serial->base.address)
		return hb_error(HB_ERR_INPUT, "cannot open serial port '%.40s...': name too long",
				address);
	if (strncmp(address, "usb:", 4) == 0)
		status = serial_find_usb(address, &port);
	else
		status = serial_find_path(address, &port);
	if (status != HB_OK)
		return status;
	result = sp_open(port, SP_MODE_READ_WRITE);
	if (result != SP_OK) {
		status = serial_error(result, address, "cannot open");
		sp_free_port(port);
		return status;
	}
	status = serial_configure(port, address, options ? options->baud : 0);
	if (status == HB_OK) {
		serial = calloc(1, sizeof *serial);
		if (!serial)
			status = hb_error(HB_ERR_NOMEM,
					  "cannot open serial port '%s': out of memory", address);
	}
	if (status != HB_OK) {
		sp_close(port);
		sp_free_port(port);
		return status;
	}
	serial->base.driver = &transport_serial;
	snprintf(serial->base.address, sizeof serial->base.address, "%s", address);
	serial->port = port;
	*out = &serial->base;
	return HB_OK;
}

static int serial_write(struct transport *transport, const uint8_t *data, size_t length,
			int timeout_ms)
{
	struct serial_transport *serial = (struct serial_transport *)transport;
	/* libserialport reads a timeout of 0 as "wait forever". */
	unsigned int wait = timeout_ms < 0 ? 0 : timeout_ms == 0 ? 1 : (unsigned int)timeout_ms;
	enum sp_return result = sp_blocking_write(serial->port, data, length, wait);

	if (result < 0)
		return serial_error(result, transport->address, "writing to");
	if ((size_t)result < length)
		return hb_error(HB_ERR_TIMEOUT,
				"writing to serial port '%s': only %d of %zu bytes sent in %d ms",
				transport->address, (int)result, length, timeout_ms);
	result = sp_drain(serial->port);
	if (result != SP_OK)
		return serial_error(result, transport->address, "draining");
	return HB_OK;
}

static int serial_read(struct transport *transport, uint8_t *data, size_t capacity, size_t *got,
		       int timeout_ms)
{
	struct serial_transport *serial = (struct serial_transport *)transport;
	enum sp_return result;

	*got = 0;
	/* libserialport reads a timeout of 0 as "wait forever". */
	if (timeout_ms == 0)
		result = sp_nonblocking_read(serial->port, data, capacity);
	else
		result = sp_blocking_read_next(serial->port, data, capacity,
					       timeout_ms < 0 ? 0 : (unsigned int)timeout_ms);
	if (result < 0)
		return serial_error(result, transport->address, "reading from");
	/* Silence is the caller's to judge, as with the tcp transport. */
	if (result == 0)
		return HB_ERR_TIMEOUT;
	*got = (size_t)result;
	return HB_OK;
}

static int serial_flush_input(struct transport *transport)
{
	struct serial_transport *serial = (struct serial_transport *)transport;
	enum sp_return result = sp_flush(serial->port, SP_BUF_INPUT);

	if (result != SP_OK)
		return serial_error(result, transport->address, "flushing");
	return HB_OK;
}

static void serial_close(struct transport *transport)
{
	struct serial_transport *serial = (struct serial_transport *)transport;

	if (!transport)
		return;
	sp_close(serial->port);
	sp_free_port(serial->port);
	free(serial);
}

static const char *const serial_profile_fields[] = {"transport", "device", "baud", NULL};

static void serial_check_profile(struct json_reader *reader, const struct board_profile *board)
{
	if (!board->console.device[0])
		json_fail(reader, "missing field 'console.device' (expected a serial port "
				  "such as \"/dev/ttyACM0\" with transport \"serial\")");
	if (!board->console.baud)
		json_fail(reader, "missing field 'console.baud' (expected a positive "
				  "integer such as 115200 with transport \"serial\")");
}

const struct transport_driver transport_serial = {
    .name = "serial",
    .profile_fields = serial_profile_fields,
    .check_profile = serial_check_profile,
    .baud_limited = true,
    .open = serial_open,
    .write = serial_write,
    .read = serial_read,
    .flush_input = serial_flush_input,
    .close = serial_close,
};

int serial_ports_list(struct serial_port_info **out, size_t *count)
{
	struct sp_port **ports;
	size_t total = 0;
	enum sp_return result = sp_list_ports(&ports);

	*out = NULL;
	*count = 0;
	if (result != SP_OK)
		return serial_error(result, "(all)", "cannot list");
	while (ports[total])
		total++;
	if (total)
		*out = calloc(total, sizeof **out);
	if (total && !*out) {
		sp_free_port_list(ports);
		return hb_error(HB_ERR_NOMEM, "cannot list serial ports: out of memory");
	}
	for (size_t i = 0; i < total; i++) {
		struct serial_port_info *info = &(*out)[i];
		const char *text = sp_get_port_description(ports[i]);
		int vid, pid, bus, address;

		snprintf(info->path, sizeof info->path, "%s", sp_get_port_name(ports[i]));
		snprintf(info->description, sizeof info->description, "%s", text ? text : "");
		if (sp_get_port_transport(ports[i]) == SP_TRANSPORT_USB &&
		    sp_get_port_usb_vid_pid(ports[i], &vid, &pid) == SP_OK) {
			info->usb = true;
			info->usb_vendor = (uint16_t)vid;
			info->usb_product = (uint16_t)pid;
			text = sp_get_port_usb_serial(ports[i]);
			snprintf(info->usb_serial, sizeof info->usb_serial, "%s", text ? text : "");
			text = sp_get_port_usb_product(ports[i]);
			snprintf(info->usb_product_name, sizeof info->usb_product_name, "%s",
				 text ? text : "");
			if (sp_get_port_usb_bus_address(ports[i], &bus, &address) == SP_OK &&
			    bus > 0 && bus < 256 && address > 0 && address < 256) {
				info->usb_bus = (uint8_t)bus;
				info->usb_address = (uint8_t)address;
			}
		}
	}
	sp_free_port_list(ports);
	*count = total;
	return HB_OK;
}
