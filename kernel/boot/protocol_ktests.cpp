// In-kernel tests of the boot protocol: every response the kernel asked for
// is checked against the promises of docs/limine-protocol.md, so
// the same tests judge our loader and a real Limine 8.x alike. Expectations
// that depend on the machine shape come from the kernel command line:
// expect_cpus=N, expect_modules=N, expect_highmem=1 (memory above 4 GiB).
// Run with test=boot_protocol (or test=all).
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/io.hpp"
#include "kernel/arch/x86_64/page_walk.hpp"
#include "kernel/boot/ap_handoff.hpp"
#include "kernel/boot/boot_info.hpp"
#include "kernel/boot/entry_state.hpp"
#include "kernel/boot/limine_requests.hpp"
#include "lib/cmdline.hpp"
#include "lib/string_view.hpp"
#include "lib/utility.hpp"
#include "lib/x86_64/apic.hpp"
#include "lib/x86_64/cpuid.hpp"
#include "lib/x86_64/registers.hpp"
#include "kernel/test/ktest.hpp"

extern "C" char __text_start[], __rodata_start[], __data_start[];

namespace {

using namespace boot;
namespace req = boot::requests;

constexpr uint64_t kPage = 4096;

template <typename R>
R* response(R* volatile const& field) {
    return field;
}

lib::CommandLine command_line() { return lib::CommandLine(info().cmdline); }

uint64_t hhdm() { return info().hhdm_offset; }

bool in_hhdm(const void* pointer) {
    uint64_t address = reinterpret_cast<uint64_t>(pointer);
    return address >= hhdm() && address < 0xffffffff80000000ULL;
}

uint64_t physical_of(const void* pointer) { return reinterpret_cast<uint64_t>(pointer) - hhdm(); }

// The memory-map type that covers `physical`, or -1 if none does.
int64_t memmap_type_at(uint64_t physical) {
    auto* map = response(req::memmap.response);
    if (!map) return -1;
    for (uint64_t i = 0; i < map->entry_count; ++i) {
        const limine::MemmapEntry* e = map->entries[i];
        if (physical >= e->base && physical - e->base < e->length) return int64_t(e->type);
    }
    return -1;
}

bool starts_with(const char* text, lib::StringView prefix) {
    return text && lib::StringView(text).starts_with(prefix);
}

KTEST(boot_protocol, base_revision_is_confirmed_or_reported) {
    // §7: a loader supporting the revision sets the third word to 0; one
    // speaking revision 3 or later also names the revision it used in the
    // second word. One that does neither predates both (Limine 8.x, which
    // confirms every revision up to 2 and boots newer ones as 2).
    // expect_revision=N: the revision the scenario says applies (it may have
    // patched the tag to ask for another than the kernel's own).
    const BootInfo& b = info();
    uint64_t expected = command_line().number_or("expect_revision", ~0ULL);
    if (expected != ~0ULL) KEXPECT_EQ(b.base_revision, expected);
    KEXPECT(b.base_revision <= limine::kMaxBaseRevision);
    KEXPECT(b.base_revision_confirmed || b.base_revision_reported || b.base_revision == 2);
    if (b.base_revision_confirmed) KEXPECT_EQ(req::base_revision[2], uint64_t(0));
    if (!b.base_revision_reported) KEXPECT(b.base_revision <= 2);
}

KTEST(boot_protocol, every_request_is_answered) {
    KEXPECT(response(req::bootloader_info.response) != nullptr);
    KEXPECT(response(req::firmware_type.response) != nullptr);
    KEXPECT(response(req::stack_size.response) != nullptr);
    KEXPECT(response(req::hhdm.response) != nullptr);
    KEXPECT(response(req::framebuffer.response) != nullptr);
    KEXPECT(response(req::paging_mode.response) != nullptr);
    KEXPECT(response(req::smp.response) != nullptr);
    KEXPECT(response(req::memmap.response) != nullptr);
    KEXPECT(response(req::entry_point.response) != nullptr);
    KEXPECT(response(req::kernel_file.response) != nullptr);
    // The module request is answered only when there are modules (see
    // modules_are_loaded_with_their_command_lines).
    KEXPECT(response(req::rsdp.response) != nullptr);
    KEXPECT(response(req::smbios.response) != nullptr);
    KEXPECT(response(req::efi_system_table.response) != nullptr);
    KEXPECT(response(req::efi_memmap.response) != nullptr);
    KEXPECT(response(req::boot_time.response) != nullptr);
    KEXPECT(response(req::kernel_address.response) != nullptr);
}

KTEST(boot_protocol, responses_live_in_reclaimable_memory_through_the_hhdm) {
    const void* responses[] = {
        response(req::bootloader_info.response), response(req::firmware_type.response),
        response(req::hhdm.response),            response(req::framebuffer.response),
        response(req::memmap.response),          response(req::kernel_file.response),
        response(req::smp.response),             response(req::boot_time.response),
        response(req::kernel_address.response),  response(req::rsdp.response),
    };
    for (const void* r : responses) {
        if (!r) continue;
        KEXPECT(in_hhdm(r));
        KEXPECT_EQ(memmap_type_at(physical_of(r)), int64_t(limine::kMemmapBootloaderReclaimable));
    }
}

KTEST(boot_protocol, bootloader_info_names_the_loader) {
    auto* r = response(req::bootloader_info.response);
    KASSERT(r != nullptr);
    KEXPECT(r->name != nullptr && r->name[0] != '\0');
    KEXPECT(r->version != nullptr && r->version[0] != '\0');
}

KTEST(boot_protocol, firmware_is_uefi64) {
    auto* r = response(req::firmware_type.response);
    KASSERT(r != nullptr);
    KEXPECT_EQ(r->firmware_type, uint64_t(limine::kFirmwareUefi64));
}

KTEST(boot_protocol, hhdm_maps_the_first_4_gib) {
    KEXPECT(hhdm() >= 0xffff800000000000ULL);
    KEXPECT(lib::is_aligned(hhdm(), kPage));
    if (info().base_revision >= 3) return;  // restrictive HHDM from revision 3 (§7)
    const uint64_t probes[] = {0, 0x1000, 0x100000, 0x7fff000, 0x80000000, 0xfffff000};
    for (uint64_t physical : probes) {
        arch::Translation t = arch::translate(hhdm() + physical, hhdm());
        KEXPECT(t.present);
        KEXPECT_EQ(t.physical, physical);
        KEXPECT(t.writable);
        KEXPECT(!t.user);
    }
}

KTEST(boot_protocol, hhdm_maps_every_usable_region_above_4_gib) {
    // allow_hhdm_gap=1: the scenario knows this loader may break the promise
    // above 4 GiB (Limine 8.2.0 on 4 CPUs; whether it does depends on the
    // kernel image's layout, tests/scenario/scenarios.py): then usable memory
    // there may be missing, and the kernel must cope.
    bool gap_allowed = command_line().number_or("allow_hhdm_gap", 0) != 0;
    auto* map = response(req::memmap.response);
    KASSERT(map != nullptr);
    uint64_t high_bytes = 0;
    for (uint64_t i = 0; i < map->entry_count; ++i) {
        const limine::MemmapEntry* e = map->entries[i];
        if (!limine::hhdm_maps_type(e->type, info().base_revision)) continue;
        if (e->base + e->length <= 0x100000000ULL) continue;
        uint64_t first = lib::max<uint64_t>(e->base, 0x100000000ULL);
        uint64_t last = lib::align_down(e->base + e->length - 1, kPage);
        const uint64_t ends[] = {first, last};
        bool mapped = true;
        for (uint64_t physical : ends) {
            arch::Translation t = arch::translate(hhdm() + physical, hhdm());
            mapped = mapped && t.present && t.physical == physical;
        }
        if (!gap_allowed) KEXPECT(mapped);
        if (e->type == limine::kMemmapUsable) high_bytes += e->length;
        if (e->type == limine::kMemmapUsable && mapped) {
            // Usable memory is free: write and read back through the HHDM
            // (only where the tables say it is there: no IDT catches a fault yet).
            auto* word = reinterpret_cast<volatile uint64_t*>(hhdm() + last);
            *word = 0x5a5a'1234'abcd'0001ULL;
            KEXPECT_EQ(*word, 0x5a5a'1234'abcd'0001ULL);
        }
    }
    if (command_line().number_or("expect_highmem", 0)) KEXPECT(high_bytes > 0);
}

KTEST(boot_protocol, memory_map_obeys_the_rules) {
    auto* map = response(req::memmap.response);
    KASSERT(map != nullptr);
    KASSERT(map->entry_count > 0);
    uint64_t usable = 0;
    for (uint64_t i = 0; i < map->entry_count; ++i) {
        const limine::MemmapEntry* e = map->entries[i];
        KASSERT(e != nullptr);
        KEXPECT(e->length > 0);
        // RESERVED_MAPPED (8) exists from revision 4 on.
        KEXPECT(e->type <= (info().base_revision >= 4 ? limine::kMemmapReservedMapped : limine::kMemmapFramebuffer));
        if (i > 0) KEXPECT(map->entries[i - 1]->base < e->base);  // sorted by base
        bool strict = e->type == limine::kMemmapUsable || e->type == limine::kMemmapBootloaderReclaimable;
        if (strict) {
            KEXPECT(lib::is_aligned(e->base, kPage));
            KEXPECT(lib::is_aligned(e->length, kPage));
            // Overlaps nothing: neither neighbour reaches into it.
            if (i > 0) {
                const limine::MemmapEntry* prev = map->entries[i - 1];
                KEXPECT(prev->base + prev->length <= e->base);
            }
            if (i + 1 < map->entry_count) KEXPECT(e->base + e->length <= map->entries[i + 1]->base);
        }
        if (e->type == limine::kMemmapUsable) {
            // Through revision 2 the first page is never usable.
            if (info().base_revision <= 2) KEXPECT(e->base >= kPage);
            usable += e->length;
        }
    }
    KEXPECT_EQ(usable, info().usable_bytes);
}

KTEST(boot_protocol, kernel_is_where_kernel_address_says_with_segment_permissions) {
    auto* r = response(req::kernel_address.response);
    KASSERT(r != nullptr);
    KEXPECT_EQ(r->virtual_base, uint64_t(0xffffffff80000000ULL));
    KEXPECT(lib::is_aligned(r->physical_base, kPage));
    arch::Translation base = arch::translate(r->virtual_base, hhdm());
    KEXPECT(base.present);
    KEXPECT_EQ(base.physical, r->physical_base);
    KEXPECT_EQ(memmap_type_at(r->physical_base), int64_t(limine::kMemmapKernelAndModules));

    arch::Translation text = arch::translate(reinterpret_cast<uint64_t>(__text_start), hhdm());
    KEXPECT(text.present && text.executable && !text.writable && !text.user);
    arch::Translation rodata = arch::translate(reinterpret_cast<uint64_t>(__rodata_start), hhdm());
    KEXPECT(rodata.present && !rodata.executable && !rodata.writable);
    arch::Translation data = arch::translate(reinterpret_cast<uint64_t>(__data_start), hhdm());
    KEXPECT(data.present && !data.executable && data.writable);
    // One contiguous physical copy: data lies at the same offset as linked.
    KEXPECT_EQ(data.physical - base.physical, reinterpret_cast<uint64_t>(__data_start) - r->virtual_base);
}

KTEST(boot_protocol, kernel_file_is_our_elf) {
    auto* r = response(req::kernel_file.response);
    KASSERT(r != nullptr && r->kernel_file != nullptr);
    const limine::File* file = r->kernel_file;
    KEXPECT(lib::is_aligned(reinterpret_cast<uint64_t>(file->address), kPage));
    KASSERT(file->size > 64);
    const auto* bytes = static_cast<const uint8_t*>(file->address);
    KEXPECT(bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F');
    KEXPECT(starts_with(file->path, "/"));
    KEXPECT(lib::StringView(file->path).ends_with("kernel"));
    KEXPECT(file->cmdline != nullptr);
    // Where the file lies the protocol leaves open: Limine keeps it in
    // bootloader-reclaimable memory (so a kernel must copy what it keeps),
    // other loaders may count it with the kernel.
    int64_t type = memmap_type_at(physical_of(file->address));
    KEXPECT(type == int64_t(limine::kMemmapBootloaderReclaimable) || type == int64_t(limine::kMemmapKernelAndModules));
}

KTEST(boot_protocol, modules_are_loaded_with_their_command_lines) {
    auto* r = response(req::module.response);
    uint64_t expected = command_line().number_or("expect_modules", 0);
    // "If no modules are available, no response will be provided."
    if (expected == 0) {
        KEXPECT(r == nullptr);
        return;
    }
    KASSERT(r != nullptr);
    KEXPECT_EQ(r->module_count, expected);
    for (uint64_t i = 0; i < r->module_count; ++i) {
        const limine::File* file = r->modules[i];
        KASSERT(file != nullptr);
        KEXPECT(lib::is_aligned(reinterpret_cast<uint64_t>(file->address), kPage));
        KEXPECT(starts_with(file->path, "/"));
        KEXPECT_EQ(memmap_type_at(physical_of(file->address)), int64_t(limine::kMemmapKernelAndModules));
        // The scenario's modules start with the text of their own cmdline.
        lib::StringView cmdline(file->cmdline ? file->cmdline : "");
        KEXPECT(file->size >= cmdline.size());
        if (file->size >= cmdline.size())
            KEXPECT(lib::StringView(static_cast<const char*>(file->address), cmdline.size()) == cmdline);
    }
}

// Whether the loader's tables map `length` bytes at `virt`.
bool mapped(const void* virt, size_t length) {
    uint64_t start = lib::align_down(reinterpret_cast<uint64_t>(virt), kPage);
    for (uint64_t page = start; page < reinterpret_cast<uint64_t>(virt) + length; page += kPage)
        if (!arch::translate(page, hhdm()).present) return false;
    return true;
}

KTEST(boot_protocol, rsdp_smbios_and_efi_system_table_are_the_pointers_the_revision_says) {
    // §7: the RSDP pointer is physical in revision 3 only, the SMBIOS entry
    // points and the EFI system table in revisions 3 and 4 only; HHDM
    // addresses otherwise. Where the revision also promises the HHDM maps
    // them (the RSDP always but in 3, the others through 2 and from 5 on),
    // their signatures are read through it here; the kernel's own mappings
    // read them under every revision (kernel/boot/firmware_ktests.cpp).
    uint64_t revision = info().base_revision;
    bool rsdp_physical = revision == 3, others_physical = revision == 3 || revision == 4;
    auto kind_is_right = [](const void* pointer, bool physical) { return in_hhdm(pointer) != physical; };

    auto* rsdp = response(req::rsdp.response);
    KASSERT(rsdp != nullptr && rsdp->address != nullptr);
    KEXPECT(kind_is_right(rsdp->address, rsdp_physical));
    if (!rsdp_physical) {
        KEXPECT_EQ(physical_of(rsdp->address), info().rsdp_physical);
        KASSERT(mapped(rsdp->address, 20));
        const auto* bytes = static_cast<const uint8_t*>(rsdp->address);
        KEXPECT(lib::StringView(reinterpret_cast<const char*>(bytes), 8) == "RSD PTR ");
        uint8_t sum = 0;  // ACPI 6.5 §5.2.5.3: the first 20 bytes sum to 0
        for (int i = 0; i < 20; ++i) sum = uint8_t(sum + bytes[i]);
        KEXPECT_EQ(sum, uint8_t(0));
    } else {
        KEXPECT_EQ(reinterpret_cast<uint64_t>(rsdp->address), info().rsdp_physical);
    }

    auto* smbios = response(req::smbios.response);
    KASSERT(smbios != nullptr);
    KEXPECT(smbios->entry_32 != nullptr || smbios->entry_64 != nullptr);
    auto* st = response(req::efi_system_table.response);
    KASSERT(st != nullptr && st->address != nullptr);
    const void* firmware[] = {smbios->entry_32, smbios->entry_64, st->address};
    for (const void* pointer : firmware)
        if (pointer) KEXPECT(kind_is_right(pointer, others_physical));
    if (others_physical) return;
    if (smbios->entry_32) {
        KASSERT(mapped(smbios->entry_32, 4));
        KEXPECT(lib::StringView(static_cast<const char*>(smbios->entry_32), 4) == "_SM_");
    }
    if (smbios->entry_64) {
        KASSERT(mapped(smbios->entry_64, 5));
        KEXPECT(lib::StringView(static_cast<const char*>(smbios->entry_64), 5) == "_SM3_");
    }
    // UEFI 2.10 §4.3.1: EFI_SYSTEM_TABLE_SIGNATURE "IBI SYST".
    KASSERT(mapped(st->address, 8));
    KEXPECT(lib::StringView(static_cast<const char*>(st->address), 8) == "IBI SYST");
}

KTEST(boot_protocol, newer_requests_are_sane_when_answered) {
    // §8: a loader that knows these answers them (ours, Limine 9+); an older
    // one leaves them unanswered, which the protocol allows.
    auto* cmdline = response(req::executable_cmdline.response);
    auto* file = response(req::kernel_file.response);
    if (cmdline && file && file->kernel_file) KEXPECT(cmdline->cmdline == file->kernel_file->cmdline);
    if (auto* perf = response(req::bootloader_performance.response)) {
        KEXPECT(perf->reset_usec <= perf->init_usec);
        KEXPECT(perf->init_usec < perf->exec_usec);
    }
    if (auto* tsc = response(req::tsc_frequency.response)) {
        KEXPECT(tsc->frequency > 1'000'000ULL);         // above 1 MHz
        KEXPECT(tsc->frequency < 100'000'000'000ULL);   // below 100 GHz
    }
    if (auto* entropy = response(req::entropy.response)) {
        KEXPECT(entropy->value_count <= req::kEntropyWords);
        KEXPECT(entropy->value_count == 0 || entropy->values != nullptr);
        bool all_same = true;
        for (uint64_t i = 1; i < entropy->value_count; ++i) all_same &= entropy->values[i] == entropy->values[0];
        if (entropy->value_count > 1) KEXPECT(!all_same);
        if (entropy->values) KEXPECT(in_hhdm(entropy->values));
    }
}

KTEST(boot_protocol, efi_memory_map_is_well_formed) {
    auto* r = response(req::efi_memmap.response);
    KASSERT(r != nullptr && r->memmap != nullptr);
    KEXPECT(r->desc_size >= 40);
    KEXPECT(r->memmap_size > 0);
    KEXPECT_EQ(r->memmap_size % r->desc_size, uint64_t(0));
    KEXPECT_EQ(r->desc_version, uint64_t(1));
}

KTEST(boot_protocol, boot_time_is_plausible) {
    auto* r = response(req::boot_time.response);
    KASSERT(r != nullptr);
    KEXPECT(r->boot_time > 1577836800);  // after 2020-01-01
    KEXPECT(r->boot_time < 4102444800);  // before 2100-01-01
}

KTEST(boot_protocol, paging_is_4_level_as_asked) {
    auto* r = response(req::paging_mode.response);
    KASSERT(r != nullptr);
    KEXPECT_EQ(r->mode, uint64_t(limine::kPaging4Level));
    KEXPECT((arch::read_cr4() & arch::cr4::kFiveLevelPaging) == 0);
}

KTEST(boot_protocol, entry_point_request_is_honoured) {
    KEXPECT(response(req::entry_point.response) != nullptr);
    KEXPECT_EQ(entry_state().entered_via_request, uint8_t(1));
}

KTEST(boot_protocol, stack_has_the_requested_size) {
    KEXPECT(response(req::stack_size.response) != nullptr);
    const EntryState& s = entry_state();
    KEXPECT(in_hhdm(reinterpret_cast<const void*>(s.rsp)));
    // Every page of the requested size below the entry RSP is mapped
    // writable and is bootloader-reclaimable memory.
    uint64_t top = lib::align_down(s.rsp - 1, kPage);
    for (uint64_t page = top; page > top - kBootStackSize + kPage; page -= kPage) {
        arch::Translation t = arch::translate(page, hhdm());
        KEXPECT(t.present && t.writable);
        if (!t.present) break;
        KEXPECT_EQ(memmap_type_at(t.physical), int64_t(limine::kMemmapBootloaderReclaimable));
    }
}

KTEST(boot_protocol, cpu_state_at_entry_matches_section_3) {
    const EntryState& s = entry_state();
    const uint64_t gprs[] = {s.rax, s.rbx, s.rcx, s.rdx, s.rsi, s.rdi, s.rbp, s.r8,
                             s.r9,  s.r10, s.r11, s.r12, s.r13, s.r14, s.r15};
    for (uint64_t value : gprs) KEXPECT_EQ(value, uint64_t(0));
    KEXPECT_EQ(s.return_address, uint64_t(0));
    KEXPECT((s.rflags & arch::rflags::kInterruptEnable) == 0);
    KEXPECT((s.rflags & arch::rflags::kDirection) == 0);
    KEXPECT((s.cr0 & arch::cr0::kPaging) && (s.cr0 & arch::cr0::kProtectionEnable) &&
            (s.cr0 & arch::cr0::kWriteProtect));
    KEXPECT(s.cr4 & arch::cr4::kPhysicalAddressExtension);
    KEXPECT(s.efer & arch::efer::kLongModeEnable);
    bool cpu_has_nx = arch::has(arch::feature::kNoExecute);
    if (cpu_has_nx) KEXPECT(s.efer & arch::efer::kNoExecuteEnable);
    KEXPECT_EQ(s.cs, uint16_t(0x28));
    KEXPECT_EQ(s.ds, uint16_t(0x30));
    KEXPECT_EQ(s.es, uint16_t(0x30));
    KEXPECT_EQ(s.ss, uint16_t(0x30));
    // The GDT: 64-bit code at 0x28 (L bit), data at 0x30, in reclaimable memory.
    KASSERT(s.gdtr_limit >= 0x37);
    const auto* gdt = reinterpret_cast<const uint64_t*>(s.gdtr_base);
    KEXPECT(in_hhdm(gdt));
    KEXPECT_EQ(memmap_type_at(physical_of(gdt)), int64_t(limine::kMemmapBootloaderReclaimable));
    uint64_t code64 = gdt[5], data64 = gdt[6];
    KEXPECT((code64 >> 53) & 1);           // L: 64-bit code (SDM Vol. 3A §3.4.5)
    KEXPECT((code64 >> 43) & 1);           // executable
    KEXPECT(((data64 >> 43) & 1) == 0);    // data
    KEXPECT((data64 >> 41) & 1);           // writable
}

KTEST(boot_protocol, legacy_pic_is_masked) {
    KEXPECT_EQ(arch::inb(0x21), uint8_t(0xff));
    KEXPECT_EQ(arch::inb(0xa1), uint8_t(0xff));
}

KTEST(boot_protocol, framebuffer_is_32bpp_rgb_and_write_combining) {
    auto* r = response(req::framebuffer.response);
    KASSERT(r != nullptr);
    KASSERT(r->framebuffer_count >= 1);
    const limine::Framebuffer* fb = r->framebuffers[0];
    KEXPECT(in_hhdm(fb->address));
    KEXPECT_EQ(fb->bpp, uint16_t(32));
    KEXPECT_EQ(fb->memory_model, uint8_t(limine::kMemoryModelRgb));
    KEXPECT(fb->pitch >= fb->width * 4);
    KEXPECT(fb->red_mask_size == 8 && fb->green_mask_size == 8 && fb->blue_mask_size == 8);
    if (r->revision >= 1) {
        KEXPECT(fb->mode_count >= 1);
        if (fb->mode_count) KEXPECT(fb->modes != nullptr && fb->modes[0] != nullptr);
    }
    // Facts sheet §2: PAT0 WB, PAT1 WT, PAT2 UC-, PAT3 UC, PAT4 WP, PAT5 WC.
    uint64_t pat = arch::rdmsr(arch::msr::kPat);
    KEXPECT_EQ(pat & 0xffffffffffffULL, 0x010500070406ULL);
    arch::Translation t = arch::translate(reinterpret_cast<uint64_t>(fb->address), hhdm());
    KEXPECT(t.present && t.writable);
    KEXPECT_EQ(t.pat_index, uint8_t(5));
    KEXPECT_EQ(memmap_type_at(physical_of(fb->address)), int64_t(limine::kMemmapFramebuffer));
}

// --- SMP: start every AP through its goto_address and see it run. ---

volatile uint64_t g_aps_arrived = 0;
volatile uint64_t g_ap_bad_state = 0;

[[noreturn]] void ap_probe(limine::SmpInfo* cpu) {
    // Each AP checks it got its own smp_info and the kernel's argument, and
    // that it runs with interrupts off, then reports in and waits in the
    // kernel for SMP bring-up (it has left the loader's loop for good).
    uint32_t apic_id = x86_64::initial_xapic_id();
    bool ok = cpu->extra_argument == (0xc0de0000ULL | cpu->lapic_id) &&
              (arch::read_rflags() & arch::rflags::kInterruptEnable) == 0 && (cpu->lapic_id & 0xff) == apic_id;
    if (!ok) __atomic_fetch_add(&g_ap_bad_state, 1, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&g_aps_arrived, 1, __ATOMIC_SEQ_CST);
    boot::wait_for_launch(cpu->lapic_id);
}

KTEST(boot_protocol, smp_lists_every_cpu_and_each_ap_runs_its_goto_address) {
    auto* r = response(req::smp.response);
    KASSERT(r != nullptr);
    uint64_t expected = command_line().number_or("expect_cpus", 0);
    if (expected) KEXPECT_EQ(r->cpu_count, expected);
    KEXPECT_EQ(r->bsp_lapic_id & 0xff, x86_64::initial_xapic_id());
    bool x2apic_available = arch::has(arch::feature::kX2apic);
    if (r->flags & limine::kSmpResponseX2apic) {
        KEXPECT(x2apic_available);
        KEXPECT(arch::rdmsr(x86_64::msr::kApicBase) & x86_64::apic::kBaseX2apicEnable);
    }
    uint64_t aps = 0;
    bool bsp_listed = false;
    for (uint64_t i = 0; i < r->cpu_count; ++i) {
        limine::SmpInfo* cpu = r->cpus[i];
        KASSERT(cpu != nullptr);
        KEXPECT(cpu->goto_address == nullptr);
        if (cpu->lapic_id == r->bsp_lapic_id) {
            bsp_listed = true;
            continue;
        }
        cpu->extra_argument = 0xc0de0000ULL | cpu->lapic_id;
        __atomic_store_n(&cpu->goto_address, &ap_probe, __ATOMIC_SEQ_CST);
        ++aps;
    }
    KEXPECT(bsp_listed);
    // Bounded wait: twenty billion TSC ticks (seconds), far more than an AP
    // needs; two billion (under a second of wall time under TCG) once ran
    // out on a busy host with four virtual CPUs (one AP of three arrived late).
    uint64_t start = arch::rdtsc();
    while (__atomic_load_n(&g_aps_arrived, __ATOMIC_SEQ_CST) < aps && arch::rdtsc() - start < 20000000000ULL)
        arch::pause();
    KEXPECT_EQ(__atomic_load_n(&g_aps_arrived, __ATOMIC_SEQ_CST), aps);
    KEXPECT_EQ(__atomic_load_n(&g_ap_bad_state, __ATOMIC_SEQ_CST), uint64_t(0));
}

}  // namespace
