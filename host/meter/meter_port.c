/* A meter's byte line: libserialport for real ports, termios for a pty. */
#include "meter/meter_port.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "link/transport.h"
#include "util/error.h"

bool meter_port_is_pty(const char *port)
{
	char sys_path[PATH_MAX];
	struct stat info;

	if (strncmp(port, "/dev/pts/", 9) != 0 || stat(port, &info) != 0 || !S_ISCHR(info.st_mode))
		return false;
	snprintf(sys_path, sizeof sys_path, "/sys/class/tty/%s", port + 9);
	return access(sys_path, F_OK) != 0;
}

static int pty_open(const char *port, int *out)
{
	struct termios mode;
	int fd = open(port, O_RDWR | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return hb_error(HB_ERR_NOT_FOUND, "cannot open meter port '%s': %s", port,
				strerror(errno));
	if (tcgetattr(fd, &mode) != 0) {
		close(fd);
		return hb_error(HB_ERR_IO, "cannot open meter port '%s': not a terminal", port);
	}
	cfmakeraw(&mode);
	if (tcsetattr(fd, TCSANOW, &mode) != 0) {
		close(fd);
		return hb_error(HB_ERR_IO, "cannot set raw mode on meter port '%s': %s", port,
				strerror(errno));
	}
	*out = fd;
	return HB_OK;
}

int meter_port_open(const char *port, uint32_t baud, struct meter_port *out)
{
	const struct transport_options options = {.baud = baud};

	memset(out, 0, sizeof *out);
	out->pty = -1;
	if (strlen(port) >= sizeof out->name)
		return hb_error(HB_ERR_INPUT, "cannot open meter port '%.40s...': name too long",
				port);
	snprintf(out->name, sizeof out->name, "%s", port);
	if (meter_port_is_pty(port))
		return pty_open(port, &out->pty);
	return transport_serial.open(port, &options, &out->link);
}

int meter_port_write(struct meter_port *port, const void *data, size_t length, int timeout_ms)
{
	const uint8_t *bytes = data;
	size_t done = 0;

	if (port->link)
		return port->link->driver->write(port->link, bytes, length, timeout_ms);
	while (done < length) {
		struct pollfd waiting = {.fd = port->pty, .events = POLLOUT};
		ssize_t wrote;

		if (poll(&waiting, 1, timeout_ms) <= 0)
			return hb_error(HB_ERR_TIMEOUT, "writing to meter port '%s': timed out",
					port->name);
		wrote = write(port->pty, bytes + done, length - done);
		if (wrote < 0 && errno != EAGAIN && errno != EINTR)
			return hb_error(HB_ERR_IO, "writing to meter port '%s': %s", port->name,
					strerror(errno));
		if (wrote > 0)
			done += (size_t)wrote;
	}
	return HB_OK;
}

int meter_port_read(struct meter_port *port, void *data, size_t capacity, size_t *got,
		    int timeout_ms)
{
	struct pollfd waiting = {.fd = port->pty, .events = POLLIN};
	ssize_t result;

	*got = 0;
	if (port->link)
		return port->link->driver->read(port->link, data, capacity, got, timeout_ms);
	if (poll(&waiting, 1, timeout_ms) == 0)
		return HB_ERR_TIMEOUT;
	result = read(port->pty, data, capacity);
	if (result < 0 && (errno == EAGAIN || errno == EINTR))
		return HB_ERR_TIMEOUT;
	if (result <= 0)
		return hb_error(HB_ERR_IO, "reading from meter port '%s': the meter went away",
				port->name);
	*got = (size_t)result;
	return HB_OK;
}

void meter_port_close(struct meter_port *port)
{
	if (port->link)
		port->link->driver->close(port->link);
	if (port->pty >= 0)
		close(port->pty);
	port->link = NULL;
	port->pty = -1;
}
