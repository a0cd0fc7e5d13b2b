// The initial stack (see exec_stack.hpp).
#include "kernel/proc/exec_stack.hpp"

#include "kernel/abi/linux_exec.hpp"
#include "lib/utility.hpp"

namespace proc {
namespace {

constexpr uint64_t kPage = 4096;
constexpr size_t kPlatformBytes = 7;  // "x86_64" and its NUL

}  // namespace

size_t linux_auxv(const AuxValues& values, AuxEntry (&out)[kMaxAuxEntries]) {
    size_t n = 0;
    auto add = [&](uint64_t type, uint64_t value) { out[n++] = AuxEntry{type, value}; };
    if (values.sysinfo_ehdr) add(uapi::kAtSysinfoEhdr, values.sysinfo_ehdr);
    add(uapi::kAtMinSigStkSz, values.minsigstksz);
    add(uapi::kAtHwcap, values.hwcap);
    add(uapi::kAtPagesz, uapi::kPageSize);
    add(uapi::kAtClktck, uapi::kClockTicks);
    add(uapi::kAtPhdr, values.phdr);
    add(uapi::kAtPhent, sizeof(uapi::Elf64ProgramHeader));
    add(uapi::kAtPhnum, values.phnum);
    add(uapi::kAtBase, values.base);
    add(uapi::kAtFlags, 0);
    add(uapi::kAtEntry, values.entry);
    add(uapi::kAtUid, values.uid);
    add(uapi::kAtEuid, values.euid);
    add(uapi::kAtGid, values.gid);
    add(uapi::kAtEgid, values.egid);
    add(uapi::kAtSecure, values.secure);
    add(uapi::kAtRandom, 0);  // where the bytes end up: set by write_stack
    add(uapi::kAtHwcap2, values.hwcap2);
    add(uapi::kAtExecFn, 0);
    add(uapi::kAtPlatform, 0);
    return n;
}

StackLayout plan_stack(const StackInputs& inputs) {
    const ExecArguments& args = *inputs.arguments;
    StackLayout layout;
    uint64_t p = inputs.stack_top - sizeof(uint64_t);
    p -= args.filename().size() + 1;
    layout.execfn = p;
    layout.env_end = p;
    for (size_t i = 0; i < args.envc(); ++i) p -= args.env(i).size() + 1;
    layout.env_start = p;
    layout.arg_end = p;
    for (size_t i = 0; i < args.argc(); ++i) p -= args.arg(i).size() + 1;
    layout.strings = p;

    p = (p - inputs.shuffle) & ~15ULL;
    p -= kPlatformBytes;
    layout.platform = p;
    p -= sizeof inputs.random_bytes;
    layout.random = p;
    uint64_t auxv_words = 2 * (inputs.auxv.size() + 1);
    uint64_t pointer_words = (args.argc() + 1) + (args.envc() + 1) + 1;
    layout.stack_pointer = (p - (auxv_words + pointer_words) * sizeof(uint64_t)) & ~15ULL;
    return layout;
}

uint64_t initial_stack_size(const StackInputs& inputs, uint64_t stack_limit) {
    StackLayout layout = plan_stack(inputs);
    uint64_t strings_pages = inputs.stack_top - (layout.strings & ~(kPage - 1));
    uint64_t size = lib::min<uint64_t>(stack_limit & ~(kPage - 1), strings_pages + 128 * 1024);
    return lib::max(size, strings_pages);
}

lib::Expected<StackLayout> write_stack(vm::AddressSpace& space, const StackInputs& inputs) {
    const ExecArguments& args = *inputs.arguments;
    StackLayout layout = plan_stack(inputs);

    // The strings, lowest first: argv, envp, the file name.
    uint64_t at = layout.strings;
    auto put_string = [&](lib::StringView text) -> lib::Expected<void> {
        TRY(space.write_memory(at, text.data(), text.size()));
        TRY(space.zero_memory(at + text.size(), 1));
        at += text.size() + 1;
        return {};
    };
    for (size_t i = 0; i < args.argc(); ++i) TRY(put_string(args.arg(i)));
    for (size_t i = 0; i < args.envc(); ++i) TRY(put_string(args.env(i)));
    TRY(put_string(args.filename()));
    TRY(space.write_memory(layout.platform, uapi::kPlatform, kPlatformBytes));
    TRY(space.write_memory(layout.random, inputs.random_bytes, sizeof inputs.random_bytes));

    for (AuxEntry& entry : inputs.auxv) {
        if (entry.type == uapi::kAtRandom)
            entry.value = layout.random;
        else if (entry.type == uapi::kAtExecFn)
            entry.value = layout.execfn;
        else if (entry.type == uapi::kAtPlatform)
            entry.value = layout.platform;
    }

    // argc, the argv and envp pointers, then the auxiliary vector, written
    // a batch of words at a time.
    uint64_t batch[64];
    size_t count = 0;
    uint64_t cursor = layout.stack_pointer;
    auto flush = [&]() -> lib::Expected<void> {
        TRY(space.write_memory(cursor, batch, count * sizeof(uint64_t)));
        cursor += count * sizeof(uint64_t);
        count = 0;
        return {};
    };
    auto push = [&](uint64_t word) -> lib::Expected<void> {
        batch[count++] = word;
        if (count == sizeof batch / sizeof batch[0]) TRY(flush());
        return {};
    };
    TRY(push(args.argc()));
    uint64_t string = layout.strings;
    for (size_t i = 0; i < args.argc(); ++i) {
        TRY(push(string));
        string += args.arg(i).size() + 1;
    }
    TRY(push(0));
    for (size_t i = 0; i < args.envc(); ++i) {
        TRY(push(string));
        string += args.env(i).size() + 1;
    }
    TRY(push(0));
    for (const AuxEntry& entry : inputs.auxv) {
        TRY(push(entry.type));
        TRY(push(entry.value));
    }
    TRY(push(uapi::kAtNull));
    TRY(push(0));
    TRY(flush());
    return layout;
}

}  // namespace proc
