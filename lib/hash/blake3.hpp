// BLAKE3 (the BLAKE3 specification, 2020, §2): the other hash Limine accepts
// after a '#' in a config path (64 hex digits: the 32-byte default output;
// 256 hex digits: 128 bytes of extended output). Streaming, unkeyed, with
// extended output. Freestanding: the chaining-value stack is a fixed array
// (54 entries cover 2^64 bytes of input).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/span.hpp"

namespace lib {

class Blake3 {
public:
    static constexpr size_t kDigestBytes = 32;

    Blake3();
    void update(Bytes data);
    // Any number of output bytes (extended output); does not change the
    // state, so it may be called again.
    void finish(uint8_t* out, size_t out_bytes) const;

    static void hash256(Bytes data, uint8_t (&out)[kDigestBytes]);

private:
    static constexpr size_t kBlockBytes = 64;
    static constexpr size_t kChunkBytes = 1024;
    static constexpr size_t kMaxDepth = 54;

    struct Output {
        uint32_t input_cv[8];
        uint32_t block[16];
        uint64_t counter;
        uint32_t block_len;
        uint32_t flags;
        void chaining_value(uint32_t (&out)[8]) const;
    };

    // A parent node over two children's chaining values (§2.4).
    static Output parent_output(const uint32_t (&left)[8], const uint32_t (&right)[8]);
    void finish_chunk_block();
    Output chunk_output() const;
    void push_chunk(const uint32_t (&cv)[8], uint64_t total_chunks);

    // The chunk being hashed.
    uint32_t chunk_cv_[8];
    uint64_t chunk_counter_ = 0;
    uint8_t block_[kBlockBytes];
    size_t block_len_ = 0;
    size_t blocks_compressed_ = 0;
    // Chaining values of finished subtrees, largest first.
    uint32_t stack_[kMaxDepth][8];
    size_t stack_size_ = 0;
};

}  // namespace lib
