#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

int file_read_all(const char *path, uint8_t **data, size_t *length)
{
	FILE *file = fopen(path, "rb");
	uint8_t *buffer = NULL;
	size_t used = 0, capacity = 0;

	if (!file)
		return hb_error(errno == ENOENT ? HB_ERR_NOT_FOUND : HB_ERR_IO,
				"cannot open '%s': %s", path, strerror(errno));
	for (;;) {
		size_t got;
		if (used + 1 >= capacity) {
			size_t grown = capacity ? capacity * 2 : 65536;
			uint8_t *bigger = realloc(buffer, grown);
			if (!bigger) {
				free(buffer);
				fclose(file);
				return hb_error(HB_ERR_NOMEM, "cannot read '%s': out of memory", path);
			}
			buffer = bigger;
			capacity = grown;
		}
		got = fread(buffer + used, 1, capacity - used - 1, file);
		used += got;
		if (got == 0)
			break;
	}
	if (ferror(file)) {
		free(buffer);
		fclose(file);
		return hb_error(HB_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
	}
	fclose(file);
	buffer[used] = '\0';
	*data = buffer;
	*length = used;
	return HB_OK;
}

int file_write_atomic(const char *path, const void *data, size_t length)
{
	char temp[4096];
	const uint8_t *bytes = data;
	int fd;

	if (snprintf(temp, sizeof temp, "%s.tmp-%ld", path, (long)getpid()) >= (int)sizeof temp)
		return hb_error(HB_ERR_INPUT, "path too long: '%s'", path);
	fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return hb_error(HB_ERR_IO, "cannot write '%s': %s", temp, strerror(errno));
	while (length > 0) {
		ssize_t written = write(fd, bytes, length);
		if (written < 0 && errno == EINTR)
			continue;
		if (written <= 0) {
			int saved = errno;
			close(fd);
			unlink(temp);
			return hb_error(HB_ERR_IO, "cannot write '%s': %s", temp, strerror(saved));
		}
		bytes += written;
		length -= (size_t)written;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		unlink(temp);
		return hb_error(HB_ERR_IO, "cannot write '%s': %s", temp, strerror(errno));
	}
	if (rename(temp, path) != 0) {
		int saved = errno;
		unlink(temp);
		return hb_error(HB_ERR_IO, "cannot rename '%s' to '%s': %s", temp, path,
				strerror(saved));
	}
	return HB_OK;
}

int file_make_dirs(const char *path)
{
	char partial[4096];
	size_t length = strlen(path);

	if (length >= sizeof partial)
		return hb_error(HB_ERR_INPUT, "path too long: '%s'", path);
	memcpy(partial, path, length + 1);
	for (size_t i = 1; i <= length; i++) {
		if (partial[i] != '/' && partial[i] != '\0')
			continue;
		char saved = partial[i];
		partial[i] = '\0';
		if (mkdir(partial, 0755) != 0 && errno != EEXIST)
			return hb_error(HB_ERR_IO, "cannot create folder '%s': %s", partial,
					strerror(errno));
		partial[i] = saved;
	}
	return HB_OK;
}
