// gzip (RFC 1952): the members of a .gz file, each a header, a DEFLATE
// stream (lib/compress/inflate.hpp) and a trailer with the CRC-32 and the
// size of its data, which are checked. What Limine's '$' paths ask for
// (docs/limine-protocol.md §9): the loader decompresses such files.
//
//   size_t size = TRY(lib::gunzip(file, nullptr, SIZE_MAX));  // measure
//   TRY(lib::gunzip(file, buffer, size));                     // decompress
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"
#include "lib/span.hpp"

namespace lib {

// Whether `data` starts like a gzip member (ID1 1Fh, ID2 8Bh, CM 8).
bool is_gzip(Bytes data);

// The CRC-32 of ISO 3309 / ITU-T V.42 that gzip uses (RFC 1952 §8),
// continued from `crc` (0 to start).
uint32_t crc32(Bytes data, uint32_t crc = 0);

// Decompresses every member of `data` (one or more, back to back) into
// `out` and returns the total size. With `out` null nothing is written and
// the CRCs cannot be checked; the sizes still are. Fails, naming what is
// wrong, on a bad header (reserved flag bits, another compression method),
// a malformed or truncated stream, a CRC-32 or size that does not match,
// bytes after the last member, or output beyond `capacity`.
Expected<size_t> gunzip(Bytes data, uint8_t* out, size_t capacity);

}  // namespace lib
