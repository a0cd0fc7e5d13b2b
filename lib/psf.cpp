// PSF1/PSF2 parsing; see psf.hpp. Layouts as documented by the Linux kbd
// project (psf.h / "The PC Screen Font File Format").
#include "lib/psf.hpp"

#include "lib/bytes.hpp"

namespace lib {
namespace {

constexpr uint8_t kPsf1Magic[2] = {0x36, 0x04};
constexpr uint8_t kPsf2Magic[4] = {0x72, 0xB5, 0x4A, 0x86};

constexpr size_t kPsf1HeaderSize = 4;
constexpr uint8_t kPsf1Mode512 = 0x01;           // 512 glyphs instead of 256
constexpr uint8_t kPsf1ModeHasTab = 0x02;        // a unicode table follows the glyphs
constexpr uint8_t kPsf1ModeHasSeq = 0x04;        // ... with combining sequences (implies a table)
constexpr uint16_t kPsf1Separator = 0xFFFF;      // ends one glyph's entries
constexpr uint16_t kPsf1StartSequence = 0xFFFE;  // a combining sequence follows

constexpr size_t kPsf2HeaderSize = 32;
constexpr uint32_t kPsf2HasUnicodeTable = 0x01;
constexpr uint8_t kPsf2Separator = 0xFF;
constexpr uint8_t kPsf2StartSequence = 0xFE;

bool starts_with(Bytes bytes, const uint8_t* magic, size_t size) {
    if (bytes.size() < size) return false;
    for (size_t i = 0; i < size; ++i)
        if (bytes[i] != magic[i]) return false;
    return true;
}

// Decodes one UTF-8 character at table[offset]; advances offset past it.
// Malformed input yields kNoCodePoint and advances by one byte, so a broken
// table can not stall or derail the walk for more than one byte.
constexpr uint32_t kNoCodePoint = 0xFFFFFFFF;
uint32_t decode_utf8(Bytes table, size_t& offset) {
    uint8_t lead = table[offset];
    size_t length;
    uint32_t value;
    if (lead < 0x80) {
        ++offset;
        return lead;
    } else if ((lead & 0xE0) == 0xC0) {
        length = 2;
        value = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3;
        value = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4;
        value = lead & 0x07;
    } else {
        ++offset;
        return kNoCodePoint;
    }
    if (table.size() - offset < length) {
        ++offset;
        return kNoCodePoint;
    }
    for (size_t i = 1; i < length; ++i) {
        uint8_t next = table[offset + i];
        if ((next & 0xC0) != 0x80) {
            ++offset;
            return kNoCodePoint;
        }
        value = value << 6 | (next & 0x3F);
    }
    offset += length;
    return value;
}

// Calls visit(glyph, code_point) for every single code point the table maps
// (combining sequences are skipped: the console draws one glyph per code
// point) until visit returns true. Returns the glyph it stopped at, or
// PsfFont::kNoGlyph. A table with more entries than glyphs stops at the last
// glyph; a table that ends early just maps fewer glyphs.
template <typename Visit>
uint32_t walk_unicode_table(uint32_t version, Bytes table, uint32_t glyph_count, Visit&& visit) {
    uint32_t glyph = 0;
    bool in_sequence = false;
    size_t offset = 0;
    while (offset < table.size() && glyph < glyph_count) {
        uint32_t code_point;
        if (version == 1) {
            if (table.size() - offset < 2) break;
            uint16_t entry = lib::read_u16(table, offset);
            offset += 2;
            if (entry == kPsf1Separator) {
                ++glyph;
                in_sequence = false;
                continue;
            }
            if (entry == kPsf1StartSequence) {
                in_sequence = true;
                continue;
            }
            code_point = entry;
        } else {
            uint8_t byte = table[offset];
            if (byte == kPsf2Separator) {
                ++offset;
                ++glyph;
                in_sequence = false;
                continue;
            }
            if (byte == kPsf2StartSequence) {
                ++offset;
                in_sequence = true;
                continue;
            }
            code_point = decode_utf8(table, offset);
            if (code_point == kNoCodePoint) continue;
        }
        if (!in_sequence && visit(glyph, code_point)) return glyph;
    }
    return PsfFont::kNoGlyph;
}

}  // namespace

Expected<PsfFont> PsfFont::parse(Bytes file) {
    if (starts_with(file, kPsf2Magic, sizeof kPsf2Magic)) return parse_v2(file);
    if (starts_with(file, kPsf1Magic, sizeof kPsf1Magic)) return parse_v1(file);
    return Error::make(ErrorCode::kEINVAL, "psf: no PSF1 or PSF2 magic");
}

Expected<PsfFont> PsfFont::parse_v1(Bytes file) {
    if (file.size() < kPsf1HeaderSize) return Error::make(ErrorCode::kENODATA, "psf1: header truncated");
    const uint8_t mode = file[2];
    const uint8_t height = file[3];
    if (height == 0) return Error::make(ErrorCode::kEINVAL, "psf1: glyph height is 0");
    if (mode & ~(kPsf1Mode512 | kPsf1ModeHasTab | kPsf1ModeHasSeq))
        return Error::make(ErrorCode::kEOPNOTSUPP, "psf1: unknown mode bits");

    PsfFont font;
    font.version_ = 1;
    font.glyph_count_ = (mode & kPsf1Mode512) ? 512 : 256;
    font.width_ = 8;
    font.height_ = height;
    font.bytes_per_glyph_ = height;  // one byte per row at width 8
    const size_t glyph_bytes = size_t(font.glyph_count_) * font.bytes_per_glyph_;
    if (file.size() - kPsf1HeaderSize < glyph_bytes) return Error::make(ErrorCode::kENODATA, "psf1: glyphs truncated");
    font.glyphs_ = file.subspan(kPsf1HeaderSize, glyph_bytes);
    if (mode & (kPsf1ModeHasTab | kPsf1ModeHasSeq)) {
        font.unicode_table_ = file.subspan(kPsf1HeaderSize + glyph_bytes);
        if (font.unicode_table_.size() < 2)
            return Error::make(ErrorCode::kENODATA, "psf1: unicode table announced but missing");
    }
    font.build_latin1_map();
    return font;
}

Expected<PsfFont> PsfFont::parse_v2(Bytes file) {
    if (file.size() < kPsf2HeaderSize) return Error::make(ErrorCode::kENODATA, "psf2: header truncated");
    const uint32_t version = lib::read_u32(file, 4);
    const uint32_t header_size = lib::read_u32(file, 8);
    const uint32_t flags = lib::read_u32(file, 12);
    const uint32_t glyph_count = lib::read_u32(file, 16);
    const uint32_t bytes_per_glyph = lib::read_u32(file, 20);
    const uint32_t height = lib::read_u32(file, 24);
    const uint32_t width = lib::read_u32(file, 28);

    if (version != 0) return Error::make(ErrorCode::kEOPNOTSUPP, "psf2: unknown version");
    if (header_size < kPsf2HeaderSize) return Error::make(ErrorCode::kEINVAL, "psf2: header size below 32");
    if (header_size > file.size()) return Error::make(ErrorCode::kENODATA, "psf2: header size beyond the file");
    if (glyph_count == 0 || glyph_count > kMaxGlyphs)
        return Error::make(ErrorCode::kEINVAL, "psf2: glyph count is 0 or absurd");
    if (width == 0 || height == 0 || width > kMaxGlyphDimension || height > kMaxGlyphDimension)
        return Error::make(ErrorCode::kEINVAL, "psf2: glyph size is 0 or absurd");
    // The glyph size must agree with the dimensions, or rows would be read
    // from the wrong place (or past the glyph).
    if (bytes_per_glyph != height * ((width + 7) / 8))
        return Error::make(ErrorCode::kEINVAL, "psf2: bytes per glyph disagrees with width and height");

    const uint64_t glyph_bytes = uint64_t(glyph_count) * bytes_per_glyph;  // < 2^32 by the limits above
    if (file.size() - header_size < glyph_bytes) return Error::make(ErrorCode::kENODATA, "psf2: glyphs truncated");

    PsfFont font;
    font.version_ = 2;
    font.glyph_count_ = glyph_count;
    font.width_ = width;
    font.height_ = height;
    font.bytes_per_glyph_ = bytes_per_glyph;
    font.glyphs_ = file.subspan(header_size, size_t(glyph_bytes));
    if (flags & kPsf2HasUnicodeTable) {
        font.unicode_table_ = file.subspan(header_size + size_t(glyph_bytes));
        if (font.unicode_table_.empty())
            return Error::make(ErrorCode::kENODATA, "psf2: unicode table announced but missing");
    }
    font.build_latin1_map();
    return font;
}

void PsfFont::build_latin1_map() {
    for (uint16_t& entry : latin1_glyphs_) entry = kNoLatin1Glyph;
    if (unicode_table_.empty()) {
        for (uint32_t code_point = 0; code_point < 256 && code_point < glyph_count_; ++code_point)
            latin1_glyphs_[code_point] = uint16_t(code_point);
    } else {
        walk_unicode_table(version_, unicode_table_, glyph_count_, [this](uint32_t glyph, uint32_t code_point) {
            // The first glyph listed for a code point wins, as in the kernel's
            // own font loader.
            if (code_point < 256 && latin1_glyphs_[code_point] == kNoLatin1Glyph)
                latin1_glyphs_[code_point] = uint16_t(glyph);
            return false;
        });
    }
    const uint16_t question_mark = latin1_glyphs_[uint8_t('?')];
    fallback_glyph_ = question_mark != kNoLatin1Glyph ? question_mark : 0;
}

uint32_t PsfFont::search_unicode_table(uint32_t code_point) const {
    return walk_unicode_table(version_, unicode_table_, glyph_count_,
                              [code_point](uint32_t, uint32_t listed) { return listed == code_point; });
}

Bytes PsfFont::glyph(uint32_t index) const {
    if (index >= glyph_count_) return {};
    return glyphs_.subspan(size_t(index) * bytes_per_glyph_, bytes_per_glyph_);
}

uint32_t PsfFont::find_glyph(uint32_t code_point) const {
    if (code_point < 256) return latin1_glyphs_[code_point] == kNoLatin1Glyph ? kNoGlyph : latin1_glyphs_[code_point];
    if (unicode_table_.empty()) return code_point < glyph_count_ ? code_point : kNoGlyph;
    return search_unicode_table(code_point);
}

uint32_t PsfFont::glyph_for(uint32_t code_point) const {
    uint32_t glyph = find_glyph(code_point);
    return glyph == kNoGlyph ? fallback_glyph_ : glyph;
}

}  // namespace lib
