#include "link/pty_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "util/error.h"

/* Each side is polled in turn this long: the delay a command sees. */
#define POLL_SLICE_MS 2

int pty_relay_open(struct pty_relay *relay)
{
	struct termios mode;
	const char *name;

	memset(relay, 0, sizeof *relay);
	relay->slave = -1;
	relay->master = posix_openpt(O_RDWR | O_NOCTTY);
	if (relay->master < 0)
		return hb_error(HB_ERR_IO, "cannot open a pseudo-terminal (posix_openpt): %s",
				strerror(errno));
	if (grantpt(relay->master) != 0 || unlockpt(relay->master) != 0 ||
	    !(name = ptsname(relay->master))) {
		hb_error(HB_ERR_IO, "cannot unlock the pseudo-terminal: %s", strerror(errno));
		goto fail;
	}
	snprintf(relay->path, sizeof relay->path, "%s", name);
	relay->slave = open(relay->path, O_RDWR | O_NOCTTY);
	if (relay->slave < 0 || tcgetattr(relay->slave, &mode) != 0) {
		hb_error(HB_ERR_IO, "cannot open the pseudo-terminal '%s': %s", relay->path,
			 strerror(errno));
		goto fail;
	}
	cfmakeraw(&mode);
	if (tcsetattr(relay->slave, TCSANOW, &mode) != 0) {
		hb_error(HB_ERR_IO, "cannot set raw mode on '%s': %s", relay->path,
			 strerror(errno));
		goto fail;
	}
	if (fcntl(relay->master, F_SETFL, fcntl(relay->master, F_GETFL) | O_NONBLOCK) != 0) {
		hb_error(HB_ERR_IO, "cannot make '%s' non-blocking: %s", relay->path,
			 strerror(errno));
		goto fail;
	}
	return HB_OK;
fail:
	pty_relay_close(relay);
	return HB_ERR_IO;
}

/* Client to board: whatever the pty has now, sent whole. */
static int relay_to_board(struct pty_relay *relay, struct transport *console)
{
	uint8_t buffer[512];
	struct pollfd waiting = {.fd = relay->master, .events = POLLIN};
	ssize_t got;

	if (poll(&waiting, 1, POLL_SLICE_MS) <= 0 || !(waiting.revents & POLLIN))
		return HB_OK;
	got = read(relay->master, buffer, sizeof buffer);
	if (got < 0)
		return errno == EAGAIN || errno == EINTR || errno == EIO
			   ? HB_OK /* EIO: no client has the pty open */
			   : hb_error(HB_ERR_IO, "cannot read the pseudo-terminal '%s': %s",
				      relay->path, strerror(errno));
	relay->to_board += (uint64_t)got;
	return console->driver->write(console, buffer, (size_t)got, 10000);
}

/* Board to client: bytes wait in `pending` while the pty is full. */
static int relay_from_board(struct pty_relay *relay, struct transport *console, uint8_t *pending,
			    size_t capacity, size_t *length)
{
	size_t got = 0;
	ssize_t written;
	int status;

	if (*length == 0) {
		status = console->driver->read(console, pending, capacity, &got, POLL_SLICE_MS);
		if (status == HB_ERR_TIMEOUT)
			return HB_OK;
		if (status != HB_OK)
			return status;
		*length = got;
	}
	written = write(relay->master, pending, *length);
	if (written < 0)
		return errno == EAGAIN || errno == EINTR
			   ? HB_OK
			   : hb_error(HB_ERR_IO, "cannot write the pseudo-terminal '%s': %s",
				      relay->path, strerror(errno));
	relay->from_board += (uint64_t)written;
	memmove(pending, pending + written, *length - (size_t)written);
	*length -= (size_t)written;
	return HB_OK;
}

int pty_relay_run(struct pty_relay *relay, struct transport *console, volatile sig_atomic_t *stop)
{
	uint8_t pending[512];
	size_t length = 0;
	int status = HB_OK;

	while (status == HB_OK && !*stop) {
		status = relay_to_board(relay, console);
		if (status == HB_OK)
			status = relay_from_board(relay, console, pending, sizeof pending, &length);
	}
	return status;
}

void pty_relay_close(struct pty_relay *relay)
{
	if (relay->slave >= 0)
		close(relay->slave);
	if (relay->master >= 0)
		close(relay->master);
	relay->slave = relay->master = -1;
}
