// Taking the application processors out of the loader's hands. The loader
// parks each AP in a loop that polls its smp_info.goto_address
// (docs/limine-protocol.md §4, smp_info) — code, stack and smp_info all in
// bootloader-reclaimable memory, on the loader's page tables and GDT. Before
// that memory can be reused, every AP must be sent somewhere that uses none
// of it: the boot module (the one place that knows smp_info) sends each AP
// to a record of the caller's choosing.
//
//   boot::LoaderAp aps[lib::kMaxCpus];
//   size_t count = boot::loader_application_processors(aps, lib::kMaxCpus);
//   boot::ApLaunch* launch = ...;  // filled in, kept for good
//   boot::launch_application_processor(aps[0].lapic_id, *launch);
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
    uint32_t lapic_id;                // filled in by launch_application_processor()
    uint32_t reported;                // for the entry function to set (atomically); 0 until then
    void* context;                    // the caller's
};

// One AP of the loader's SMP response (the boot CPU's own entry is left out).
struct LoaderAp {
    uint32_t lapic_id = 0;
    // Its goto_address was used already: the boot_protocol tests start each
    // AP once, early, and leave it waiting in wait_for_launch().
    bool started_before = false;
};

// The APs of the loader's response, in its order: up to `capacity` go to
// `out`; returns how many there are (0 without a response).
size_t loader_application_processors(LoaderAp* out, size_t capacity);

// Sends the AP with APIC id `lapic_id` to `launch`: through its goto_address
// while it is in the loader's loop, or through wait_for_launch() if it was
// started before. At the stub in ap_handoff.S the AP loads the record's CR3
// and RSP, loads a GDT in the kernel image that has the protocol's layout
// (so its segment registers stay valid and the loader's GDT is not
// referenced any more), and calls entry(launch). Returns at once (the caller
// waits for `reported`); false if no such AP is in the response, or it was
// started before and is not waiting.
bool launch_application_processor(uint32_t lapic_id, ApLaunch& launch);

// For an AP that kernel code took out of the loader's loop before the
// launch (the boot_protocol tests' probe): waits there, interrupts off, on
// whatever stack it has, until launch_application_processor() names it,
// then goes on as every other AP does. Uses no memory but the kernel's.
[[noreturn]] void wait_for_launch(uint32_t lapic_id);

}  // namespace boot
