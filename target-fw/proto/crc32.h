/*
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), the same value as
 * zlib's crc32(). Portable C99, no I/O: compiled into host and firmware.
 */
#ifndef PROTO_CRC32_H
#define PROTO_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continue a CRC: start with crc32_update(0, ...), feed further chunks. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t length);

static inline uint32_t crc32_compute(const void *data, size_t length)
{
	return crc32_update(0, data, length);
}

#endif
