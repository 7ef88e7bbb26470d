#include "util/fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"

int file_read_all(const char *path, size_t max_bytes, const char *what, uint8_t **data,
		  size_t *length)
{
	FILE *file = fopen(path, "rb");
	struct stat info;
	uint8_t *buffer;
	size_t got;

	if (!file && errno == ENOENT)
		return hb_error(HB_ERR_NOT_FOUND, "'%s': no such file", path);
	if (!file)
		return hb_error(HB_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fileno(file), &info) != 0 || !S_ISREG(info.st_mode)) {
		fclose(file);
		return hb_error(HB_ERR_INPUT, "'%s': not a regular file", path);
	}
	if ((uint64_t)info.st_size > max_bytes) {
		fclose(file);
		return hb_error(HB_ERR_INPUT, "'%s': expected %s of at most %zu bytes, got %lld",
				path, what, max_bytes, (long long)info.st_size);
	}
	buffer = malloc((size_t)info.st_size + 1);
	if (!buffer) {
		fclose(file);
		return hb_error(HB_ERR_NOMEM, "cannot read '%s': out of memory", path);
	}
	got = fread(buffer, 1, (size_t)info.st_size, file);
	if (ferror(file)) {
		free(buffer);
		fclose(file);
		return hb_error(HB_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
	}
	fclose(file);
	buffer[got] = '\0';
	*data = buffer;
	*length = got;
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
	return file_sync_parent_dir(path);
}

int file_sync_parent_dir(const char *path)
{
	char folder[4096];
	const char *slash = strrchr(path, '/');
	size_t length = slash ? (size_t)(slash - path) : 0;
	int fd, status = HB_OK;

	if (length >= sizeof folder)
		return hb_error(HB_ERR_INPUT, "path too long: '%s'", path);
	if (!slash)
		snprintf(folder, sizeof folder, ".");
	else if (length == 0)
		snprintf(folder, sizeof folder, "/");
	else
		snprintf(folder, sizeof folder, "%.*s", (int)length, path);
	fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hb_error(HB_ERR_IO, "cannot open folder '%s' to sync it: %s", folder,
				strerror(errno));
	/* Some file systems cannot fsync a folder (EINVAL): nothing more to do there. */
	if (fsync(fd) != 0 && errno != EINVAL)
		status =
		    hb_error(HB_ERR_IO, "cannot sync folder '%s': %s", folder, strerror(errno));
	close(fd);
	return status;
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

int file_remove_scratch_dir(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *entry;
	char file[4096];
	int status = HB_OK;

	if (!dir)
		return hb_error(HB_ERR_IO, "cannot open folder '%s': %s", path, strerror(errno));
	while (status == HB_OK && (entry = readdir(dir))) {
		if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
			continue;
		snprintf(file, sizeof file, "%s/%s", path, entry->d_name);
		if (unlink(file) != 0)
			status =
			    hb_error(HB_ERR_IO, "cannot remove '%s': %s", file, strerror(errno));
	}
	closedir(dir);
	if (status == HB_OK && rmdir(path) != 0)
		status =
		    hb_error(HB_ERR_IO, "cannot remove folder '%s': %s", path, strerror(errno));
	return status;
}
