/*
 * Stream-socket transport: "host:port" for serial servers (ser2net) and
 * "unix:/path" for QEMU's UART chardev.
 *
 * The socket stays non-blocking and every wait is a poll() with the
 * caller's timeout, so a board that stops talking can never hang us.
 * The connect is retried because QEMU creates its socket a few ms after
 * it starts, and a serial server may still be coming up.
 */
#include "link/transport.h"

#include "util/clock.h"
#include "util/error.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define TCP_RETRY_MS	 10
#define TCP_HANDSHAKE_MS 1000

struct tcp_transport {
	struct transport base;
	int fd;
};

/* poll() one descriptor until `deadline` (< 0: forever), riding out EINTR.
 * Returns the revents, 0 on timeout, -1 with errno on failure. */
static int tcp_poll(int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd entry = {.fd = fd, .events = events};
		int wait = -1;
		int ready;
		if (deadline >= 0) {
			int64_t left = deadline - clock_now_ms();
			wait = left > 0 ? (int)left : 0;
		}
		ready = poll(&entry, 1, wait);
		if (ready > 0)
			return entry.revents;
		if (ready == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

static int64_t tcp_deadline(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : clock_now_ms() + timeout_ms;
}

/* Sleeps one retry step, or less if the deadline is nearer. */
static void tcp_pause_until(int64_t deadline)
{
	int64_t left = deadline - clock_now_ms();
	struct timespec pause = {0, 0};

	if (left > TCP_RETRY_MS)
		left = TCP_RETRY_MS;
	if (left <= 0)
		return;
	pause.tv_nsec = (long)left * 1000000L;
	nanosleep(&pause, NULL);
}

/* One non-blocking connect attempt bounded by `deadline`. Returns the fd,
 * or -1 with errno set. */
static int tcp_try_connect(const struct sockaddr *address, socklen_t length, int family,
			   int64_t deadline)
{
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int error = 0;
	socklen_t error_length = sizeof error;

	if (fd < 0)
		return -1;
	if (connect(fd, address, length) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (tcp_poll(fd, POLLOUT, deadline) <= 0) {
		close(fd);
		errno = ETIMEDOUT;
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_length) != 0 || error != 0) {
		close(fd);
		errno = error ? error : EIO;
		return -1;
	}
	return fd;
}

/* Worth another try: the other side may simply not be listening yet. */
static bool tcp_transient(int error)
{
	return error == ECONNREFUSED || error == ENOENT || error == EAGAIN || error == ETIMEDOUT ||
	       error == ECONNRESET || error == EHOSTUNREACH || error == ENETUNREACH;
}

static int tcp_connect_error(const char *address, bool is_unix, int error, int waited_ms)
{
	if (is_unix && error == ENOENT)
		return hb_error(
		    HB_ERR_NOT_FOUND,
		    "cannot connect to '%s': no such socket after %d ms (is the emulator running?)",
		    address, waited_ms);
	if (error == ECONNREFUSED)
		return hb_error(HB_ERR_IO,
				"cannot connect to '%s': connection refused after %d ms (%s)",
				address, waited_ms,
				is_unix ? "is the emulator running?"
					: "is the serial server running on that port?");
	if (error == ETIMEDOUT)
		return hb_error(
		    HB_ERR_TIMEOUT,
		    "cannot connect to '%s': no answer within %d ms (check the host and port)",
		    address, waited_ms);
	if (error == EACCES || error == EPERM)
		return hb_error(HB_ERR_IO,
				"cannot connect to '%s': %s (check the socket's permissions)",
				address, strerror(error));
	return hb_error(HB_ERR_IO, "cannot connect to '%s': %s", address, strerror(error));
}

static int tcp_connect_unix(const char *address, int timeout_ms, int *out_fd)
{
	const char *path = address + strlen("unix:");
	struct sockaddr_un socket_address = {.sun_family = AF_UNIX};
	int64_t start = clock_now_ms();
	int64_t deadline = start + (timeout_ms > 0 ? timeout_ms : 0);

	if (path[0] == '\0')
		return hb_error(HB_ERR_INPUT,
				"cannot connect to '%s': expected unix:/path/to/socket", address);
	if (strlen(path) >= sizeof socket_address.sun_path)
		return hb_error(HB_ERR_INPUT,
				"cannot connect to '%s': socket path longer than %zu bytes (use a "
				"shorter run directory)",
				address, sizeof socket_address.sun_path - 1);
	memcpy(socket_address.sun_path, path, strlen(path) + 1);
	for (;;) {
		int fd = tcp_try_connect((const struct sockaddr *)&socket_address,
					 sizeof socket_address, AF_UNIX, deadline);
		int error = errno;
		if (fd >= 0) {
			*out_fd = fd;
			return HB_OK;
		}
		if (!tcp_transient(error) || clock_now_ms() >= deadline)
			return tcp_connect_error(address, true, error,
						 (int)(clock_now_ms() - start));
		tcp_pause_until(deadline);
	}
}

/* Splits "host:port" or "[v6]:port" into its parts. */
static int tcp_split(const char *address, char *host, size_t host_capacity, const char **port)
{
	const char *colon;
	size_t host_length;
	const char *host_start = address;

	if (address[0] == '[') {
		const char *close = strchr(address, ']');
		if (!close || close[1] != ':')
			return HB_ERR_INPUT;
		host_start = address + 1;
		host_length = (size_t)(close - host_start);
		colon = close + 1;
	} else {
		colon = strrchr(address, ':');
		if (!colon)
			return HB_ERR_INPUT;
		host_length = (size_t)(colon - address);
	}
	if (host_length == 0 || host_length >= host_capacity || colon[1] == '\0')
		return HB_ERR_INPUT;
	memcpy(host, host_start, host_length);
	host[host_length] = '\0';
	*port = colon + 1;
	return HB_OK;
}

static int tcp_connect_inet(const char *address, int timeout_ms, int *out_fd)
{
	char host[256];
	const char *port;
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *found;
	int64_t start = clock_now_ms();
	int64_t deadline = start + (timeout_ms > 0 ? timeout_ms : 0);
	int lookup;

	if (tcp_split(address, host, sizeof host, &port) != HB_OK)
		return hb_error(HB_ERR_INPUT,
				"cannot connect to '%s': expected host:port or unix:/path",
				address);
	lookup = getaddrinfo(host, port, &hints, &found);
	if (lookup != 0)
		return hb_error(HB_ERR_NOT_FOUND,
				"cannot connect to '%s': %s (check the host name and port)",
				address, gai_strerror(lookup));
	for (;;) {
		int error = ECONNREFUSED;
		for (struct addrinfo *entry = found; entry; entry = entry->ai_next) {
			/* Without a connect timeout, the single attempt still
			 * gets time for the handshake. */
			int64_t attempt_deadline =
			    timeout_ms > 0 ? deadline : clock_now_ms() + TCP_HANDSHAKE_MS;
			int fd = tcp_try_connect(entry->ai_addr, entry->ai_addrlen,
						 entry->ai_family, attempt_deadline);
			if (fd >= 0) {
				int on = 1;
				/* Frames are small and latency is what we measure. */
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
				freeaddrinfo(found);
				*out_fd = fd;
				return HB_OK;
			}
			error = errno;
		}
		if (!tcp_transient(error) || clock_now_ms() >= deadline) {
			freeaddrinfo(found);
			return tcp_connect_error(address, false, error,
						 (int)(clock_now_ms() - start));
		}
		tcp_pause_until(deadline);
	}
}

static int tcp_open(const char *address, const struct transport_options *options,
		    struct transport **out)
{
	struct tcp_transport *tcp;
	int timeout_ms = options ? options->connect_timeout_ms : 0;
	int fd = -1;
	int status;

	*out = NULL;
	if (strlen(address) >= sizeof tcp->base.address)
		return hb_error(HB_ERR_INPUT, "cannot connect to '%.40s...': address too long",
				address);
	if (strncmp(address, "unix:", 5) == 0)
		status = tcp_connect_unix(address, timeout_ms, &fd);
	else
		status = tcp_connect_inet(address, timeout_ms, &fd);
	if (status != HB_OK)
		return status;
	tcp = calloc(1, sizeof *tcp);
	if (!tcp) {
		close(fd);
		return hb_error(HB_ERR_NOMEM, "cannot connect to '%s': out of memory", address);
	}
	tcp->base.driver = &transport_tcp;
	snprintf(tcp->base.address, sizeof tcp->base.address, "%s", address);
	tcp->fd = fd;
	*out = &tcp->base;
	return HB_OK;
}

static int tcp_write(struct transport *transport, const uint8_t *data, size_t length,
		     int timeout_ms)
{
	struct tcp_transport *tcp = (struct tcp_transport *)transport;
	int64_t deadline = tcp_deadline(timeout_ms);
	size_t sent = 0;

	while (sent < length) {
		ssize_t written = send(tcp->fd, data + sent, length - sent, MSG_NOSIGNAL);
		int ready;
		if (written > 0) {
			sent += (size_t)written;
			continue;
		}
		if (written < 0 && errno == EINTR)
			continue;
		if (written < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			if (errno == EPIPE || errno == ECONNRESET)
				return hb_error(HB_ERR_IO, "'%s': connection closed by the board",
						transport->address);
			return hb_error(HB_ERR_IO, "writing to '%s': %s", transport->address,
					strerror(errno));
		}
		ready = tcp_poll(tcp->fd, POLLOUT, deadline);
		if (ready == 0)
			return hb_error(HB_ERR_TIMEOUT,
					"writing to '%s': the board took no data for %d ms (%zu of "
					"%zu bytes sent)",
					transport->address, timeout_ms, sent, length);
		if (ready < 0)
			return hb_error(HB_ERR_IO, "writing to '%s': %s", transport->address,
					strerror(errno));
	}
	return HB_OK;
}

static int tcp_read(struct transport *transport, uint8_t *data, size_t capacity, size_t *got,
		    int timeout_ms)
{
	struct tcp_transport *tcp = (struct tcp_transport *)transport;
	int64_t deadline = tcp_deadline(timeout_ms);

	*got = 0;
	for (;;) {
		ssize_t received = recv(tcp->fd, data, capacity, 0);
		int ready;
		if (received > 0) {
			*got = (size_t)received;
			return HB_OK;
		}
		if (received == 0)
			return hb_error(HB_ERR_IO, "'%s': connection closed by the board",
					transport->address);
		if (errno == EINTR)
			continue;
		if (errno == ECONNRESET)
			return hb_error(HB_ERR_IO, "'%s': connection closed by the board",
					transport->address);
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return hb_error(HB_ERR_IO, "reading from '%s': %s", transport->address,
					strerror(errno));
		ready = tcp_poll(tcp->fd, POLLIN, deadline);
		/* Nothing yet is an ordinary answer: the caller knows whether
		 * silence is an error at this point of the conversation. */
		if (ready == 0)
			return HB_ERR_TIMEOUT;
		if (ready < 0)
			return hb_error(HB_ERR_IO, "reading from '%s': %s", transport->address,
					strerror(errno));
	}
}

static int tcp_flush_input(struct transport *transport)
{
	struct tcp_transport *tcp = (struct tcp_transport *)transport;
	uint8_t scratch[512];

	for (;;) {
		ssize_t received = recv(tcp->fd, scratch, sizeof scratch, MSG_DONTWAIT);
		if (received > 0)
			continue;
		/* End of stream is left for the next read to report. */
		if (received == 0 || errno == EAGAIN || errno == EWOULDBLOCK)
			return HB_OK;
		if (errno == EINTR)
			continue;
		return hb_error(HB_ERR_IO, "flushing '%s': %s", transport->address,
				strerror(errno));
	}
}

static void tcp_close(struct transport *transport)
{
	struct tcp_transport *tcp = (struct tcp_transport *)transport;

	if (!transport)
		return;
	close(tcp->fd);
	free(tcp);
}

/* "host:port" with a numeric port, as ser2net and QEMU print them. */
static bool tcp_address_valid(const char *device)
{
	const char *colon = strrchr(device, ':');
	unsigned long port = 0;

	if (!colon || colon == device || !colon[1])
		return false;
	for (const char *c = colon + 1; *c; c++) {
		if (*c < '0' || *c > '9')
			return false;
		port = port * 10 + (unsigned long)(*c - '0');
		if (port > 65535)
			return false;
	}
	return port > 0;
}

static const char *const tcp_profile_fields[] = {"transport", "device", NULL};

static void tcp_check_profile(struct json_reader *reader, const struct board_profile *board)
{
	if (!board->console.device[0])
		json_fail(reader, "missing field 'console.device' (expected \"host:port\" "
				  "with transport \"tcp\")");
	else if (!tcp_address_valid(board->console.device))
		json_fail(reader,
			  "field 'console.device': expected \"host:port\" with a "
			  "port from 1 to 65535, got \"%s\"",
			  board->console.device);
}

const struct transport_driver transport_tcp = {
    .name = "tcp",
    .profile_fields = tcp_profile_fields,
    .check_profile = tcp_check_profile,
    .open = tcp_open,
    .write = tcp_write,
    .read = tcp_read,
    .flush_input = tcp_flush_input,
    .close = tcp_close,
};
