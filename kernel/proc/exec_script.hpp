// `#!` interpreter scripts, as Linux 6.1's fs/binfmt_script.c reads them:
// the first BINPRM_BUF_SIZE (256) bytes of the file, a `#!`, then an
// interpreter path and at most one argument (everything after the path's
// first blank, blanks at both ends cut), on the first line or, if that line
// does not end inside those bytes, as far as they go - unless the path
// itself would be cut, which is ENOEXEC. The new argv is
//   interpreter [argument] script-path original-argv[1..]
#pragma once

#include <stddef.h>

#include "kernel/abi/linux_exec.hpp"
#include "lib/expected.hpp"
#include "lib/string_view.hpp"

namespace proc {

struct ScriptInterpreter {
    lib::StringView path;
    lib::StringView argument;
    bool has_argument = false;
};

// `head` holds the first bytes of the file, zero-padded to
// uapi::kBinprmBufSize (as Linux reads them); the views returned point into
// it (it is edited to terminate them). ENOEXEC when it is no script or its
// first line names no interpreter.
lib::Expected<ScriptInterpreter> parse_script(char (&head)[uapi::kBinprmBufSize]);

}  // namespace proc
