// BLAKE3, written from its specification (§2.1 the compression function and
// its 7 rounds with the message permutation between rounds, §2.2 the domain
// flags, §2.3 chunks of 1024 bytes in 64-byte blocks, §2.4 the binary tree of
// parent nodes merged as chunks complete, §2.6 extended output from the root
// node with an incrementing output-block counter).
#include "lib/hash/blake3.hpp"

#include "lib/bytes.hpp"

namespace lib {
namespace {

constexpr uint32_t kIv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                             0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
constexpr uint8_t kPermutation[16] = {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8};

enum Flag : uint32_t { kChunkStart = 1, kChunkEnd = 2, kParent = 4, kRoot = 8 };

constexpr uint32_t rotate_right(uint32_t x, unsigned n) {
    return (x >> n) | (x << (32 - n));
}

void mix(uint32_t* v, int a, int b, int c, int d, uint32_t x, uint32_t y) {
    v[a] = v[a] + v[b] + x;
    v[d] = rotate_right(v[d] ^ v[a], 16);
    v[c] = v[c] + v[d];
    v[b] = rotate_right(v[b] ^ v[c], 12);
    v[a] = v[a] + v[b] + y;
    v[d] = rotate_right(v[d] ^ v[a], 8);
    v[c] = v[c] + v[d];
    v[b] = rotate_right(v[b] ^ v[c], 7);
}

// The full 16-word output of the compression function.
void compress(const uint32_t (&cv)[8], const uint32_t (&block)[16], uint64_t counter, uint32_t block_len,
              uint32_t flags, uint32_t (&out)[16]) {
    uint32_t v[16] = {cv[0],
                      cv[1],
                      cv[2],
                      cv[3],
                      cv[4],
                      cv[5],
                      cv[6],
                      cv[7],
                      kIv[0],
                      kIv[1],
                      kIv[2],
                      kIv[3],
                      uint32_t(counter),
                      uint32_t(counter >> 32),
                      block_len,
                      flags};
    uint32_t m[16];
    for (int i = 0; i < 16; ++i) m[i] = block[i];
    for (int round = 0; round < 7; ++round) {
        mix(v, 0, 4, 8, 12, m[0], m[1]);
        mix(v, 1, 5, 9, 13, m[2], m[3]);
        mix(v, 2, 6, 10, 14, m[4], m[5]);
        mix(v, 3, 7, 11, 15, m[6], m[7]);
        mix(v, 0, 5, 10, 15, m[8], m[9]);
        mix(v, 1, 6, 11, 12, m[10], m[11]);
        mix(v, 2, 7, 8, 13, m[12], m[13]);
        mix(v, 3, 4, 9, 14, m[14], m[15]);
        if (round == 6) break;
        uint32_t permuted[16];
        for (int i = 0; i < 16; ++i) permuted[i] = m[kPermutation[i]];
        for (int i = 0; i < 16; ++i) m[i] = permuted[i];
    }
    for (int i = 0; i < 8; ++i) {
        out[i] = v[i] ^ v[i + 8];
        out[i + 8] = v[i + 8] ^ cv[i];
    }
}

void load_block(const uint8_t* bytes, uint32_t (&words)[16]) {
    for (int i = 0; i < 16; ++i) words[i] = lib::load_le32(bytes + 4 * i);
}

}  // namespace

Blake3::Output Blake3::parent_output(const uint32_t (&left)[8], const uint32_t (&right)[8]) {
    Output parent{};
    for (int i = 0; i < 8; ++i) {
        parent.input_cv[i] = kIv[i];
        parent.block[i] = left[i];
        parent.block[i + 8] = right[i];
    }
    parent.block_len = kBlockBytes;
    parent.flags = kParent;
    return parent;
}

void Blake3::Output::chaining_value(uint32_t (&out)[8]) const {
    uint32_t full[16];
    compress(input_cv, block, counter, block_len, flags, full);
    for (int i = 0; i < 8; ++i) out[i] = full[i];
}

Blake3::Blake3() {
    for (int i = 0; i < 8; ++i) chunk_cv_[i] = kIv[i];
    for (size_t i = 0; i < kBlockBytes; ++i) block_[i] = 0;
}

// Compresses the full block buffer into the chunk's chaining value (never the
// chunk's last block: that one is only known to be last when the chunk ends).
void Blake3::finish_chunk_block() {
    uint32_t words[16], out[16];
    load_block(block_, words);
    compress(chunk_cv_, words, chunk_counter_, kBlockBytes, blocks_compressed_ == 0 ? kChunkStart : 0, out);
    for (int i = 0; i < 8; ++i) chunk_cv_[i] = out[i];
    ++blocks_compressed_;
    block_len_ = 0;
    for (size_t i = 0; i < kBlockBytes; ++i) block_[i] = 0;
}

Blake3::Output Blake3::chunk_output() const {
    Output output{};
    for (int i = 0; i < 8; ++i) output.input_cv[i] = chunk_cv_[i];
    load_block(block_, output.block);
    output.counter = chunk_counter_;
    output.block_len = uint32_t(block_len_);
    output.flags = kChunkEnd | (blocks_compressed_ == 0 ? kChunkStart : 0);
    return output;
}

// §2.4: after chunk number total_chunks completes, merge one parent per
// trailing zero bit of total_chunks, then push.
void Blake3::push_chunk(const uint32_t (&cv)[8], uint64_t total_chunks) {
    uint32_t merged[8];
    for (int i = 0; i < 8; ++i) merged[i] = cv[i];
    while ((total_chunks & 1) == 0 && stack_size_ > 0) {
        parent_output(stack_[stack_size_ - 1], merged).chaining_value(merged);
        --stack_size_;
        total_chunks >>= 1;
    }
    for (int i = 0; i < 8; ++i) stack_[stack_size_][i] = merged[i];
    ++stack_size_;
}

void Blake3::update(Bytes data) {
    size_t at = 0;
    while (at < data.size()) {
        size_t in_chunk = blocks_compressed_ * kBlockBytes + block_len_;
        if (in_chunk == kChunkBytes) {
            // The chunk is full and more input follows: it is not the root.
            uint32_t cv[8];
            chunk_output().chaining_value(cv);
            push_chunk(cv, chunk_counter_ + 1);
            ++chunk_counter_;
            for (int i = 0; i < 8; ++i) chunk_cv_[i] = kIv[i];
            blocks_compressed_ = 0;
            block_len_ = 0;
            for (size_t i = 0; i < kBlockBytes; ++i) block_[i] = 0;
        }
        if (block_len_ == kBlockBytes) finish_chunk_block();
        block_[block_len_++] = data[at++];
    }
}

void Blake3::finish(uint8_t* out, size_t out_bytes) const {
    Output output = chunk_output();
    for (size_t remaining = stack_size_; remaining > 0; --remaining) {
        uint32_t right[8];
        output.chaining_value(right);
        output = parent_output(stack_[remaining - 1], right);
    }
    // §2.6: the root node, compressed with ROOT once per 64 output bytes.
    uint64_t counter = 0;
    size_t written = 0;
    while (written < out_bytes) {
        uint32_t words[16];
        compress(output.input_cv, output.block, counter++, output.block_len, output.flags | kRoot, words);
        for (size_t i = 0; i < 64 && written < out_bytes; ++i) out[written++] = uint8_t(words[i / 4] >> (8 * (i % 4)));
    }
}

void Blake3::hash256(Bytes data, uint8_t (&out)[kDigestBytes]) {
    Blake3 hasher;
    hasher.update(data);
    hasher.finish(out, kDigestBytes);
}

}  // namespace lib
