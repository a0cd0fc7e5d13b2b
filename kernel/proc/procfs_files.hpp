// The process layer's files of /proc (procfs_files.cpp, docs/fs.md "/proc").
#pragma once

#include <stdint.h>

namespace proc {

// How /proc/<pid>/stat finds a session's controlling terminal (tty_nr,
// tpgid): the terminal layer's lookup (tty::session_terminal), installed by
// tty::init. Without one, no process has a terminal (tty_nr 0, tpgid -1).
using SessionTerminalLookup = bool (*)(int32_t sid, uint32_t& device, int32_t& foreground);
void set_session_terminal_lookup(SessionTerminalLookup lookup);

// Registers them and the process source with kernel/fs's procfs. Once, from
// proc::init().
void init_procfs();

}  // namespace proc
