// A small test kernel for the loader's base revisions (docs/limine-protocol.md
// §7): it asks for the revision its command line names (revision=N; the
// scenario patches the tag's third word to the same N), then checks what the
// loader handed over against that revision's rules, prints one line per
// failed check and "revision-check: revision N: P passed, F failed", and ends
// QEMU through isa-debug-exit (0x10 all passed, 0x11 otherwise).
//
// Independent of the kernel: its own serial output and page-table walk, so
// the loader's answers for every revision are checked even where the kernel
// itself needs more than that revision promises.
#include <stddef.h>
#include <stdint.h>

#include "protocol/limine.hpp"

namespace {

#define SECTION(name) __attribute__((used, section(name)))
#define ID(name) \
    { limine::id::name.words[0], limine::id::name.words[1], limine::id::name.words[2], limine::id::name.words[3] }

SECTION(".limine_requests_start")
volatile uint64_t start_marker[4] = {limine::kRequestsStartMarker[0], limine::kRequestsStartMarker[1],
                                     limine::kRequestsStartMarker[2], limine::kRequestsStartMarker[3]};
// Revision 2 as built; scenarios rewrite the third word (tests/scenario).
SECTION(".limine_requests")
volatile uint64_t base_revision[3] = {limine::kBaseRevisionMagic0, limine::kBaseRevisionMagic1, 2};
SECTION(".limine_requests") volatile limine::HhdmRequest hhdm = {ID(kHhdm), 0, nullptr};
SECTION(".limine_requests") volatile limine::MemmapRequest memmap = {ID(kMemmap), 0, nullptr};
SECTION(".limine_requests") volatile limine::KernelFileRequest executable_file = {ID(kExecutableFile), 0, nullptr};
SECTION(".limine_requests") volatile limine::RsdpRequest rsdp = {ID(kRsdp), 0, nullptr};
SECTION(".limine_requests") volatile limine::SmbiosRequest smbios = {ID(kSmbios), 0, nullptr};
SECTION(".limine_requests") volatile limine::EfiSystemTableRequest efi_system_table = {ID(kEfiSystemTable), 0, nullptr};
SECTION(".limine_requests") volatile limine::DtbRequest device_tree = {ID(kDtb), 0, nullptr};
SECTION(".limine_requests") volatile limine::SmpRequest mp = {ID(kMp), 0, nullptr, 0};
SECTION(".limine_requests_end")
volatile uint64_t end_marker[2] = {limine::kRequestsEndMarker[0], limine::kRequestsEndMarker[1]};

inline void outb(uint16_t port, uint8_t value) {
    asm volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}
inline uint8_t inb(uint16_t port) {
    uint8_t value;
    asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

// COM1 as the firmware left it (the loader used it too).
void put_char(char c) {
    while ((inb(0x3fd) & 0x20) == 0) {
    }
    outb(0x3f8, static_cast<uint8_t>(c));
}
void put(const char* text) {
    while (*text) put_char(*text++);
}
void put_number(uint64_t value, unsigned base = 10) {
    char digits[24];
    int count = 0;
    do {
        digits[count++] = "0123456789abcdef"[value % base];
        value /= base;
    } while (value != 0);
    if (base == 16) put("0x");
    while (count > 0) put_char(digits[--count]);
}

uint64_t g_passed = 0, g_failed = 0;

void check(bool condition, const char* what, uint64_t detail = 0) {
    if (condition) {
        ++g_passed;
        return;
    }
    ++g_failed;
    put("revision-check: FAIL ");
    put(what);
    put(" (");
    put_number(detail, 16);
    put(")\n");
}

template <typename T>
T* response_of(T* volatile const& field) {
    return field;
}

uint64_t g_hhdm = 0;

// The physical address `virt` maps to in the loader's tables (4-level, read
// through the HHDM, where the tables themselves lie: bootloader-reclaimable
// memory is in every revision's HHDM), or ~0 when unmapped.
uint64_t walk(uint64_t virt) {
    uint64_t cr3;
    asm volatile("mov %%cr3, %0" : "=r"(cr3));
    uint64_t table = cr3 & 0x000ffffffffff000ULL;
    for (int level = 3; level >= 0; --level) {
        uint64_t entry = reinterpret_cast<volatile uint64_t*>(table + g_hhdm)[(virt >> (12 + 9 * level)) & 511];
        if ((entry & 1) == 0) return ~0ULL;
        if (level == 0 || (level <= 2 && (entry & 0x80))) {
            uint64_t size = 1ULL << (12 + 9 * level);
            return (entry & 0x000ffffffffff000ULL & ~(size - 1)) | (virt & (size - 1));
        }
        table = entry & 0x000ffffffffff000ULL;
    }
    return ~0ULL;
}

bool in_hhdm(uint64_t physical) {
    return walk(g_hhdm + physical) == physical;
}

const limine::MemmapEntry* region_at(uint64_t physical) {
    auto* map = response_of(memmap.response);
    for (uint64_t i = 0; map && i < map->entry_count; ++i) {
        const limine::MemmapEntry* e = map->entries[i];
        if (physical >= e->base && physical - e->base < e->length) return e;
    }
    return nullptr;
}

uint64_t type_at(uint64_t physical) {
    const limine::MemmapEntry* e = region_at(physical);
    return e ? e->type : ~0ULL;
}

// The digit after "<key>=" in the command line, or ~0.
uint64_t parse_digit(const char* cmdline, const char* wanted) {
    for (const char* p = cmdline; p && *p; ++p) {
        const char* key = wanted;
        const char* q = p;
        while (*key && *q == *key) ++q, ++key;
        if (*key == 0 && *q >= '0' && *q <= '9') return uint64_t(*q - '0');
    }
    return ~0ULL;
}

void check_memory_map(uint64_t revision) {
    auto* map = response_of(memmap.response);
    check(map != nullptr, "memory map response");
    if (!map) return;
    for (uint64_t i = 0; i < map->entry_count; ++i) {
        const limine::MemmapEntry* e = map->entries[i];
        // RESERVED_MAPPED exists from revision 4 on.
        check(e->type <= (revision >= 4 ? 8u : 7u), "memory map type of the revision", e->type);
        if (i > 0) check(map->entries[i - 1]->base < e->base, "memory map sorted", e->base);
        if (revision <= 2 && e->type == limine::kMemmapUsable) check(e->base >= 0x1000, "page 0 never usable", e->base);
        // The HHDM maps the region's first and last page when the revision says so.
        uint64_t last = (e->base + e->length - 1) & ~0xfffULL;
        bool low = revision <= 2 && e->base + e->length <= (4ULL << 30);
        if (limine::hhdm_maps_type(e->type, revision) || low) {
            check(in_hhdm(e->base & ~0xfffULL), "HHDM maps a region it must", e->base);
            check(in_hhdm(last), "HHDM maps a region's last page", last);
        } else if (e->type == limine::kMemmapReserved && e->base >= (4ULL << 30)) {
            // Our loader maps no more than a revision promises.
            check(!in_hhdm(e->base & ~0xfffULL), "HHDM leaves reserved memory above 4 GiB out", e->base);
        } else if (e->type == limine::kMemmapReserved && revision >= 3) {
            check(!in_hhdm(e->base & ~0xfffULL), "restrictive HHDM leaves reserved memory out", e->base);
        }
    }
    // The local APIC page (in no region): mapped with the first 4 GiB only.
    check(in_hhdm(0xfee00000) == (revision <= 2), "HHDM of the first 4 GiB only through revision 2", 0xfee00000);
    // Revision 0: the identity map from 0x1000, no page 0.
    check((walk(0x1000) == 0x1000) == (revision == 0), "identity map in revision 0 only", walk(0x1000));
    if (revision == 0) check(walk(0) == ~0ULL, "identity map starts at 0x1000", walk(0));
}

bool signature_at(uint64_t physical, const char* signature, size_t length) {
    if (!in_hhdm(physical)) return false;
    const char* bytes = reinterpret_cast<const char*>(g_hhdm + physical);
    for (size_t i = 0; i < length; ++i)
        if (bytes[i] != signature[i]) return false;
    return true;
}

void check_firmware_pointers(uint64_t revision) {
    auto physical_of = [](const void* pointer, bool physical) {
        uint64_t value = reinterpret_cast<uint64_t>(pointer);
        return physical ? value : value - g_hhdm;
    };
    auto kind_right = [](const void* pointer, bool physical) {
        return (reinterpret_cast<uint64_t>(pointer) < g_hhdm) == physical;
    };
    bool rsdp_physical = revision == 3, others_physical = revision == 3 || revision == 4;
    if (auto* r = response_of(rsdp.response)) {
        check(kind_right(r->address, rsdp_physical), "RSDP pointer physical in revision 3 only",
              reinterpret_cast<uint64_t>(r->address));
        uint64_t at = physical_of(r->address, rsdp_physical);
        if (revision >= 4) {
            uint64_t type = type_at(at);
            check(type == limine::kMemmapAcpiReclaimable || type == limine::kMemmapAcpiNvs ||
                      type == limine::kMemmapReservedMapped,
                  "RSDP in ACPI or RESERVED_MAPPED memory", type);
        }
        if (revision != 3) check(signature_at(at, "RSD PTR ", 8), "RSDP signature through the HHDM", at);
    } else {
        check(false, "RSDP response");
    }
    if (auto* r = response_of(smbios.response)) {
        const void* entry = r->entry_64 ? r->entry_64 : r->entry_32;
        check(kind_right(entry, others_physical), "SMBIOS pointer physical in revisions 3 and 4 only",
              reinterpret_cast<uint64_t>(entry));
        uint64_t at = physical_of(entry, others_physical);
        if (revision >= 5)
            check(type_at(at) == limine::kMemmapReservedMapped, "SMBIOS in RESERVED_MAPPED", type_at(at));
        if (revision >= 5 || revision <= 2) check(signature_at(at, "_SM", 3), "SMBIOS signature through the HHDM", at);
    }
    if (auto* r = response_of(efi_system_table.response)) {
        check(kind_right(r->address, others_physical), "EFI system table pointer physical in revisions 3 and 4 only",
              reinterpret_cast<uint64_t>(r->address));
        uint64_t at = physical_of(r->address, others_physical);
        if (revision >= 5)
            check(type_at(at) == limine::kMemmapReservedMapped, "EFI system table in RESERVED_MAPPED", type_at(at));
        if (revision >= 5 || revision <= 2)
            check(signature_at(at, "IBI SYST", 8), "EFI system table signature through the HHDM", at);
    } else {
        check(false, "EFI system table response");
    }
}

// Base revision 5's entry state (§7): CR0 = PE, ET, WP, PG; CR4 = PAE
// (+ LA57); EFER = LME, LMA (+ NXE); RFLAGS = 0x2; TR an empty TSS (base 0,
// limit 0); LDTR null; IDTR base 0, limit 0.
void check_entry_state(uint64_t entry_rflags) {
    uint64_t cr0, cr4;
    asm volatile("mov %%cr0, %0" : "=r"(cr0));
    asm volatile("mov %%cr4, %0" : "=r"(cr4));
    uint32_t low, high;
    asm volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(0xC0000080));
    uint64_t efer = uint64_t(high) << 32 | low;
    check(cr0 == 0x80010011, "CR0 is PE, ET, WP, PG only", cr0);
    check((cr4 & ~0x1000ULL) == 0x20, "CR4 is PAE (and LA57) only", cr4);
    check((efer & ~0x800ULL) == 0x500, "EFER is LME, LMA (and NXE) only", efer);
    check(entry_rflags == 0x2, "RFLAGS is 0x2 at entry", entry_rflags);
    uint16_t tr = 0, ldtr = 0;
    asm volatile("str %0" : "=r"(tr));
    asm volatile("sldt %0" : "=r"(ldtr));
    check(ldtr == 0, "LDTR null", ldtr);
    struct [[gnu::packed]] {
        uint16_t limit;
        uint64_t base;
    } idtr{}, gdtr{};
    asm volatile("sidt %0" : "=m"(idtr));
    asm volatile("sgdt %0" : "=m"(gdtr));
    check(idtr.base == 0 && idtr.limit == 0, "IDTR base 0 limit 0", idtr.limit);
    check(tr != 0 && (tr & 7) == 0 && tr + 15u <= gdtr.limit, "TR selects a descriptor in the GDT", tr);
    if (tr != 0 && tr + 15u <= gdtr.limit) {
        const auto* gdt = reinterpret_cast<const uint64_t*>(gdtr.base);
        uint64_t low_word = gdt[tr / 8], high_word = gdt[tr / 8 + 1];
        uint64_t base = ((low_word >> 16) & 0xffffff) | ((low_word >> 56) << 24) | (high_word << 32);
        uint64_t limit = (low_word & 0xffff) | ((low_word >> 48) & 0xf) << 16;
        check(((low_word >> 40) & 0x8f) == 0x8b, "TR's descriptor is a present, busy 64-bit TSS", low_word);
        check(base == 0 && limit == 0, "TR's TSS has base 0 and limit 0", base | limit);
    }
}

// --- Revision 5's local APIC state, on the BSP and every AP ------------------

inline uint64_t rdmsr(uint32_t msr) {
    uint32_t low, high;
    asm volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
    return uint64_t(high) << 32 | low;
}

// The xAPIC page is in no revision-5 HHDM: this kernel maps it itself,
// uncached (PCD | PWT), at the start of PML4 slot 255 of the loader's
// tables (the lower half, which no revision from 1 on uses), with tables
// of its own.
alignas(4096) uint64_t g_lapic_pdpt[512], g_lapic_pd[512], g_lapic_pt[512];
constexpr uint64_t kLapicWindow = 0x00007f8000000000ULL;

uint64_t physical_of_kernel(const void* pointer) {
    return walk(reinterpret_cast<uint64_t>(pointer));
}

volatile uint32_t* map_local_apic() {
    uint64_t base = rdmsr(0x1b) & 0x000ffffffffff000ULL;
    constexpr uint64_t kTable = 0x3;                // present, writable
    constexpr uint64_t kUncachedPage = 0x3 | 0x18;  // + PWT, PCD: PAT entry 3, UC
    uint64_t cr3;
    asm volatile("mov %%cr3, %0" : "=r"(cr3));
    auto* pml4 = reinterpret_cast<volatile uint64_t*>((cr3 & 0x000ffffffffff000ULL) + g_hhdm);
    g_lapic_pt[0] = base | kUncachedPage;
    g_lapic_pd[0] = physical_of_kernel(g_lapic_pt) | kTable;
    g_lapic_pdpt[0] = physical_of_kernel(g_lapic_pd) | kTable;
    pml4[255] = physical_of_kernel(g_lapic_pdpt) | kTable;
    asm volatile("invlpg (%0)" : : "r"(kLapicWindow) : "memory");
    return reinterpret_cast<volatile uint32_t*>(kLapicWindow);
}

volatile uint32_t* g_lapic = nullptr;

uint32_t lapic_read(uint32_t offset) {
    if (rdmsr(0x1b) & (1u << 10)) return uint32_t(rdmsr(0x800 + (offset >> 4)));  // x2APIC
    return g_lapic[offset / 4];
}

struct LapicState {
    uint32_t svr, tpr, version, lvt_timer, lvt_thermal, lvt_performance, lvt_lint[2], lvt_error, lvt_cmci;
};

LapicState read_lapic_state() {
    LapicState s{};
    s.svr = lapic_read(0xf0);
    s.tpr = lapic_read(0x80);
    s.version = lapic_read(0x30);
    s.lvt_timer = lapic_read(0x320);
    s.lvt_thermal = lapic_read(0x330);
    s.lvt_performance = lapic_read(0x340);
    s.lvt_lint[0] = lapic_read(0x350);
    s.lvt_lint[1] = lapic_read(0x360);
    s.lvt_error = lapic_read(0x370);
    if (((s.version >> 16) & 0xff) >= 6) s.lvt_cmci = lapic_read(0x2f0);
    return s;
}

uint32_t u32(const uint8_t* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
uint64_t u64(const uint8_t* p) {
    return uint64_t(u32(p)) | uint64_t(u32(p + 4)) << 32;
}

// The ACPI table with `signature` the RSDT/XSDT lists, read through the
// HHDM (which maps ACPI memory from revision 4 on), or null.
const uint8_t* find_acpi_table(const char* signature) {
    auto* r = response_of(rsdp.response);
    if (!r || !r->address) return nullptr;
    const auto* rsdp_bytes = static_cast<const uint8_t*>(r->address);
    bool xsdt = rsdp_bytes[15] >= 2;
    const auto* root = reinterpret_cast<const uint8_t*>((xsdt ? u64(rsdp_bytes + 24) : u32(rsdp_bytes + 16)) + g_hhdm);
    unsigned entry_size = xsdt ? 8 : 4;
    for (uint32_t at = 36; at + entry_size <= u32(root + 4); at += entry_size) {
        const auto* table = reinterpret_cast<const uint8_t*>((xsdt ? u64(root + at) : u32(root + at)) + g_hhdm);
        if (table[0] == signature[0] && table[1] == signature[1] && table[2] == signature[2] &&
            table[3] == signature[3])
            return table;
    }
    return nullptr;
}

// The MADT's Local APIC NMI structures (ACPI 6.5 §5.2.12.7, and §5.2.12.13
// for x2APIC): is `lint` an NMI input of the processor with `uid`?
bool madt_says_nmi(uint32_t uid, unsigned lint) {
    const uint8_t* table = find_acpi_table("APIC");
    if (!table) return false;
    for (uint32_t e = 44; e + 2 <= u32(table + 4) && table[e + 1] >= 2; e += table[e + 1]) {
        if (table[e] == 4 && table[e + 1] >= 6 && table[e + 5] == lint && (table[e + 2] == 0xff || table[e + 2] == uid))
            return true;
        if (table[e] == 0x0a && table[e + 1] >= 12 && table[e + 8] == lint &&
            (u32(table + e + 4) == 0xffffffffu || u32(table + e + 4) == uid))
            return true;
    }
    return false;
}

// iommu=1: the machine has VT-d units (QEMU's intel-iommu); each must be
// off, translation, interrupt remapping and queued invalidation (GSTS bits
// 31, 25, 26; Intel VT-d specification §11.4.5), as revision 5 asks when
// the kernel does not send the Keep IOMMU request. Their registers are
// mapped like the xAPIC page, in the next entries of this kernel's table.
void check_iommus_off() {
    const uint8_t* dmar = find_acpi_table("DMAR");
    check(dmar != nullptr, "DMAR table (iommu=1)");
    if (!dmar) return;
    unsigned units = 0;
    for (uint32_t at = 48; at + 16 <= u32(dmar + 4) && units < 8; at += dmar[at + 2] | dmar[at + 3] << 8) {
        uint16_t type = uint16_t(dmar[at] | dmar[at + 1] << 8), length = uint16_t(dmar[at + 2] | dmar[at + 3] << 8);
        if (length < 4) break;
        if (type != 0) continue;
        ++units;
        g_lapic_pt[units] = (u64(dmar + at + 8) & ~0xfffULL) | 0x1b;  // present, writable, uncached
        uint64_t virt = kLapicWindow + units * 4096;
        asm volatile("invlpg (%0)" : : "r"(virt) : "memory");
        uint32_t status = *reinterpret_cast<volatile uint32_t*>(virt + (u64(dmar + at + 8) & 0xfff) + 0x1c);
        check((status & ((1u << 31) | (1u << 26) | (1u << 25))) == 0, "VT-d unit off (GSTS)", status);
    }
    check(units > 0, "a VT-d unit in the DMAR table", units);
}

void check_lapic_state(const LapicState& s, uint32_t uid) {
    constexpr uint32_t kMasked = 1u << 16;
    check((s.svr & 0x13ff) == 0x1ff, "local APIC SVR is 0x1FF", s.svr);
    check((s.tpr & 0xff) == 0, "local APIC TPR is 0", s.tpr);
    unsigned max_lvt = (s.version >> 16) & 0xff;
    check(s.lvt_timer & kMasked, "LVT timer masked", s.lvt_timer);
    if (max_lvt >= 5) check(s.lvt_thermal & kMasked, "LVT thermal masked", s.lvt_thermal);
    if (max_lvt >= 4) check(s.lvt_performance & kMasked, "LVT performance masked", s.lvt_performance);
    if (max_lvt >= 6) check(s.lvt_cmci & kMasked, "LVT CMCI masked", s.lvt_cmci);
    check(s.lvt_error & kMasked, "LVT error masked", s.lvt_error);
    // Every LVT entry masked, LINT0/1 too; the ones the MADT names set up
    // for NMI delivery (bits 8-10 = 100b), for the kernel to unmask.
    for (unsigned lint = 0; lint < 2; ++lint) {
        check(s.lvt_lint[lint] & kMasked, "LVT LINT masked", s.lvt_lint[lint]);
        if (madt_says_nmi(uid, lint))
            check((s.lvt_lint[lint] & 0x700) == 0x400, "LINT the MADT names is set up for NMI", s.lvt_lint[lint]);
    }
}

constexpr size_t kMaxAps = 16;
LapicState g_ap_state[kMaxAps];
volatile uint32_t g_ap_done[kMaxAps];

void ap_probe(limine::SmpInfo* info) {
    size_t slot = info->extra_argument;
    g_ap_state[slot] = read_lapic_state();
    __atomic_store_n(&g_ap_done[slot], 1, __ATOMIC_RELEASE);
    for (;;) asm volatile("cli; hlt");
}

// Every CPU: the BSP reads its own; each AP, sent through goto_address, its
// own, and the BSP waits (bounded) for them.
void check_every_local_apic() {
    g_lapic = map_local_apic();
    auto* r = response_of(mp.response);
    check(r != nullptr, "MP response");
    if (!r) return;
    uint32_t bsp_uid = 0;
    size_t aps = 0;
    for (uint64_t i = 0; i < r->cpu_count; ++i) {
        limine::SmpInfo* cpu = r->cpus[i];
        if (cpu->lapic_id == r->bsp_lapic_id) {
            bsp_uid = cpu->processor_id;
            continue;
        }
        if (aps == kMaxAps) break;
        cpu->extra_argument = aps++;
        __atomic_store_n(&cpu->goto_address, &ap_probe, __ATOMIC_RELEASE);
    }
    check_lapic_state(read_lapic_state(), bsp_uid);
    size_t slot = 0;
    for (uint64_t i = 0; i < r->cpu_count && slot < aps; ++i) {
        limine::SmpInfo* cpu = r->cpus[i];
        if (cpu->lapic_id == r->bsp_lapic_id) continue;
        uint64_t spins = 0;
        while (!__atomic_load_n(&g_ap_done[slot], __ATOMIC_ACQUIRE) && ++spins < 4'000'000'000ULL)
            asm volatile("pause");
        check(g_ap_done[slot], "AP ran its goto_address", cpu->lapic_id);
        if (g_ap_done[slot]) check_lapic_state(g_ap_state[slot], cpu->processor_id);
        ++slot;
    }
}

[[noreturn]] void finish(uint64_t revision) {
    put("revision-check: revision ");
    put_number(revision);
    put(": ");
    put_number(g_passed);
    put(" passed, ");
    put_number(g_failed);
    put(" failed\n");
    outb(0xf4, g_failed == 0 ? 0x10 : 0x11);
    for (;;) asm volatile("cli; hlt");
}

}  // namespace

extern "C" [[noreturn]] void revision_check_main(uint64_t entry_rflags) {
    put("revision-check: started\n");
    auto* hhdm_response = response_of(hhdm.response);
    auto* file = response_of(executable_file.response);
    const char* cmdline = file && file->kernel_file ? file->kernel_file->cmdline : nullptr;
    uint64_t revision = parse_digit(cmdline, "revision=");
    check(revision <= limine::kMaxBaseRevision, "revision=N on the command line", revision);
    if (!hhdm_response || revision > limine::kMaxBaseRevision) finish(revision);
    g_hhdm = hhdm_response->offset;
    check(base_revision[2] == 0, "the tag's third word is 0: revision supported", base_revision[2]);
    check(base_revision[1] == revision, "the tag's second word names the revision used", base_revision[1]);
    check_memory_map(revision);
    check_firmware_pointers(revision);
    if (revision >= 5) {
        check_entry_state(entry_rflags);
        check_every_local_apic();
        if (parse_digit(cmdline, "iommu=") == 1) check_iommus_off();
    }
    // dtb=1: the scenario gave dtb_path; the blob is answered, in
    // bootloader-reclaimable memory, with its magic (big endian d00dfeed).
    bool want_dtb = parse_digit(cmdline, "dtb=") == 1;
    auto* dtb = response_of(device_tree.response);
    check((dtb != nullptr) == want_dtb, "device tree answered exactly when dtb_path is given");
    if (dtb && dtb->dtb) {
        const auto* bytes = static_cast<const uint8_t*>(dtb->dtb);
        check(bytes[0] == 0xd0 && bytes[1] == 0x0d && bytes[2] == 0xfe && bytes[3] == 0xed, "device tree magic");
        check(type_at(reinterpret_cast<uint64_t>(dtb->dtb) - g_hhdm) == limine::kMemmapBootloaderReclaimable,
              "device tree in bootloader-reclaimable memory");
    }
    finish(revision);
}

// The loader enters with a valid stack; RFLAGS is taken before anything
// changes it and passed on.
asm(".globl revision_check_entry\n"
    "revision_check_entry:\n"
    "    pushfq\n"
    "    popq %rdi\n"
    "    andq $-16, %rsp\n"
    "    call revision_check_main\n");
