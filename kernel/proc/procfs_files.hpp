// The process layer's files of /proc (procfs_files.cpp, docs/fs.md "/proc").
#pragma once

namespace proc {

// Registers them and the process source with kernel/fs's procfs. Once, from
// proc::init().
void init_procfs();

}  // namespace proc
