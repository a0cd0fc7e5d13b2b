// The strings execve(2) passes to the new program: argv, envp and the file
// name (AT_EXECFN), with the limits Linux 6.1 applies (fs/exec.c:
// bprm_stack_limits, copy_strings): each string at most MAX_ARG_STRLEN
// bytes with its NUL, all of them together at most a quarter of
// RLIMIT_STACK (never less than ARG_MAX, never more than 6 MiB), less the
// room their pointers take; past either, E2BIG. An empty argv gets one
// empty string. A #! script rewrites the front of argv.
//
// The strings stay where the caller keeps them (kernel copies the syscall
// layer made); this holds views and the byte count.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/expected.hpp"
#include "lib/span.hpp"
#include "lib/string_view.hpp"

namespace proc {

class ExecArguments {
public:
    // The byte limit for all strings (with their NULs) of `argc` arguments
    // and `envc` environment strings under this RLIMIT_STACK; E2BIG when
    // even their pointers do not fit. The syscall layer may use it to stop
    // copying early.
    static lib::Expected<uint64_t> string_limit(uint64_t stack_limit, uint64_t argc, uint64_t envc);

    // Takes filename, then envp, then argv, in Linux's order of copying.
    lib::Expected<void> init(lib::StringView filename, lib::Span<const lib::StringView> argv,
                             lib::Span<const lib::StringView> envp, uint64_t stack_limit);

    // binfmt_script: argv[0] goes, then strings are put in front.
    void remove_first();
    lib::Expected<void> push_front(lib::StringView argument);

    size_t argc() const { return prefix_count_ + (argv_.size() - skipped_); }
    lib::StringView arg(size_t index) const;
    size_t envc() const { return envp_.size(); }
    lib::StringView env(size_t index) const { return envp_[index]; }
    lib::StringView filename() const { return filename_; }
    // Bytes of all strings with their NULs (argv, envp, filename).
    uint64_t string_bytes() const { return used_; }

private:
    lib::Expected<void> account(lib::StringView string);

    static constexpr size_t kMaxPrefix = 24;  // 3 per script level, 6 levels (ELOOP after that)
    lib::StringView filename_;
    lib::Span<const lib::StringView> argv_;
    lib::Span<const lib::StringView> envp_;
    size_t skipped_ = 0;  // leading argv entries removed
    lib::StringView prefix_[kMaxPrefix];
    size_t prefix_count_ = 0;
    uint64_t used_ = 0;
    uint64_t limit_ = 0;
};

}  // namespace proc
