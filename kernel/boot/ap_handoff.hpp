// Taking the application processors out of the loader's hands. The loader
// parks each AP in a loop that polls its smp_info.goto_address (docs/limine-protocol.md
// §4, smp_info) — code, stack and smp_info all in bootloader-reclaimable
// memory, on the loader's page tables and GDT. Before that memory can be
// reused, every AP must be sent somewhere that uses none of it: the boot
// module (the one place that knows smp_info) sends each AP to a record of
// the caller's choosing.
//
//   boot::ApCount count = boot::count_application_processors();
//   boot::ApLaunch* launches = ...;  // count.in_loader records, each filled in
//   boot::launch_application_processors(launches, count.in_loader);
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace boot {

// Where one AP goes. Must stay mapped at the same address in the loader's
// page tables and in page_table_root's (kernel data or the HHDM: both map
// those the same) until the AP has reported in.
struct ApLaunch {
    uint64_t page_table_root;         // loaded into CR3 first: the stack below may be mapped only there
    uint64_t stack_top;               // then into RSP, before anything is pushed (16-byte aligned)
    void (*entry)(ApLaunch* launch);  // then called on that stack (return address 0); must never return
    uint32_t lapic_id;                // filled in by launch_application_processors()
    uint32_t reported;                // for the entry function to set (atomically); 0 until then
    void* context;                    // the caller's
};

struct ApCount {
    size_t in_loader = 0;  // APs still in the loader's parking loop (goto_address null)
    // APs whose goto_address was set before (the boot_protocol tests start
    // each AP once, early, and leave it halted in kernel code on its loader
    // stack with interrupts off): nothing more can be done for them here.
    size_t started_before = 0;
};

// Counts the APs of the loader's SMP response (none without one).
ApCount count_application_processors();

// Sends the APs that count_application_processors() counted as still in the
// loader's loop, in the loader's order, one to each of launches[0 .. count)
// (count must be that number). Each AP, at the stub in ap_handoff.S, loads
// the record's CR3 and RSP, loads a GDT in the kernel image that has the
// protocol's layout (so its segment registers stay valid and the loader's
// GDT is not referenced any more), and calls entry(launch). Returns at once:
// the caller waits for the APs to report in.
void launch_application_processors(ApLaunch* launches, size_t count);

}  // namespace boot
