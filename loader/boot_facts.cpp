#include "loader/boot_facts.hpp"

#include "loader/console.hpp"
#include "loader/core/memmap.hpp"
#include "loader/cpu.hpp"
#include "loader/uefi.hpp"
#include "lib/x86_64/cpuid.hpp"
#include "lib/x86_64/instructions.hpp"

namespace loader::facts {
namespace {

using console::fatal;

uint64_t g_start_tsc = 0;
uint64_t g_tsc_hz = 0;
bool g_tsc_known = false;

// RDSEED may run dry for a while (it waits on the entropy source), RDRAND
// only briefly: Intel's DRNG guide suggests 10 RDRAND retries.
bool rdseed(uint64_t& value) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        if (x86_64::rdseed64(value)) return true;
        cpu::pause();
    }
    return false;
}

bool rdrand(uint64_t& value) {
    for (int attempt = 0; attempt < 10; ++attempt)
        if (x86_64::rdrand64(value)) return true;
    return false;
}

uint64_t stirred_tsc(uint64_t previous) {
    uint64_t x = cpu::rdtsc() ^ (previous * 0x9e3779b97f4a7c15ULL);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;  // MurmurHash3's 64-bit finaliser
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

}  // namespace

void set_loader_start_tsc(uint64_t tsc) {
    g_start_tsc = tsc;
}
uint64_t loader_start_tsc() {
    return g_start_tsc;
}

uint64_t tsc_frequency() {
    if (g_tsc_known) return g_tsc_hz;
    g_tsc_known = true;
    // CPUID leaf 15H: TSC Hz = crystal Hz (ECX) * EBX / EAX, when all three are given.
    if (cpu::cpuid(0).eax >= x86_64::leaf::kTscCrystal) {
        cpu::CpuidResult leaf = cpu::cpuid(x86_64::leaf::kTscCrystal, 0);
        if (leaf.eax != 0 && leaf.ebx != 0 && leaf.ecx != 0) {
            g_tsc_hz = uint64_t(leaf.ecx) * leaf.ebx / leaf.eax;
            return g_tsc_hz;
        }
    }
    constexpr uint64_t kMicroseconds = 10000;
    uint64_t before = cpu::rdtsc();
    uefi::stall_microseconds(kMicroseconds);
    uint64_t ticks = cpu::rdtsc() - before;
    g_tsc_hz = ticks * (1000000 / kMicroseconds);
    return g_tsc_hz;
}

uint64_t microseconds_of(uint64_t tsc) {
    uint64_t hz = tsc_frequency();
    if (hz == 0) return 0;
    // tsc / hz seconds, without overflow for any realistic uptime.
    return (tsc / hz) * 1000000 + (tsc % hz) * 1000000 / hz;
}

const char* fill_random(uint64_t* out, uint64_t count) {
    if (count == 0) return "nothing";
    bool ok = true;
    if (x86_64::has(x86_64::feature::kRdseed)) {
        for (uint64_t i = 0; i < count && ok; ++i) ok = rdseed(out[i]);
        if (ok) return "rdseed";
    }
    if (cpu::has_rdrand()) {
        ok = true;
        for (uint64_t i = 0; i < count && ok; ++i) ok = rdrand(out[i]);
        if (ok) return "rdrand";
    }
    auto* rng = static_cast<efi::RngProtocol*>(uefi::locate_protocol(efi::kRngProtocolGuid));
    if (rng && !efi::is_error(rng->get_rng(rng, nullptr, count * 8, reinterpret_cast<uint8_t*>(out))))
        return "EFI_RNG_PROTOCOL";
    uint64_t previous = 0;
    for (uint64_t i = 0; i < count; ++i) out[i] = previous = stirred_tsc(previous);
    return "tsc";
}

files::LoadedFile load_device_tree(const FileLocation& location) {
    files::LoadedFile file = read_config_file(location, kEfiLoaderReclaimable, "dtb_path: file missing");
    const auto* bytes = reinterpret_cast<const uint8_t*>(file.address);
    auto be32 = [&](uint64_t at) {
        return uint32_t(bytes[at]) << 24 | uint32_t(bytes[at + 1]) << 16 | uint32_t(bytes[at + 2]) << 8 | bytes[at + 3];
    };
    if (file.size < 40 || be32(0) != 0xd00dfeed)
        fatal("dtb_path: not a flattened device tree (no 0xd00dfeed magic)", location.path);
    if (be32(4) > file.size || be32(4) < 40)
        fatal("dtb_path: the device tree's totalsize does not fit the file", location.path);
    return file;
}

}  // namespace loader::facts
