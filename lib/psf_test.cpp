// Host tests of lib/psf: the real Debian Terminus fonts (PSF1 and PSF2),
// hand-built fonts with known tables, and truncated, corrupted and random
// inputs (under ASan, any read outside the file fails the test).
#include "lib/psf.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {

std::vector<uint8_t> read_gzip(const std::string& path) {
    std::vector<uint8_t> data;
    gzFile file = gzopen(path.c_str(), "rb");
    if (!file) return data;
    uint8_t chunk[4096];
    int got;
    while ((got = gzread(file, chunk, sizeof chunk)) > 0) data.insert(data.end(), chunk, chunk + got);
    gzclose(file);
    return data;
}

lib::Bytes bytes_of(const std::vector<uint8_t>& data) {
    return lib::Bytes(data.data(), data.size());
}

void put_le32(std::vector<uint8_t>& out, uint32_t value) {
    for (int i = 0; i < 4; ++i) out.push_back(uint8_t(value >> (8 * i)));
}
void put_le16(std::vector<uint8_t>& out, uint16_t value) {
    out.push_back(uint8_t(value));
    out.push_back(uint8_t(value >> 8));
}
void put_utf8(std::vector<uint8_t>& out, uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(uint8_t(cp));
    } else if (cp < 0x800) {
        out.push_back(uint8_t(0xC0 | cp >> 6));
        out.push_back(uint8_t(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(uint8_t(0xE0 | cp >> 12));
        out.push_back(uint8_t(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(uint8_t(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(uint8_t(0xF0 | cp >> 18));
        out.push_back(uint8_t(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(uint8_t(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(uint8_t(0x80 | (cp & 0x3F)));
    }
}

// A PSF2 font of `count` glyphs, width x height; glyph i's bytes are all i.
// table[i] lists the code points of glyph i (empty table: no unicode flag).
std::vector<uint8_t> make_psf2(uint32_t count, uint32_t width, uint32_t height,
                               const std::vector<std::vector<uint32_t>>& table) {
    std::vector<uint8_t> out = {0x72, 0xB5, 0x4A, 0x86};
    uint32_t per_glyph = height * ((width + 7) / 8);
    put_le32(out, 0);
    put_le32(out, 32);
    put_le32(out, table.empty() ? 0 : 1);
    put_le32(out, count);
    put_le32(out, per_glyph);
    put_le32(out, height);
    put_le32(out, width);
    for (uint32_t g = 0; g < count; ++g) out.insert(out.end(), per_glyph, uint8_t(g));
    for (const auto& code_points : table) {
        for (uint32_t cp : code_points) put_utf8(out, cp);
        out.push_back(0xFF);
    }
    return out;
}

std::vector<uint8_t> make_psf1(bool has_512, uint8_t height, const std::vector<std::vector<uint16_t>>& table) {
    uint8_t mode = uint8_t((has_512 ? 1 : 0) | (table.empty() ? 0 : 2));
    std::vector<uint8_t> out = {0x36, 0x04, mode, height};
    uint32_t count = has_512 ? 512 : 256;
    for (uint32_t g = 0; g < count; ++g) out.insert(out.end(), height, uint8_t(g));
    for (const auto& entries : table) {
        for (uint16_t e : entries) put_le16(out, e);
        put_le16(out, 0xFFFF);
    }
    return out;
}

// Reads everything a console would read from a parsed font.
void exercise(const lib::PsfFont& font) {
    uint64_t sum = 0;
    for (uint32_t cp = 0; cp < 0x300; ++cp) {
        lib::Bytes glyph = font.glyph_bitmap_for(cp);
        ASSERT_LT(font.glyph_for(cp), font.glyph_count() == 0 ? 1 : font.glyph_count());
        if (font.glyph_count() > 0) ASSERT_EQ(glyph.size(), font.bytes_per_glyph());
        for (uint8_t b : glyph) sum += b;
    }
    EXPECT_TRUE(font.glyph(font.glyph_count()).empty());
    (void)sum;
}

TEST(Psf, RealTerminus16IsPsf1) {
    auto data = read_gzip("/usr/share/consolefonts/Uni2-Terminus16.psf.gz");
    ASSERT_FALSE(data.empty()) << "Debian console-setup-linux font missing";
    auto font = lib::PsfFont::parse(bytes_of(data));
    ASSERT_TRUE(font.has_value()) << font.error().message;
    EXPECT_EQ(font->version(), 1u);
    EXPECT_EQ(font->glyph_count(), 512u);
    EXPECT_EQ(font->width(), 8u);
    EXPECT_EQ(font->height(), 16u);
    EXPECT_TRUE(font->has_unicode_table());
    // Every printable ASCII and Latin-1 character has its own glyph.
    for (uint32_t cp = 0x20; cp < 0x7F; ++cp) EXPECT_NE(font->find_glyph(cp), lib::PsfFont::kNoGlyph) << cp;
    for (uint32_t cp = 0xA0; cp <= 0xFF; ++cp) EXPECT_NE(font->find_glyph(cp), lib::PsfFont::kNoGlyph) << cp;
    // Distinct letters, distinct glyphs; a blank space; an 'A' with ink.
    EXPECT_NE(font->find_glyph('A'), font->find_glyph('B'));
    lib::Bytes space = font->glyph_bitmap_for(' ');
    for (uint8_t row : space) EXPECT_EQ(row, 0);
    int ink = 0;
    for (uint8_t row : font->glyph_bitmap_for('A')) ink += __builtin_popcount(row);
    EXPECT_GT(ink, 10);
    // Beyond Latin-1 through the table: box drawing is in every Uni2 font.
    EXPECT_NE(font->find_glyph(0x2500), lib::PsfFont::kNoGlyph);
    // Something no console font has falls back to '?'.
    EXPECT_EQ(font->find_glyph(0x1F600), lib::PsfFont::kNoGlyph);
    EXPECT_EQ(font->glyph_for(0x1F600), font->find_glyph('?'));
    exercise(*font);
}

TEST(Psf, RealTerminus20x10IsPsf2) {
    auto data = read_gzip("/usr/share/consolefonts/Lat15-Terminus20x10.psf.gz");
    if (data.empty()) GTEST_SKIP() << "font not installed";
    auto font = lib::PsfFont::parse(bytes_of(data));
    ASSERT_TRUE(font.has_value()) << font.error().message;
    EXPECT_EQ(font->version(), 2u);
    EXPECT_EQ(font->width(), 10u);
    EXPECT_EQ(font->height(), 20u);
    EXPECT_EQ(font->bytes_per_row(), 2u);
    EXPECT_EQ(font->bytes_per_glyph(), 40u);
    for (uint32_t cp = 0x20; cp < 0x7F; ++cp) EXPECT_NE(font->find_glyph(cp), lib::PsfFont::kNoGlyph) << cp;
    EXPECT_NE(font->find_glyph(0xE9), lib::PsfFont::kNoGlyph);  // é
    exercise(*font);
}

TEST(Psf, Psf2TableMapsCodePoints) {
    // glyph 0: '?', glyph 1: 'A' and U+00C0, glyph 2: U+20AC (3-byte UTF-8)
    // and U+1F600 (4-byte), glyph 3: a sequence only.
    std::vector<std::vector<uint32_t>> table = {{'?'}, {'A', 0xC0}, {0x20AC, 0x1F600}, {}};
    auto data = make_psf2(4, 12, 6, table);
    // Glyph 3's entry: a combining sequence (FE 'e' U+0301) that must not map 'e'.
    data.pop_back();
    data.push_back(0xFE);
    data.push_back('e');
    put_utf8(data, 0x301);
    data.push_back(0xFF);
    auto font = lib::PsfFont::parse(bytes_of(data));
    ASSERT_TRUE(font.has_value()) << font.error().message;
    EXPECT_EQ(font->bytes_per_row(), 2u);
    EXPECT_EQ(font->bytes_per_glyph(), 12u);
    EXPECT_EQ(font->find_glyph('A'), 1u);
    EXPECT_EQ(font->find_glyph(0xC0), 1u);
    EXPECT_EQ(font->find_glyph(0x20AC), 2u);
    EXPECT_EQ(font->find_glyph(0x1F600), 2u);
    EXPECT_EQ(font->find_glyph('e'), lib::PsfFont::kNoGlyph);
    EXPECT_EQ(font->find_glyph(0x301), lib::PsfFont::kNoGlyph);
    EXPECT_EQ(font->glyph_for('Z'), 0u);  // the '?' glyph
    EXPECT_EQ(font->glyph(2)[0], 2);
    EXPECT_EQ(font->glyph(2).size(), 12u);
}

TEST(Psf, FallbackWithoutQuestionMarkIsGlyphZero) {
    auto data = make_psf2(3, 8, 8, {{'x'}, {'y'}, {'z'}});
    auto font = lib::PsfFont::parse(bytes_of(data));
    ASSERT_TRUE(font.has_value());
    EXPECT_EQ(font->glyph_for('y'), 1u);
    EXPECT_EQ(font->glyph_for('?'), 0u);
    EXPECT_EQ(font->glyph_for(0xFFFFFFFF), 0u);
}

TEST(Psf, NoTableMeansIdentity) {
    auto data = make_psf2(300, 8, 16, {});
    auto font = lib::PsfFont::parse(bytes_of(data));
    ASSERT_TRUE(font.has_value());
    EXPECT_FALSE(font->has_unicode_table());
    EXPECT_EQ(font->find_glyph('A'), uint32_t('A'));
    EXPECT_EQ(font->find_glyph(299), 299u);
    EXPECT_EQ(font->find_glyph(300), lib::PsfFont::kNoGlyph);
    EXPECT_EQ(font->glyph_for(5000), uint32_t('?'));

    auto v1 = make_psf1(false, 14, {});
    auto font1 = lib::PsfFont::parse(bytes_of(v1));
    ASSERT_TRUE(font1.has_value());
    EXPECT_EQ(font1->glyph_count(), 256u);
    EXPECT_EQ(font1->find_glyph(0x41), 0x41u);
    EXPECT_EQ(font1->glyph(0x41)[13], 0x41);
}

TEST(Psf, Psf1TableAndSequences) {
    std::vector<std::vector<uint16_t>> table(256);
    table['?'] = {'?'};
    table[1] = {'a', 0xE4, 0xFFFE, 'q', 0x308};  // 'q' only inside a sequence
    table[200] = {0x2500};
    auto data = make_psf1(false, 8, table);
    auto font = lib::PsfFont::parse(bytes_of(data));
    ASSERT_TRUE(font.has_value());
    EXPECT_EQ(font->find_glyph('a'), 1u);
    EXPECT_EQ(font->find_glyph(0xE4), 1u);
    EXPECT_EQ(font->find_glyph('q'), lib::PsfFont::kNoGlyph);
    EXPECT_EQ(font->find_glyph(0x2500), 200u);
    EXPECT_EQ(font->glyph_for('b'), uint32_t('?'));
}

TEST(Psf, FirstListingWins) {
    auto data = make_psf2(3, 8, 8, {{'?'}, {'k'}, {'k'}});
    auto font = lib::PsfFont::parse(bytes_of(data));
    ASSERT_TRUE(font.has_value());
    EXPECT_EQ(font->find_glyph('k'), 1u);
}

TEST(Psf, MalformedHeadersAreErrors) {
    auto expect_error = [](std::vector<uint8_t> data, lib::ErrorCode code) {
        auto font = lib::PsfFont::parse(bytes_of(data));
        ASSERT_FALSE(font.has_value());
        EXPECT_EQ(font.error().code, code) << font.error().message;
    };
    expect_error({}, lib::ErrorCode::kEINVAL);
    expect_error({0x36}, lib::ErrorCode::kEINVAL);
    expect_error({0x36, 0x04, 0x00}, lib::ErrorCode::kENODATA);
    expect_error({0x36, 0x04, 0x00, 0x00}, lib::ErrorCode::kEINVAL);  // height 0
    expect_error({0x36, 0x04, 0x08, 0x10}, lib::ErrorCode::kEOPNOTSUPP);
    expect_error({0x36, 0x04, 0x00, 0x10, 0, 0}, lib::ErrorCode::kENODATA);
    expect_error({0x72, 0xB5, 0x4A, 0x86, 0, 0}, lib::ErrorCode::kENODATA);
    expect_error({'G', 'I', 'F', '8'}, lib::ErrorCode::kEINVAL);

    auto base = make_psf2(4, 8, 8, {});
    auto with = [&](size_t offset, uint32_t value) {
        auto copy = base;
        for (int i = 0; i < 4; ++i) copy[offset + i] = uint8_t(value >> (8 * i));
        return copy;
    };
    expect_error(with(4, 1), lib::ErrorCode::kEOPNOTSUPP);        // version
    expect_error(with(8, 16), lib::ErrorCode::kEINVAL);           // header size < 32
    expect_error(with(8, 0xFFFFFFFF), lib::ErrorCode::kENODATA);  // header size beyond file
    expect_error(with(16, 0), lib::ErrorCode::kEINVAL);           // no glyphs
    expect_error(with(16, 0xFFFFFFFF), lib::ErrorCode::kEINVAL);  // absurd glyph count
    expect_error(with(16, 5), lib::ErrorCode::kENODATA);          // one glyph more than present
    expect_error(with(20, 9), lib::ErrorCode::kEINVAL);           // bytes per glyph mismatch
    expect_error(with(24, 0), lib::ErrorCode::kEINVAL);           // height 0
    expect_error(with(28, 100000), lib::ErrorCode::kEINVAL);      // absurd width
    expect_error(with(12, 1), lib::ErrorCode::kENODATA);          // table announced, none there
    // A PSF1 that claims a table but ends right after its glyphs.
    auto psf1 = make_psf1(false, 4, {});
    psf1[2] = 0x02;
    expect_error(psf1, lib::ErrorCode::kENODATA);
}

TEST(Psf, EveryTruncationIsSafe) {
    std::vector<std::vector<uint32_t>> table = {{'?'}, {'A', 0xE9}, {0x20AC}, {0x1F600, 'z'}};
    auto full = make_psf2(4, 9, 5, table);
    for (size_t length = 0; length <= full.size(); ++length) {
        // Copy into an exact-size buffer so ASan catches a read past `length`.
        std::vector<uint8_t> prefix(full.begin(), full.begin() + long(length));
        auto font = lib::PsfFont::parse(bytes_of(prefix));
        if (font.has_value()) exercise(*font);
    }
    std::vector<std::vector<uint16_t>> table1(512);
    table1['A'] = {'A', 0xFFFE, 'B', 0x300};
    auto full1 = make_psf1(true, 3, table1);
    for (size_t length = 0; length <= full1.size(); length += 7) {
        std::vector<uint8_t> prefix(full1.begin(), full1.begin() + long(length));
        auto font = lib::PsfFont::parse(bytes_of(prefix));
        if (font.has_value()) exercise(*font);
    }
}

TEST(Psf, RandomCorruptionNeverReadsOutOfBounds) {
    std::mt19937 random(1234);
    std::vector<std::vector<uint32_t>> table = {{'?'}, {'A', 0xE9}, {0x20AC}, {0x1F600, 'z'}, {}, {'w'}};
    const auto psf2 = make_psf2(6, 11, 7, table);
    std::vector<std::vector<uint16_t>> table1(256);
    table1['?'] = {'?'};
    table1[7] = {0xE9, 0xFFFE, 'x', 0x301};
    const auto psf1 = make_psf1(false, 6, table1);
    int parsed = 0;
    for (int round = 0; round < 3000; ++round) {
        auto data = (round & 1) ? psf1 : psf2;
        int flips = 1 + int(random() % 6);
        for (int f = 0; f < flips; ++f) {
            // Mostly the header, sometimes anywhere (the table, the glyphs).
            size_t at = (random() % 3) ? random() % 32 : random() % data.size();
            data[at % data.size()] = uint8_t(random());
        }
        if (random() % 4 == 0) data.resize(random() % (data.size() + 1));
        std::vector<uint8_t> exact(data);
        auto font = lib::PsfFont::parse(bytes_of(exact));
        if (font.has_value()) {
            ++parsed;
            exercise(*font);
        }
    }
    EXPECT_GT(parsed, 0);
}

TEST(Psf, RandomBytesAreRejectedOrSafe) {
    std::mt19937 random(99);
    for (int round = 0; round < 2000; ++round) {
        std::vector<uint8_t> data(random() % 200);
        for (auto& b : data) b = uint8_t(random());
        if (round % 2 == 0 && data.size() >= 4) {
            data[0] = 0x72, data[1] = 0xB5, data[2] = 0x4A, data[3] = 0x86;
        } else if (data.size() >= 2) {
            data[0] = 0x36, data[1] = 0x04;
        }
        auto font = lib::PsfFont::parse(bytes_of(data));
        if (font.has_value()) exercise(*font);
    }
}

}  // namespace
