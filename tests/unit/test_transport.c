/* Transports against servers made here: a unix socket and TCP on 127.0.0.1,
 * each served by a thread that echoes, stays silent or hangs up. */
#include <criterion/criterion.h>

#include "util/clock.h"
#include "util/error.h"
#include "link/transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

enum transport_test_mode { SERVE_ECHO, SERVE_SILENT, SERVE_HANG_UP };

struct transport_test_server {
	int listen_fd;
	enum transport_test_mode mode;
	int delay_listen_ms; /* unix only: bind this late, as QEMU does */
	struct sockaddr_un unix_address;
	char address[160];
	char dir[64];
	pthread_t thread;
	size_t echoed; /* bytes the echo server has written back (atomic) */
};

static void transport_test_quiet(enum hb_level level, const char *message, void *context)
{
	(void)level;
	(void)message;
	(void)context;
}

static void transport_test_setup(void)
{
	hb_log_set_sink(transport_test_quiet, NULL);
}

TestSuite(transport, .init = transport_test_setup, .timeout = 20);

/* No asserts: this also runs on the server thread. */
static int transport_test_bind_unix(struct transport_test_server *server)
{
	server->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (server->listen_fd < 0)
		return -1;
	if (bind(server->listen_fd, (struct sockaddr *)&server->unix_address,
		 sizeof server->unix_address) != 0)
		return -1;
	return listen(server->listen_fd, 1);
}

static void *transport_test_serve(void *argument)
{
	struct transport_test_server *server = argument;
	uint8_t buffer[4096];
	ssize_t got;
	int fd;

	if (server->delay_listen_ms) {
		usleep((useconds_t)server->delay_listen_ms * 1000);
		if (transport_test_bind_unix(server) != 0)
			return NULL;
	}
	fd = accept(server->listen_fd, NULL, NULL);
	if (fd < 0)
		return NULL;
	switch (server->mode) {
	case SERVE_ECHO:
		while ((got = read(fd, buffer, sizeof buffer)) > 0) {
			if (write(fd, buffer, (size_t)got) != got)
				break;
			__atomic_add_fetch(&server->echoed, (size_t)got, __ATOMIC_RELEASE);
		}
		break;
	case SERVE_SILENT:
		/* Wait for the client to go away. */
		while (read(fd, buffer, sizeof buffer) > 0)
			;
		break;
	case SERVE_HANG_UP: break;
	}
	close(fd);
	return NULL;
}

static void transport_test_start_unix(struct transport_test_server *server,
				      enum transport_test_mode mode, int delay_listen_ms)
{
	memset(server, 0, sizeof *server);
	server->mode = mode;
	server->delay_listen_ms = delay_listen_ms;
	snprintf(server->dir, sizeof server->dir, "/tmp/hb-transport-XXXXXX");
	cr_assert_not_null(mkdtemp(server->dir));
	server->unix_address.sun_family = AF_UNIX;
	snprintf(server->unix_address.sun_path, sizeof server->unix_address.sun_path,
		 "%s/uart.sock", server->dir);
	snprintf(server->address, sizeof server->address, "unix:%s", server->unix_address.sun_path);
	server->listen_fd = -1;
	if (!delay_listen_ms)
		cr_assert_eq(transport_test_bind_unix(server), 0);
	cr_assert_eq(pthread_create(&server->thread, NULL, transport_test_serve, server), 0);
}

static void transport_test_start_tcp(struct transport_test_server *server,
				     enum transport_test_mode mode)
{
	struct sockaddr_in address = {.sin_family = AF_INET};
	socklen_t length = sizeof address;

	memset(server, 0, sizeof *server);
	server->mode = mode;
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	server->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(server->listen_fd, 0);
	cr_assert_eq(bind(server->listen_fd, (struct sockaddr *)&address, sizeof address), 0);
	cr_assert_eq(listen(server->listen_fd, 1), 0);
	cr_assert_eq(getsockname(server->listen_fd, (struct sockaddr *)&address, &length), 0);
	snprintf(server->address, sizeof server->address, "127.0.0.1:%u",
		 (unsigned)ntohs(address.sin_port));
	cr_assert_eq(pthread_create(&server->thread, NULL, transport_test_serve, server), 0);
}

static void transport_test_finish(struct transport_test_server *server)
{
	pthread_join(server->thread, NULL);
	if (server->listen_fd >= 0)
		close(server->listen_fd);
	if (server->dir[0]) {
		unlink(server->unix_address.sun_path);
		rmdir(server->dir);
	}
}

static struct transport *transport_test_open(const char *address, int connect_timeout_ms)
{
	struct transport_options options = {.connect_timeout_ms = connect_timeout_ms};
	struct transport *transport = NULL;
	int status = transport_tcp.open(address, &options, &transport);

	cr_assert_eq(status, HB_OK, "open '%s': %s", address, hb_last_error());
	cr_assert_not_null(transport);
	cr_assert_eq(transport->driver, &transport_tcp);
	cr_assert_str_eq(transport->address, address);
	return transport;
}

/* Sends a pattern with every byte value and reads it all back. */
static void transport_test_round_trip(struct transport *transport)
{
	uint8_t sent[3000], received[3000];
	size_t total = 0;

	for (size_t i = 0; i < sizeof sent; i++)
		sent[i] = (uint8_t)(i * 7 + 1);
	sent[0] = 0x00;
	sent[1] = 0x01; /* -nographic's escape byte must pass untouched */
	cr_assert_eq(transport->driver->write(transport, sent, sizeof sent, 1000), HB_OK);
	while (total < sizeof received) {
		size_t got = 0;
		int status = transport->driver->read(transport, received + total,
						     sizeof received - total, &got, 1000);
		cr_assert_eq(status, HB_OK, "read after %zu bytes: %d %s", total, status,
			     hb_last_error());
		cr_assert_gt(got, 0);
		total += got;
	}
	cr_assert_arr_eq(received, sent, sizeof sent);
}

Test(transport, unix_round_trip)
{
	struct transport_test_server server;
	struct transport *transport;

	transport_test_start_unix(&server, SERVE_ECHO, 0);
	transport = transport_test_open(server.address, 1000);
	transport_test_round_trip(transport);
	transport->driver->close(transport);
	transport_test_finish(&server);
}

Test(transport, tcp_round_trip)
{
	struct transport_test_server server;
	struct transport *transport;

	transport_test_start_tcp(&server, SERVE_ECHO);
	transport = transport_test_open(server.address, 1000);
	transport_test_round_trip(transport);
	transport->driver->close(transport);
	transport_test_finish(&server);
}

Test(transport, tcp_read_times_out)
{
	struct transport_test_server server;
	struct transport *transport;
	uint8_t byte = 0xAA;
	size_t got = 99;
	int64_t started;

	transport_test_start_tcp(&server, SERVE_SILENT);
	transport = transport_test_open(server.address, 1000);
	started = clock_now_ms();
	cr_assert_eq(transport->driver->read(transport, &byte, 1, &got, 150), HB_ERR_TIMEOUT);
	cr_assert_eq(got, 0);
	cr_assert_geq(clock_now_ms() - started, 140);
	cr_assert_lt(clock_now_ms() - started, 600);
	/* A zero timeout only looks. */
	started = clock_now_ms();
	cr_assert_eq(transport->driver->read(transport, &byte, 1, &got, 0), HB_ERR_TIMEOUT);
	cr_assert_lt(clock_now_ms() - started, 50);
	transport->driver->close(transport);
	transport_test_finish(&server);
}

Test(transport, unix_end_of_stream_is_io_error)
{
	struct transport_test_server server;
	struct transport *transport;
	uint8_t byte;
	size_t got = 99;
	char expected[256];

	transport_test_start_unix(&server, SERVE_HANG_UP, 0);
	transport = transport_test_open(server.address, 1000);
	cr_assert_eq(transport->driver->read(transport, &byte, 1, &got, 2000), HB_ERR_IO);
	cr_assert_eq(got, 0);
	snprintf(expected, sizeof expected, "'%s': connection closed by the board", server.address);
	cr_assert_str_eq(hb_last_error(), expected);
	transport->driver->close(transport);
	transport_test_finish(&server);
}

Test(transport, flush_input_drops_pending_bytes)
{
	struct transport_test_server server;
	struct transport *transport;
	const uint8_t stale[] = {1, 2, 3, 4};
	const uint8_t fresh[] = {9};
	uint8_t buffer[16];
	size_t got = 0;

	transport_test_start_unix(&server, SERVE_ECHO, 0);
	transport = transport_test_open(server.address, 1000);
	cr_assert_eq(transport->driver->write(transport, stale, sizeof stale, 1000), HB_OK);
	/* A unix socket's write lands in the peer's queue at once: once the
	 * server has written the echo back, it is pending here. A fixed sleep
	 * lost this race on a loaded machine. */
	for (int waited = 0; __atomic_load_n(&server.echoed, __ATOMIC_ACQUIRE) < sizeof stale;
	     waited++) {
		cr_assert_lt(waited, 5000, "the echo server never answered");
		usleep(1000);
	}
	cr_assert_eq(transport->driver->flush_input(transport), HB_OK);
	cr_assert_eq(transport->driver->write(transport, fresh, sizeof fresh, 1000), HB_OK);
	cr_assert_eq(transport->driver->read(transport, buffer, sizeof buffer, &got, 1000), HB_OK);
	cr_assert_eq(got, 1);
	cr_assert_eq(buffer[0], 9);
	transport->driver->close(transport);
	transport_test_finish(&server);
}

/* QEMU makes its socket a few ms after it starts: the connect waits. */
Test(transport, unix_connect_waits_for_late_socket)
{
	struct transport_test_server server;
	struct transport *transport;

	transport_test_start_unix(&server, SERVE_ECHO, 100);
	transport = transport_test_open(server.address, 2000);
	transport_test_round_trip(transport);
	transport->driver->close(transport);
	transport_test_finish(&server);
}

Test(transport, unix_missing_socket_fails_in_time)
{
	struct transport_options options = {.connect_timeout_ms = 200};
	struct transport sentinel = {0};
	struct transport *transport = &sentinel; /* open must reset it */
	int64_t started = clock_now_ms();
	int status =
	    transport_tcp.open("unix:/tmp/hb-no-such-dir/uart0.sock", &options, &transport);
	int64_t elapsed = clock_now_ms() - started;

	cr_assert_eq(status, HB_ERR_NOT_FOUND);
	cr_assert_null(transport);
	cr_assert_geq(elapsed, 190);
	cr_assert_lt(elapsed, 700);
	cr_assert(strstr(hb_last_error(), "'unix:/tmp/hb-no-such-dir/uart0.sock'"), "got: %s",
		  hb_last_error());
}

Test(transport, tcp_refused_names_address)
{
	struct transport_options options = {.connect_timeout_ms = 100};
	struct transport *transport = NULL;
	struct sockaddr_in address = {.sin_family = AF_INET};
	socklen_t length = sizeof address;
	char text[64];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	/* A port that was just free: bind, learn it, close without listening. */
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&address, sizeof address), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&address, &length), 0);
	close(fd);
	snprintf(text, sizeof text, "127.0.0.1:%u", (unsigned)ntohs(address.sin_port));
	cr_assert_eq(transport_tcp.open(text, &options, &transport), HB_ERR_IO);
	cr_assert(strstr(hb_last_error(), text), "got: %s", hb_last_error());
	cr_assert(strstr(hb_last_error(), "refused"), "got: %s", hb_last_error());
}

Test(transport, tcp_bad_addresses_are_input_errors)
{
	struct transport_options options = {.connect_timeout_ms = 0};
	struct transport *transport = NULL;

	cr_assert_eq(transport_tcp.open("localhost", &options, &transport), HB_ERR_INPUT);
	cr_assert(strstr(hb_last_error(), "'localhost'"));
	cr_assert_eq(transport_tcp.open("host:", &options, &transport), HB_ERR_INPUT);
	cr_assert_eq(transport_tcp.open("unix:", &options, &transport), HB_ERR_INPUT);
	cr_assert_null(transport);
}

Test(transport, write_after_peer_closed_is_io_error)
{
	struct transport_test_server server;
	struct transport *transport;
	uint8_t data[65536] = {0};
	uint8_t byte;
	size_t got;
	int status = HB_OK;

	transport_test_start_unix(&server, SERVE_HANG_UP, 0);
	transport = transport_test_open(server.address, 1000);
	cr_assert_eq(transport->driver->read(transport, &byte, 1, &got, 2000), HB_ERR_IO);
	/* No SIGPIPE: the error comes back as a code. */
	for (int i = 0; i < 4 && status == HB_OK; i++)
		status = transport->driver->write(transport, data, sizeof data, 500);
	cr_assert_eq(status, HB_ERR_IO);
	cr_assert(strstr(hb_last_error(), server.address), "got: %s", hb_last_error());
	transport->driver->close(transport);
	transport_test_finish(&server);
}

Test(transport, serial_missing_device_names_path)
{
	struct transport_options options = {.baud = 115200};
	struct transport *transport = NULL;

	cr_assert_eq(transport_serial.open("/dev/ttyNOPE", &options, &transport), HB_ERR_NOT_FOUND);
	cr_assert_null(transport);
	cr_assert_str_eq(
	    hb_last_error(),
	    "cannot open serial port '/dev/ttyNOPE': no such device (is the board "
	    "plugged in? `ls /dev/serial/by-id` lists the serial ports this machine sees)");
}

Test(transport, serial_not_a_port)
{
	struct transport_options options = {.baud = 115200};
	struct transport *transport = NULL;

	cr_assert_eq(transport_serial.open("/dev/null", &options, &transport), HB_ERR_INPUT);
	cr_assert(strstr(hb_last_error(), "'/dev/null'"), "got: %s", hb_last_error());
	cr_assert(strstr(hb_last_error(), "not a serial port"), "got: %s", hb_last_error());
}

Test(transport, serial_usb_addresses)
{
	struct transport_options options = {.baud = 115200};
	struct transport *transport = NULL;

	cr_assert_eq(transport_serial.open("usb:xyz", &options, &transport), HB_ERR_INPUT);
	cr_assert(strstr(hb_last_error(), "usb:VID:PID"), "got: %s", hb_last_error());
	cr_assert_eq(transport_serial.open("usb:0483:", &options, &transport), HB_ERR_INPUT);
	/* An id no device has (0xffff is reserved). */
	cr_assert_eq(transport_serial.open("usb:ffff:fffe:NOSERIAL", &options, &transport),
		     HB_ERR_NOT_FOUND);
	cr_assert(strstr(hb_last_error(), "'usb:ffff:fffe:NOSERIAL'"), "got: %s", hb_last_error());
	cr_assert_null(transport);
}

Test(transport, find_by_name)
{
	const char *const *names = transport_names();
	size_t count = 0;

	cr_assert_eq(transport_find("serial"), &transport_serial);
	cr_assert_eq(transport_find("tcp"), &transport_tcp);
	cr_assert_null(transport_find("nope"));
	cr_assert_null(transport_find(NULL));
	while (names[count])
		count++;
	cr_assert_eq(count, 2);
	cr_assert_str_eq(names[0], "serial");
	cr_assert_str_eq(names[1], "tcp");
}
