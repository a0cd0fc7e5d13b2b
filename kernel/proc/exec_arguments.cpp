// exec's argument strings (see exec_arguments.hpp).
#include "kernel/proc/exec_arguments.hpp"

#include "kernel/abi/linux_exec.hpp"
#include "kernel/vm/errors.hpp"
#include "lib/utility.hpp"

namespace proc {

using lib::Errno;

lib::Expected<uint64_t> ExecArguments::string_limit(uint64_t stack_limit, uint64_t argc, uint64_t envc) {
    if (argc > uapi::kMaxArgStrings || envc > uapi::kMaxArgStrings)
        return vm::error(Errno::kE2BIG, "more than MAX_ARG_STRINGS arguments");
    uint64_t limit = lib::min<uint64_t>(uapi::kStkLim / 4 * 3, stack_limit / 4);
    limit = lib::max<uint64_t>(limit, uapi::kArgMax);
    // The pointers to the strings take stack room too (at least one for argv).
    uint64_t pointers = (lib::max<uint64_t>(argc, 1) + envc) * sizeof(uint64_t);
    if (limit <= pointers) return vm::error(Errno::kE2BIG, "argument pointers alone exceed the stack limit");
    return limit - pointers;
}

lib::Expected<void> ExecArguments::account(lib::StringView string) {
    uint64_t length = string.size() + 1;
    if (length > uapi::kMaxArgStrlen) return vm::error(Errno::kE2BIG, "argument longer than MAX_ARG_STRLEN");
    if (used_ + length > limit_) return vm::error(Errno::kE2BIG, "arguments exceed a quarter of RLIMIT_STACK");
    used_ += length;
    return {};
}

lib::Expected<void> ExecArguments::init(lib::StringView filename, lib::Span<const lib::StringView> argv,
                                        lib::Span<const lib::StringView> envp, uint64_t stack_limit) {
    limit_ = TRY(string_limit(stack_limit, argv.size(), envp.size()));
    filename_ = filename;
    argv_ = argv;
    envp_ = envp;
    used_ = 0;
    skipped_ = 0;
    prefix_count_ = 0;
    TRY(account(filename));
    for (size_t i = envp.size(); i-- > 0;) TRY(account(envp[i]));
    for (size_t i = argv.size(); i-- > 0;) TRY(account(argv[i]));
    // An empty argv becomes {""}, so argv[1] never reads as envp[0].
    if (argv.size() == 0) TRY(push_front(lib::StringView("", 0)));
    return {};
}

lib::StringView ExecArguments::arg(size_t index) const {
    if (index < prefix_count_) return prefix_[index];
    return argv_[skipped_ + index - prefix_count_];
}

void ExecArguments::remove_first() {
    if (argc() == 0) return;
    used_ -= arg(0).size() + 1;
    if (prefix_count_) {
        for (size_t i = 1; i < prefix_count_; ++i) prefix_[i - 1] = prefix_[i];
        --prefix_count_;
    } else {
        ++skipped_;
    }
}

lib::Expected<void> ExecArguments::push_front(lib::StringView argument) {
    if (prefix_count_ == kMaxPrefix) return vm::error(Errno::kELOOP, "too many script interpreters");
    TRY(account(argument));
    for (size_t i = prefix_count_; i > 0; --i) prefix_[i] = prefix_[i - 1];
    prefix_[0] = argument;
    ++prefix_count_;
    return {};
}

}  // namespace proc
