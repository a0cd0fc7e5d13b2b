// ELF64 symbol lookup over untrusted bytes; see elf_symbols.hpp.
#include "lib/elf_symbols.hpp"

#include "lib/bytes.hpp"
#include "lib/utility.hpp"

namespace lib {
namespace {

// ELF header fields (ELF-64 Object File Format, "ELF Header").
constexpr size_t kElfHeaderSize = 64;
constexpr size_t kIdentClass = 4;
constexpr size_t kIdentData = 5;
constexpr uint8_t kClass64 = 2;
constexpr uint8_t kDataLittleEndian = 1;
constexpr size_t kOffsetShoff = 0x28;
constexpr size_t kOffsetShentsize = 0x3A;
constexpr size_t kOffsetShnum = 0x3C;

// Section header fields ("Section header entries").
constexpr size_t kSectionHeaderSize = 64;
constexpr size_t kShType = 4;
constexpr size_t kShOffset = 24;
constexpr size_t kShSize = 32;
constexpr size_t kShLink = 40;
constexpr size_t kShEntsize = 56;
constexpr uint32_t kSectionTypeSymtab = 2;
constexpr uint32_t kSectionTypeStrtab = 3;
// An e_shnum of 0 with a non-zero e_shoff means the real count is in the
// sh_size of section 0 ("Extended section numbering"). Limit the count so a
// hostile header cannot make the scan take forever.
constexpr uint64_t kMaxSections = 1u << 16;

// Symbol table entries ("Symbol table").
constexpr uint64_t kSymbolSize = 24;
constexpr uint8_t kSymbolTypeNotype = 0;
constexpr uint8_t kSymbolTypeFunc = 2;
constexpr uint16_t kSectionUndefined = 0;
constexpr uint16_t kSectionReserveLow = 0xff00;  // SHN_LORESERVE: ABS, COMMON, ...

struct SectionHeader {
    uint32_t type;
    uint64_t offset;
    uint64_t size;
    uint32_t link;
    uint64_t entry_size;
};

Expected<SectionHeader> read_section_header(Bytes file, uint64_t table_offset, uint64_t index) {
    uint64_t base = 0;
    if (__builtin_mul_overflow(index, uint64_t(kSectionHeaderSize), &base) || !checked_add(base, table_offset, base) ||
        !range_inside(base, kSectionHeaderSize, file.size()))
        return Error::make(ErrorCode::kENODATA, "section header table outside the file").with(index);
    size_t at = size_t(base);
    return SectionHeader{read_u32(file, at + kShType), read_u64(file, at + kShOffset), read_u64(file, at + kShSize),
                         read_u32(file, at + kShLink), read_u64(file, at + kShEntsize)};
}

// The bytes a section occupies in the file, or an empty span if they are not
// all inside it.
Bytes section_bytes(Bytes file, const SectionHeader& header) {
    if (header.offset > file.size() || header.size > file.size() - header.offset) return {};
    return file.subspan(size_t(header.offset), size_t(header.size));
}

}  // namespace

Expected<ElfSymbols> ElfSymbols::parse(Bytes file) {
    if (file.size() < kElfHeaderSize) return Error::make(ErrorCode::kENODATA, "ELF file shorter than its header");
    if (file[0] != 0x7f || file[1] != 'E' || file[2] != 'L' || file[3] != 'F')
        return Error::make(ErrorCode::kEINVAL, "not an ELF file (bad magic)");
    if (file[kIdentClass] != kClass64 || file[kIdentData] != kDataLittleEndian)
        return Error::make(ErrorCode::kEOPNOTSUPP, "not an ELF64 little-endian file");

    // Inside the header, whose size was checked above.
    uint64_t section_table = read_u64(file, kOffsetShoff);
    uint64_t entry_size = read_u16(file, kOffsetShentsize);
    uint64_t section_count = read_u16(file, kOffsetShnum);
    if (section_table == 0) return Error::make(ErrorCode::kENOENT, "ELF file has no section headers");
    if (entry_size != kSectionHeaderSize) return Error::make(ErrorCode::kEINVAL, "unexpected e_shentsize");
    if (section_count == 0) {
        section_count = TRY(read_section_header(file, section_table, 0)).size;
    }
    if (section_count > kMaxSections) return Error::make(ErrorCode::kEINVAL, "implausible section count");

    for (uint64_t index = 0; index < section_count; ++index) {
        SectionHeader symtab = TRY(read_section_header(file, section_table, index));
        if (symtab.type != kSectionTypeSymtab) continue;

        if (symtab.entry_size < kSymbolSize) return Error::make(ErrorCode::kEINVAL, "bad .symtab entry size");
        Bytes symbols = section_bytes(file, symtab);
        if (symbols.size() != symtab.size || symtab.size == 0)
            return Error::make(ErrorCode::kENODATA, ".symtab outside the file");

        if (symtab.link >= section_count) return Error::make(ErrorCode::kEINVAL, ".symtab links to no section");
        SectionHeader strtab = TRY(read_section_header(file, section_table, symtab.link));
        if (strtab.type != kSectionTypeStrtab)
            return Error::make(ErrorCode::kEINVAL, ".symtab link is no string table");
        Bytes strings = section_bytes(file, strtab);
        if (strings.size() != strtab.size) return Error::make(ErrorCode::kENODATA, ".strtab outside the file");

        return from_tables(symbols, symtab.entry_size, strings);
    }
    return Error::make(ErrorCode::kENOENT, "ELF file has no .symtab");
}

Expected<ElfSymbols> ElfSymbols::from_tables(Bytes symbols, uint64_t entry_size, Bytes strings) {
    if (entry_size < kSymbolSize) return Error::make(ErrorCode::kEINVAL, "bad .symtab entry size");
    if (symbols.size() == 0) return Error::make(ErrorCode::kEINVAL, "empty .symtab");
    ElfSymbols result;
    result.symbols_ = symbols;
    result.stride_ = entry_size;
    result.symbol_count_ = size_t(symbols.size() / entry_size);
    result.strings_ = strings;
    return result;
}

Expected<ElfSymbols::RawSymbol> ElfSymbols::read_symbol(size_t index) const {
    uint64_t base = uint64_t(index) * stride_;  // index < symbol_count_: no overflow
    if (index >= symbol_count_ || !range_inside(base, kSymbolSize, symbols_.size()))
        return Error::make(ErrorCode::kERANGE, "symbol index past .symtab").with(index);
    size_t at = size_t(base);
    return RawSymbol{read_u32(symbols_, at + 0), uint8_t(read_u8(symbols_, at + 4) & 0xf), read_u16(symbols_, at + 6),
                     read_u64(symbols_, at + 8), read_u64(symbols_, at + 16)};
}

StringView ElfSymbols::name_at(uint32_t offset) const {
    if (offset >= strings_.size()) return StringView("?");
    const char* start = reinterpret_cast<const char*>(strings_.data()) + offset;
    size_t length = 0;
    size_t room = strings_.size() - offset;
    while (length < room && start[length] != '\0') ++length;
    if (length == 0) return StringView("?");
    return StringView(start, length);
}

Expected<SymbolMatch> ElfSymbols::lookup(uint64_t address) const {
    bool have_unsized = false;
    RawSymbol best_unsized{};
    for (size_t index = 1; index < symbol_count_; ++index) {
        auto read = read_symbol(index);
        if (!read) break;
        const RawSymbol symbol = *read;
        if (symbol.section_index == kSectionUndefined || symbol.section_index >= kSectionReserveLow) continue;
        if (symbol.value > address) continue;
        if (symbol.type == kSymbolTypeFunc && symbol.size != 0) {
            if (address - symbol.value < symbol.size)
                return SymbolMatch{name_at(symbol.name_offset), symbol.value, address - symbol.value};
            continue;
        }
        bool code_label = symbol.type == kSymbolTypeFunc || symbol.type == kSymbolTypeNotype;
        if (code_label && symbol.size == 0 && symbol.name_offset != 0 &&
            address - symbol.value < kMaxUnsizedDistance && (!have_unsized || symbol.value > best_unsized.value)) {
            best_unsized = symbol;
            have_unsized = true;
        }
    }
    if (have_unsized)
        return SymbolMatch{name_at(best_unsized.name_offset), best_unsized.value, address - best_unsized.value};
    return Error::make(ErrorCode::kENOENT, "no symbol contains the address");
}

Expected<uint64_t> ElfSymbols::address_of(StringView name) const {
    for (size_t index = 1; index < symbol_count_; ++index) {
        auto symbol = read_symbol(index);
        if (!symbol) break;
        if (symbol->section_index == kSectionUndefined) continue;
        if (name_at(symbol->name_offset) == name) return symbol->value;
    }
    return Error::make(ErrorCode::kENOENT, "no symbol of that name");
}

// ---------------------------------------------------------------------------
// readable_symbol_name: the subset of the Itanium C++ ABI mangling grammar
// (section 5.1, "External Names") that covers plain functions and members:
//   _Z [L] <source-name> ...                 unscoped name
//   _Z [L] N [r][V][K][R|O] <prefix>+ E ...  nested name, prefix items being
//        <source-name>, St (std), C1-C3 (constructor), D0-D2 (destructor)
// Whatever follows the name (parameter types) is dropped. Anything else makes
// the caller fall back to the raw name.
namespace {

class NameWriter {
public:
    NameWriter(char* out, size_t size) : out_(out), size_(size) {}
    void append(StringView text) {
        for (char c : text) {
            if (length_ + 1 < size_) out_[length_] = c;
            ++length_;
        }
        terminate();
    }
    void terminate() {
        if (size_ != 0) out_[length_ + 1 < size_ ? length_ : size_ - 1] = '\0';
    }
    size_t written() const { return length_ + 1 < size_ ? length_ : (size_ ? size_ - 1 : 0); }

private:
    char* out_;
    size_t size_;
    size_t length_ = 0;
};

class Demangler {
public:
    explicit Demangler(StringView text) : text_(text) {}

    bool run(NameWriter& writer) {
        if (!text_.starts_with("_Z")) return false;
        position_ = 2;
        if (peek() == 'L') ++position_;
        if (peek() == 'N') {
            ++position_;
            while (peek() == 'r' || peek() == 'V' || peek() == 'K') ++position_;
            if (peek() == 'R' || peek() == 'O') ++position_;
            bool first = true;
            while (peek() != 'E') {
                if (peek() == 'I') {
                    // Template arguments of the component just written.
                    if (first || !skip_template_arguments()) return false;
                    writer.append("<...>");
                    continue;
                }
                StringView item;
                if (!prefix_item(item)) return false;
                if (!first) writer.append("::");
                writer.append(item);
                first = false;
            }
            return !first;
        }
        if (peek() == 'S' && peek(1) == 't') {
            position_ += 2;
            writer.append("std::");
        }
        StringView name;
        if (!source_name(name)) return false;
        writer.append(name);
        if (peek() == 'I') {
            if (!skip_template_arguments()) return false;
            writer.append("<...>");
        }
        return true;
    }

private:
    char peek(size_t ahead = 0) const {
        return position_ + ahead < text_.size() ? text_[position_ + ahead] : '\0';
    }

    bool prefix_item(StringView& item) {
        char c = peek();
        if (c == 'S' && peek(1) == 't') {
            position_ += 2;
            item = "std";
            return true;
        }
        if (c == 'C' && peek(1) >= '1' && peek(1) <= '3' && !last_name_.empty()) {
            position_ += 2;
            item = last_name_;
            return true;
        }
        if (c == 'D' && peek(1) >= '0' && peek(1) <= '2' && !last_name_.empty()) {
            position_ += 2;
            // "~Name": kept in a small buffer, the writer copies it at once.
            size_t n = min(last_name_.size(), sizeof destructor_ - 2);
            destructor_[0] = '~';
            for (size_t i = 0; i < n; ++i) destructor_[1 + i] = last_name_[i];
            item = StringView(destructor_, n + 1);
            return true;
        }
        return source_name(item);
    }

    // Skips "I <template-arg>+ E" (position at the I) without interpreting
    // it: the printed name shows "<...>" instead. Openers that own a closing
    // E: I (template args), J (argument pack), N (nested name), X (expression),
    // F (function type), Z (a local name, "Z <encoding> E <entity>": the type
    // of a lambda in a function, for one), DT/Dt (decltype). Literals "L <type> <value> E" are
    // skipped as a whole, so the digits of their value are not mistaken for
    // a name length; S/T substitutions and A array bounds end at '_'.
    bool skip_template_arguments() {
        int depth = 0;
        while (position_ < text_.size()) {
            char c = peek();
            if (c == 'I' || c == 'J' || c == 'N' || c == 'X' || c == 'F' || c == 'Z') {
                ++depth;
                ++position_;
            } else if (c == 'E') {
                ++position_;
                if (--depth == 0) return true;
                if (depth < 0) return false;
            } else if (c == 'L') {
                ++position_;
                if (peek() == '_' && peek(1) == 'Z') {  // an external name as an argument: "L _Z <encoding> E"
                    position_ += 2;
                    ++depth;
                    continue;
                }
                if (!skip_literal()) return false;
            } else if (c == 'S' || c == 'T') {
                ++position_;
                if (c == 'S' && is_lower(peek())) {  // St, Sa, Ss, ...: standard abbreviations
                    ++position_;
                    continue;
                }
                while (is_digit(peek()) || (peek() >= 'A' && peek() <= 'Z')) ++position_;
                if (peek() != '_') return false;
                ++position_;
            } else if (c == 'A') {
                ++position_;
                while (is_digit(peek())) ++position_;
                if (peek() != '_') return false;
                ++position_;
            } else if (c == 'D') {
                char next = peek(1);
                position_ += 2;
                if (next == 'T' || next == 't') {
                    ++depth;
                } else if (next == 'v') {  // vector type: Dv <number> _ <type>
                    while (is_digit(peek())) ++position_;
                    if (peek() != '_') return false;
                    ++position_;
                }
            } else if (is_digit(c)) {
                StringView ignored;
                if (!source_name(ignored, false)) return false;
            } else {
                ++position_;  // builtin types, qualifiers (P R O K V r), M, ...
            }
        }
        return false;
    }

    // After an L: "<type> <value> E", the type a builtin letter or a name.
    bool skip_literal() {
        if (is_digit(peek())) {
            StringView ignored;
            if (!source_name(ignored, false)) return false;
        } else if (peek() != '\0') {
            ++position_;
        }
        while (peek() != 'E') {
            if (peek() == '\0') return false;
            ++position_;
        }
        ++position_;
        return true;
    }

    static bool is_digit(char c) { return c >= '0' && c <= '9'; }
    static bool is_lower(char c) { return c >= 'a' && c <= 'z'; }

    // <source-name> ::= <positive length number> <identifier>
    // `remember`: the name may be the class of a later constructor/destructor.
    bool source_name(StringView& name, bool remember = true) {
        if (peek() < '1' || peek() > '9') return false;
        uint64_t length = 0;
        while (peek() >= '0' && peek() <= '9') {
            length = length * 10 + uint64_t(peek() - '0');
            if (length > text_.size()) return false;
            ++position_;
        }
        if (length > text_.size() - position_) return false;
        name = text_.substr(position_, size_t(length));
        position_ += size_t(length);
        if (name.starts_with("_GLOBAL__N")) name = "(anonymous namespace)";
        else if (remember) last_name_ = name;
        return true;
    }

    StringView text_;
    size_t position_ = 0;
    StringView last_name_;
    char destructor_[128] = {};
};

}  // namespace

size_t readable_symbol_name(StringView mangled, char* out, size_t out_size) {
    NameWriter writer(out, out_size);
    writer.terminate();
    Demangler demangler(mangled);
    if (demangler.run(writer)) return writer.written();
    NameWriter raw(out, out_size);
    raw.append(mangled);
    raw.terminate();
    return raw.written();
}

}  // namespace lib
