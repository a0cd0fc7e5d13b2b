// BLAKE2b (RFC 7693): the hash Limine accepts after a '#' in a config path
// (128 hex digits, 64-byte digest). Streaming, optionally keyed, any digest
// length from 1 to 64 bytes. Freestanding: no allocation.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/span.hpp"

namespace lib {

class Blake2b {
public:
    static constexpr size_t kBlockBytes = 128;
    static constexpr size_t kMaxDigestBytes = 64;
    static constexpr size_t kMaxKeyBytes = 64;

    // digest_bytes 1..64, key at most 64 bytes (RFC 7693 §2.5, §3.3);
    // out-of-range values are clamped so the object is always usable.
    explicit Blake2b(size_t digest_bytes = kMaxDigestBytes, Bytes key = {});

    void update(Bytes data);
    // Writes digest_bytes bytes to `out`. Call once.
    void finish(uint8_t* out);

    // One call: BLAKE2b-512 of `data`.
    static void hash512(Bytes data, uint8_t (&out)[kMaxDigestBytes]);

private:
    void compress(bool last);

    uint64_t h_[8];
    uint64_t counter_[2] = {0, 0};  // bytes hashed, 128-bit (t0, t1)
    uint8_t buffer_[kBlockBytes];
    size_t buffered_ = 0;
    size_t digest_bytes_;
};

}  // namespace lib
