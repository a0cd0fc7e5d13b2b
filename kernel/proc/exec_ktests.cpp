// exec on the real machine (test=exec): a static program handed over as a
// Limine module (the scenario vm_exec_module gives tests' stack_dump) is
// loaded into a new address space by proc::exec; with CR3 holding it, the
// CPU reads the program's code at its entry point, the initial stack has
// argc, argv and the auxiliary vector where the program will look - all
// without entering user mode. Without such a module the case says so and
// checks nothing (the scenario checks that it ran).
#include "kernel/abi/linux_exec.hpp"
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/uaccess.hpp"
#include "kernel/boot/boot_info.hpp"
#include "kernel/console/log.hpp"
#include "kernel/mm/mm.hpp"
#include "kernel/proc/elf_program.hpp"
#include "kernel/proc/exec.hpp"
#include "kernel/proc/module_file.hpp"
#include "kernel/test/ktest.hpp"
#include "kernel/vm/errors.hpp"
#include "kernel/vm/kernel_services.hpp"

namespace {

constexpr uint64_t kPage = 4096;

class NoFiles final : public proc::ExecFiles {
public:
    lib::Expected<proc::ExecFile*> open(lib::StringView) override {
        return vm::error(lib::Errno::kENOENT, "no file system yet");
    }
    void close(proc::ExecFile*) override {}
};

const boot::Module* find_module(lib::StringView name) {
    const boot::BootInfo& info = boot::info();
    for (size_t i = 0; i < info.module_count; ++i)
        if (lib::StringView(info.modules[i].path).ends_with(name)) return &info.modules[i];
    return nullptr;
}

// A read of user memory as the syscall layer does it: arch::copy_from_user,
// whose page faults the address space resolves (vm::handle_page_fault, as
// the process layer's resolver calls it).
bool resolve_in_current_space(uint64_t address, uint64_t error_code) {
    return vm::handle_page_fault(address, error_code) == vm::FaultResult::kResolved;
}

template <typename T>
T user_load(uint64_t address) {
    T value{};
    if (arch::copy_from_user(&value, address, sizeof value) != 0)
        ktest::detail::fail(__FILE__, __LINE__, "a user read faulted and the fault was not resolved");
    return value;
}

KTEST(exec, static_program_from_a_module) {
    const boot::Module* module = find_module("/stack_dump");
    if (!module) {
        klog::info("exec: no stack_dump module, nothing to load");
        return;
    }
    proc::ModuleFile file(*module);  // the one init= uses (module_file.hpp)
    NoFiles files;
    lib::StringView argv[] = {"stack_dump", "x"};
    lib::StringView envp[] = {"A=1"};
    proc::ExecParameters parameters;
    parameters.filename = module->path;
    parameters.argv = lib::Span<const lib::StringView>(argv, 2);
    parameters.envp = lib::Span<const lib::StringView>(envp, 1);
    parameters.files = &files;
    parameters.services = vm::kernel_services();
    parameters.randomize = vm::aslr_enabled();
    parameters.random = &vm::kernel_random();
    parameters.hwcap = arch::cpuid(1).edx;
    parameters.minsigstksz = 2048;
    auto image = proc::exec(file, parameters);
    KASSERT(image.has_value());
    vm::AddressSpace* space = image->space;

    uapi::Elf64Header header;
    __builtin_memcpy(&header, module->address, sizeof header);
    KEXPECT_EQ(image->entry, header.entry);
    KEXPECT_EQ(image->program_entry, header.entry);
    KEXPECT_EQ(image->stack_pointer % 16, 0u);

    arch::UaccessFaultResolver previous_resolver = arch::uaccess_fault_resolver();
    arch::set_uaccess_fault_resolver(resolve_in_current_space);
    vm::AddressSpace* previous = vm::switch_address_space(space);
    // The code at the entry point, as the CPU fetches it through our tables,
    // is the module's: find the file offset of the entry's segment.
    uapi::Elf64ProgramHeader ph;
    bool found = false;
    for (uint16_t i = 0; i < header.phnum && !found; ++i) {
        __builtin_memcpy(&ph, module->address + header.phoff + i * sizeof ph, sizeof ph);
        found = ph.type == uapi::kPtLoad && header.entry >= ph.vaddr && header.entry < ph.vaddr + ph.filesz;
    }
    KEXPECT(found);
    if (found) {
        uint64_t offset = ph.offset + (header.entry - ph.vaddr);
        for (uint64_t i = 0; i < 16; ++i) KEXPECT_EQ(user_load<uint8_t>(header.entry + i), module->address[offset + i]);
        uint64_t entry = space->entry_at(header.entry);
        KEXPECT(entry & vm::pte::kUser);
        KEXPECT(!(entry & vm::pte::kWritable));
        KEXPECT(!(entry & vm::pte::kNoExecute));
    }
    // The stack: argc, argv[0], then past envp the auxiliary vector.
    uint64_t sp = image->stack_pointer;
    KEXPECT_EQ(user_load<uint64_t>(sp), 2u);
    uint64_t argv0 = user_load<uint64_t>(sp + 8);
    const char expected[] = "stack_dump";
    for (size_t i = 0; i < sizeof expected; ++i) KEXPECT_EQ(user_load<char>(argv0 + i), expected[i]);
    uint64_t at = sp + 8 * (1 + 3 + 2);
    uint64_t entry_value = 0, random = 0, pagesz = 0;
    for (int i = 0; i < 40 && user_load<uint64_t>(at); ++i, at += 16) {
        uint64_t type = user_load<uint64_t>(at), value = user_load<uint64_t>(at + 8);
        if (type == uapi::kAtEntry) entry_value = value;
        if (type == uapi::kAtRandom) random = value;
        if (type == uapi::kAtPagesz) pagesz = value;
    }
    KEXPECT_EQ(entry_value, header.entry);
    KEXPECT_EQ(pagesz, kPage);
    KEXPECT(random > sp && random < uapi::kStackTop);
    vm::switch_address_space(previous);
    arch::set_uaccess_fault_resolver(previous_resolver);
    klog::info("exec: {}: entry={:#x} sp={:#x} brk={:#x} aslr={}", module->path, image->entry, sp, space->layout().brk,
               vm::aslr_enabled() ? "on" : "off");
    vm::AddressSpace::destroy(space);
    KEXPECT_EQ(file.references(), 0);
}

}  // namespace
