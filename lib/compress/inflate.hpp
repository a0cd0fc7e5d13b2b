// DEFLATE decompression (RFC 1951): stored, fixed-Huffman and dynamic-
// Huffman blocks, strict about every field. Freestanding: no allocation, the
// output goes into the caller's buffer, which is also the history that
// back-references copy from. Bad input is an error naming what was wrong,
// never a read or write outside the spans given.
//
//   size_t n = TRY(lib::inflate(compressed, out, capacity, &consumed));
//   size_t n = TRY(lib::inflate(compressed, nullptr, SIZE_MAX, &consumed));  // only measure
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"
#include "lib/span.hpp"

namespace lib {

// Decompresses the DEFLATE stream at the start of `input` into `out`
// (`capacity` bytes; `out` null: nothing is written, only the size is
// found, with every check but the ones on data). Returns the decompressed
// size; `*consumed` is set to the bytes of `input` the stream took (up to
// its last whole byte). Fails if the stream is malformed or truncated, or
// its output would exceed `capacity`.
Expected<size_t> inflate(Bytes input, uint8_t* out, size_t capacity, size_t* consumed);

}  // namespace lib
