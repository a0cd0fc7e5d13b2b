// PC Screen Font (PSF) parsing: the bitmap console fonts of the Linux console
// (Debian ships them in /usr/share/consolefonts). Both versions:
//
//   PSF1: 4-byte header (magic 36 04, mode, glyph height); glyphs 8 pixels
//         wide; 256 or 512 of them; optional table of UCS-2 code points.
//   PSF2: 32-byte header (magic 72 b5 4a 86, version, header size, flags,
//         glyph count, bytes per glyph, height, width); optional table of
//         UTF-8 code points.
//
// Glyph rows are (width + 7) / 8 bytes, most significant bit leftmost.
// The unicode table lists, glyph by glyph, the code points each glyph shows;
// without one, code point N is glyph N.
//
// The parser trusts nothing in the file: every size and offset is checked
// against the data, and a broken font is an Error, never a wild read. A
// PsfFont does not copy the file: the bytes must outlive it.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"
#include "lib/span.hpp"

namespace lib {

class PsfFont {
public:
    // Limits on what we accept: Linux's own console fonts stay well within
    // them, and they keep every product below in 32 bits.
    static constexpr uint32_t kMaxGlyphs = 32768;
    static constexpr uint32_t kMaxGlyphDimension = 256;  // pixels, width and height
    static constexpr uint32_t kNoGlyph = 0xFFFFFFFF;

    static Expected<PsfFont> parse(Bytes file);

    // An empty font: no glyphs, every lookup gives an empty bitmap.
    PsfFont() = default;

    uint32_t version() const { return version_; }  // 1 or 2
    uint32_t glyph_count() const { return glyph_count_; }
    uint32_t width() const { return width_; }
    uint32_t height() const { return height_; }
    uint32_t bytes_per_row() const { return (width_ + 7) / 8; }
    uint32_t bytes_per_glyph() const { return bytes_per_glyph_; }
    bool has_unicode_table() const { return !unicode_table_.empty(); }

    // The bitmap of glyph `index` (height() rows of bytes_per_row() bytes);
    // empty if there is no such glyph.
    Bytes glyph(uint32_t index) const;

    // The glyph showing `code_point`, or kNoGlyph if the font has none.
    uint32_t find_glyph(uint32_t code_point) const;

    // The glyph to draw for `code_point`: its own, else the font's '?', else
    // glyph 0. Always a valid index.
    uint32_t glyph_for(uint32_t code_point) const;

    // The bitmap glyph_for() picks.
    Bytes glyph_bitmap_for(uint32_t code_point) const { return glyph(glyph_for(code_point)); }

private:
    static Expected<PsfFont> parse_v1(Bytes file);
    static Expected<PsfFont> parse_v2(Bytes file);
    void build_latin1_map();
    uint32_t search_unicode_table(uint32_t code_point) const;

    uint32_t version_ = 0;
    uint32_t glyph_count_ = 0;
    uint32_t width_ = 0;
    uint32_t height_ = 0;
    uint32_t bytes_per_glyph_ = 0;
    Bytes glyphs_;
    Bytes unicode_table_;  // empty if the font has none
    // U+0000..U+00FF -> glyph, looked up once when parsing: the console draws
    // these all the time, everything else is rare and searched for.
    uint16_t latin1_glyphs_[256] = {};
    static constexpr uint16_t kNoLatin1Glyph = 0xFFFF;
    uint32_t fallback_glyph_ = 0;
};

}  // namespace lib
