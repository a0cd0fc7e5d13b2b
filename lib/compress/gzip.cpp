// gunzip(); see gzip.hpp. Section numbers are RFC 1952's.
#include "lib/compress/gzip.hpp"

#include "lib/bytes.hpp"
#include "lib/compress/inflate.hpp"

namespace lib {
namespace {

// §2.3.1: FLG bits.
constexpr uint8_t kFlagHeaderCrc = 1u << 1;
constexpr uint8_t kFlagExtra = 1u << 2;
constexpr uint8_t kFlagName = 1u << 3;
constexpr uint8_t kFlagComment = 1u << 4;
constexpr uint8_t kFlagReserved = 0xe0;
constexpr size_t kFixedHeader = 10;
constexpr size_t kTrailer = 8;

Error bad(const char* message) {
    return Error::make(ErrorCode::kEINVAL, message);
}
Error short_input() {
    return Error::make(ErrorCode::kENODATA, "gzip: the file ends early");
}

// Skips a zero-terminated field (file name, comment) from `at`.
Expected<size_t> skip_string(Bytes data, size_t at) {
    for (; at < data.size(); ++at)
        if (data[at] == 0) return at + 1;
    return short_input();
}

// The header of the member at `at` (§2.3); returns where its DEFLATE data starts.
Expected<size_t> parse_header(Bytes data, size_t at) {
    if (data.size() - at < kFixedHeader) return short_input();
    if (!is_gzip(data.subspan(at, data.size() - at))) return bad("gzip: not a gzip member (ID1, ID2, CM)");
    uint8_t flags = data[at + 3];
    if (flags & kFlagReserved) return bad("gzip: reserved header flags are set");
    size_t position = at + kFixedHeader;
    if (flags & kFlagExtra) {
        if (data.size() - position < 2) return short_input();
        size_t extra = read_u16(data, position);
        position += 2;
        if (data.size() - position < extra) return short_input();
        position += extra;
    }
    if (flags & kFlagName) position = TRY(skip_string(data, position));
    if (flags & kFlagComment) position = TRY(skip_string(data, position));
    if (flags & kFlagHeaderCrc) {
        if (data.size() - position < 2) return short_input();
        // The two low bytes of the CRC-32 of the header up to here.
        uint16_t expected = read_u16(data, position);
        if (uint16_t(crc32(data.subspan(at, position - at))) != expected) return bad("gzip: header CRC mismatch");
        position += 2;
    }
    return position;
}

}  // namespace

bool is_gzip(Bytes data) {
    return data.size() >= 3 && data[0] == 0x1f && data[1] == 0x8b && data[2] == 8;
}

uint32_t crc32(Bytes data, uint32_t crc) {
    // Bit by bit, reflected polynomial EDB88320h (§8): small, and no table to
    // build or keep.
    crc = ~crc;
    for (uint8_t byte : data) {
        crc ^= byte;
        for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

Expected<size_t> gunzip(Bytes data, uint8_t* out, size_t capacity) {
    if (!is_gzip(data)) return bad("gzip: not a gzip file");
    size_t total = 0;
    for (size_t at = 0; at < data.size();) {
        if (at > 0 && !is_gzip(data.subspan(at))) return bad("gzip: bytes after the last member");
        size_t start = TRY(parse_header(data, at));
        size_t consumed = 0;
        size_t size = TRY(inflate(data.subspan(start, data.size() - start), out ? out + total : nullptr,
                                  capacity - total, &consumed));
        size_t trailer = start + consumed;
        if (data.size() - trailer < kTrailer) return short_input();
        // §2.3.1: CRC32 and ISIZE (the size modulo 2^32).
        if (read_u32(data, trailer + 4) != uint32_t(size)) return bad("gzip: the size in the trailer does not match");
        if (out && read_u32(data, trailer) != crc32(Bytes(out + total, size)))
            return bad("gzip: CRC-32 mismatch: the data is corrupt");
        total += size;
        at = trailer + kTrailer;
    }
    return total;
}

}  // namespace lib
