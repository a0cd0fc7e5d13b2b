// inflate(); see inflate.hpp. Section numbers are RFC 1951's.
//
// Huffman codes are decoded canonically (§3.2.2): for each code length the
// number of codes of that length, and the symbols in code order. A code is
// read one bit at a time, most significant bit first (§3.1.1), and compared
// with the first code of each length; simple and bounded (at most 15 steps
// per symbol), fast enough for the loader's modules.
#include "lib/compress/inflate.hpp"

namespace lib {
namespace {

constexpr unsigned kMaxBits = 15;              // longest code (§3.2.7)
constexpr unsigned kLiteralLengthCodes = 288;  // 286 used, 286 and 287 invalid (§3.2.5)
constexpr unsigned kDistanceCodes = 32;        // 30 used
constexpr unsigned kCodeLengthCodes = 19;

Error fail(const char* message) {
    return Error::make(ErrorCode::kEINVAL, message);
}
Error truncated() {
    return Error::make(ErrorCode::kENODATA, "deflate: the stream ends early");
}

// Bits from the input, least significant bit of each byte first (§3.1.1).
class BitReader {
public:
    explicit BitReader(Bytes input) : input_(input) {}

    // `count` (0..16) bits as a number, the first read in bit 0.
    Expected<uint32_t> bits(unsigned count) {
        while (available_ < count) {
            if (position_ >= input_.size()) return truncated();
            buffer_ |= uint32_t(input_[position_++]) << available_;
            available_ += 8;
        }
        uint32_t value = buffer_ & ((1u << count) - 1);
        buffer_ >>= count;
        available_ -= count;
        return value;
    }
    // Drops the bits left of the current byte (stored blocks, §3.2.4).
    void align() {
        buffer_ = 0;
        available_ = 0;
    }
    Expected<uint8_t> byte() {
        if (position_ >= input_.size()) return truncated();
        return input_[position_++];
    }
    size_t consumed() const { return position_; }

private:
    Bytes input_;
    size_t position_ = 0;
    uint32_t buffer_ = 0;
    unsigned available_ = 0;
};

struct Huffman {
    uint16_t count[kMaxBits + 1] = {};          // codes of each length
    uint16_t symbol[kLiteralLengthCodes] = {};  // symbols in canonical order
};

// Builds a code from its lengths. Over-subscribed sets are refused;
// incomplete ones are allowed (§3.2.7 permits a single distance code), and
// reading one of their unused codes is an error in decode().
Expected<void> build(Huffman& h, const uint8_t* lengths, unsigned n) {
    for (unsigned i = 0; i <= kMaxBits; ++i) h.count[i] = 0;
    for (unsigned i = 0; i < n; ++i) ++h.count[lengths[i]];
    h.count[0] = 0;
    int left = 1;
    for (unsigned len = 1; len <= kMaxBits; ++len) {
        left = left * 2 - h.count[len];
        if (left < 0) return fail("deflate: a Huffman code is over-subscribed");
    }
    uint16_t offset[kMaxBits + 2];
    offset[1] = 0;
    for (unsigned len = 1; len <= kMaxBits; ++len) offset[len + 1] = uint16_t(offset[len] + h.count[len]);
    for (unsigned i = 0; i < n; ++i)
        if (lengths[i] != 0) h.symbol[offset[lengths[i]]++] = uint16_t(i);
    return {};
}

Expected<unsigned> decode(BitReader& in, const Huffman& h) {
    int code = 0, first = 0, index = 0;
    for (unsigned len = 1; len <= kMaxBits; ++len) {
        code |= int(TRY(in.bits(1)));
        int count = h.count[len];
        if (code - first < count) return unsigned(h.symbol[index + (code - first)]);
        index += count;
        first = (first + count) << 1;
        code <<= 1;
    }
    return fail("deflate: a code that the block's Huffman table does not have");
}

// §3.2.5: lengths 3..258 and distances 1..32768 as base + extra bits.
constexpr uint16_t kLengthBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                      31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr uint8_t kLengthExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr uint16_t kDistanceBase[30] = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                        33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                        1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr uint8_t kDistanceExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                        6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

class Output {
public:
    Output(uint8_t* out, size_t capacity) : out_(out), capacity_(capacity) {}

    Expected<void> literal(uint8_t value) {
        if (size_ == capacity_) return Error::make(ErrorCode::kERANGE, "deflate: output larger than expected");
        if (out_) out_[size_] = value;
        ++size_;
        return {};
    }
    Expected<void> copy(size_t distance, size_t length) {
        if (distance > size_) return fail("deflate: a distance reaches back before the start of the output");
        if (capacity_ - size_ < length)
            return Error::make(ErrorCode::kERANGE, "deflate: output larger than expected");
        if (out_)  // byte by byte: the source may overlap what is being written
            for (size_t i = 0; i < length; ++i) out_[size_ + i] = out_[size_ + i - distance];
        size_ += length;
        return {};
    }
    size_t size() const { return size_; }

private:
    uint8_t* out_;
    size_t capacity_;
    size_t size_ = 0;
};

Expected<void> stored_block(BitReader& in, Output& out) {
    in.align();
    uint16_t length = TRY(in.byte());
    length = uint16_t(length | TRY(in.byte()) << 8);
    uint16_t complement = TRY(in.byte());
    complement = uint16_t(complement | TRY(in.byte()) << 8);
    if (uint16_t(~complement) != length) return fail("deflate: a stored block's length and its complement differ");
    for (uint16_t i = 0; i < length; ++i) TRY(out.literal(TRY(in.byte())));
    return {};
}

Expected<void> huffman_block(BitReader& in, Output& out, const Huffman& lengths, const Huffman& distances) {
    for (;;) {
        unsigned symbol = TRY(decode(in, lengths));
        if (symbol < 256) {
            TRY(out.literal(uint8_t(symbol)));
        } else if (symbol == 256) {
            return {};
        } else {
            symbol -= 257;
            if (symbol >= 29) return fail("deflate: a length code beyond 285");
            size_t length = kLengthBase[symbol] + TRY(in.bits(kLengthExtra[symbol]));
            unsigned code = TRY(decode(in, distances));
            if (code >= 30) return fail("deflate: a distance code beyond 29");
            size_t distance = kDistanceBase[code] + TRY(in.bits(kDistanceExtra[code]));
            TRY(out.copy(distance, length));
        }
    }
}

Expected<void> fixed_block(BitReader& in, Output& out) {
    // §3.2.6: literal/length codes of 8, 9, 7 and 8 bits; distances all 5.
    // Built each time (a few hundred steps): no shared state to guard.
    uint8_t l[kLiteralLengthCodes];
    for (unsigned i = 0; i < kLiteralLengthCodes; ++i) l[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
    uint8_t d[kDistanceCodes];
    for (unsigned i = 0; i < kDistanceCodes; ++i) d[i] = 5;
    Huffman lengths, distances;
    TRY(build(lengths, l, kLiteralLengthCodes));
    TRY(build(distances, d, kDistanceCodes));
    return huffman_block(in, out, lengths, distances);
}

Expected<void> dynamic_block(BitReader& in, Output& out) {
    // §3.2.7: the code lengths, themselves Huffman coded.
    unsigned literal_count = TRY(in.bits(5)) + 257;
    unsigned distance_count = TRY(in.bits(5)) + 1;
    unsigned length_code_count = TRY(in.bits(4)) + 4;
    if (literal_count > 286 || distance_count > 30) return fail("deflate: more codes than the alphabet has");
    static constexpr uint8_t kOrder[kCodeLengthCodes] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                         11, 4,  12, 3, 13, 2, 14, 1, 15};
    uint8_t code_lengths[kCodeLengthCodes] = {};
    for (unsigned i = 0; i < length_code_count; ++i) code_lengths[kOrder[i]] = uint8_t(TRY(in.bits(3)));
    Huffman length_code;
    TRY(build(length_code, code_lengths, kCodeLengthCodes));

    uint8_t lengths[286 + 30] = {};
    unsigned total = literal_count + distance_count;
    for (unsigned i = 0; i < total;) {
        unsigned symbol = TRY(decode(in, length_code));
        if (symbol < 16) {
            lengths[i++] = uint8_t(symbol);
            continue;
        }
        uint8_t value = 0;
        unsigned repeat;
        if (symbol == 16) {
            if (i == 0) return fail("deflate: a repeated code length with nothing before it");
            value = lengths[i - 1];
            repeat = 3 + TRY(in.bits(2));
        } else if (symbol == 17) {
            repeat = 3 + TRY(in.bits(3));
        } else {
            repeat = 11 + TRY(in.bits(7));
        }
        if (i + repeat > total) return fail("deflate: code lengths run past the codes");
        while (repeat--) lengths[i++] = value;
    }
    if (lengths[256] == 0) return fail("deflate: a block without an end-of-block code");
    Huffman literal_code, distance_code;
    TRY(build(literal_code, lengths, literal_count));
    TRY(build(distance_code, lengths + literal_count, distance_count));
    return huffman_block(in, out, literal_code, distance_code);
}

}  // namespace

Expected<size_t> inflate(Bytes input, uint8_t* out, size_t capacity, size_t* consumed) {
    BitReader in(input);
    Output output(out, capacity);
    for (bool last = false; !last;) {
        last = TRY(in.bits(1)) != 0;
        switch (TRY(in.bits(2))) {
            case 0: TRY(stored_block(in, output)); break;
            case 1: TRY(fixed_block(in, output)); break;
            case 2: TRY(dynamic_block(in, output)); break;
            default: return fail("deflate: block type 3 is reserved");
        }
    }
    if (consumed) *consumed = in.consumed();
    return output.size();
}

}  // namespace lib
