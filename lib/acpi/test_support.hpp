// Host-test helpers for kernel/acpi (included only by *_test.cpp files, which
// the kernel build leaves out): a fake physical memory made of byte regions,
// builders for tables with correct lengths and checksums, and loaders for the
// captured and iasl-compiled tables under tests/data/acpi/.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "lib/acpi/physical_window.hpp"
#include "lib/acpi/signature.hpp"

namespace acpi::test {

using ByteVector = std::vector<uint8_t>;

// Physical memory that holds only the regions put into it; everything else
// is unreadable, as an unmapped address would be for the kernel.
class FakeMemory final : public PhysicalWindow {
public:
    void put(uint64_t physical, ByteVector bytes) { regions_[physical] = std::move(bytes); }
    ByteVector& at(uint64_t physical) { return regions_.at(physical); }

    lib::Bytes view(uint64_t physical, uint64_t length) const override {
        auto it = regions_.upper_bound(physical);
        if (it == regions_.begin()) return {};
        --it;
        uint64_t offset = physical - it->first;
        const ByteVector& bytes = it->second;
        if (offset > bytes.size() || length > bytes.size() - offset) return {};
        return lib::Bytes(bytes.data() + offset, length);
    }

private:
    std::map<uint64_t, ByteVector> regions_;
};

// A signature from a runtime string (Signature::of wants a literal).
inline Signature signature(const char* text) {
    return Signature::from(lib::Bytes(reinterpret_cast<const uint8_t*>(text), 4));
}

inline void put_le(ByteVector& bytes, size_t offset, uint64_t value, size_t width) {
    if (bytes.size() < offset + width) bytes.resize(offset + width);
    for (size_t i = 0; i < width; ++i) bytes[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

inline void fix_checksum(ByteVector& bytes, size_t checksum_offset, size_t length) {
    bytes[checksum_offset] = 0;
    uint8_t sum = 0;
    for (size_t i = 0; i < length; ++i) sum = static_cast<uint8_t>(sum + bytes[i]);
    bytes[checksum_offset] = static_cast<uint8_t>(-sum);
}

// A system description table: header (§5.2.6) + payload, Length and
// Checksum filled in.
inline ByteVector make_table(const char signature[5], uint8_t revision, const ByteVector& payload) {
    ByteVector table(36, 0);
    for (int i = 0; i < 4; ++i) table[i] = static_cast<uint8_t>(signature[i]);
    table[8] = revision;
    const char* oem = "CXXK  TESTTABL";
    for (int i = 0; i < 14; ++i) table[10 + i] = static_cast<uint8_t>(oem[i]);
    table.insert(table.end(), payload.begin(), payload.end());
    put_le(table, 4, table.size(), 4);
    fix_checksum(table, 9, table.size());
    return table;
}

// Recomputes Length and Checksum after a test edited a table.
inline void reseal(ByteVector& table) {
    put_le(table, 4, table.size(), 4);
    fix_checksum(table, 9, table.size());
}

// An RSDP (§5.2.5.3) of the given revision; the XSDT address only for >= 2.
inline ByteVector make_rsdp(uint8_t revision, uint32_t rsdt, uint64_t xsdt) {
    ByteVector rsdp(revision >= 2 ? 36 : 20, 0);
    const char* signature = "RSD PTR ";
    for (int i = 0; i < 8; ++i) rsdp[i] = static_cast<uint8_t>(signature[i]);
    const char* oem = "CXXK  ";
    for (int i = 0; i < 6; ++i) rsdp[9 + i] = static_cast<uint8_t>(oem[i]);
    rsdp[15] = revision;
    put_le(rsdp, 16, rsdt, 4);
    if (revision >= 2) {
        put_le(rsdp, 20, 36, 4);
        put_le(rsdp, 24, xsdt, 8);
    }
    fix_checksum(rsdp, 8, 20);
    if (revision >= 2) fix_checksum(rsdp, 32, 36);
    return rsdp;
}

// A root table listing `addresses` (XSDT: 8-byte entries, RSDT: 4-byte).
inline ByteVector make_root(bool xsdt, const std::vector<uint64_t>& addresses) {
    ByteVector payload;
    for (uint64_t address : addresses) put_le(payload, payload.size(), address, xsdt ? 8 : 4);
    return make_table(xsdt ? "XSDT" : "RSDT", 1, payload);
}

inline std::string data_path(const std::string& relative) {
    return std::string(ACPI_TEST_DATA_DIR) + "/" + relative;
}

inline ByteVector read_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error("cannot open " + path);
    return ByteVector(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

// A machine captured by tests/data/acpi/capture.py: every table at the
// physical address the firmware gave it. Returns the RSDP's address.
inline uint64_t load_captured_machine(const std::string& directory, FakeMemory& memory) {
    std::ifstream manifest(data_path(directory + "/manifest.txt"));
    if (!manifest) throw std::runtime_error("no manifest in " + directory);
    std::string line;
    uint64_t rsdp = 0;
    while (std::getline(manifest, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        std::string address_text, file;
        fields >> address_text >> file;
        uint64_t address = std::stoull(address_text, nullptr, 16);
        memory.put(address, read_file(data_path(directory + "/" + file)));
        if (file == "RSDP.bin") rsdp = address;
    }
    return rsdp;
}

}  // namespace acpi::test
