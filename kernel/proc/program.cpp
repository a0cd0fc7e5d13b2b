// Starting programs (program.hpp).
#include "kernel/proc/program.hpp"

#include "kernel/abi/linux_proc.hpp"
#include "kernel/abi/linux_fs.hpp"
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/fs/fs.hpp"
#include "kernel/fs/io_buffer.hpp"
#include "kernel/proc/futex.hpp"
#include "kernel/proc/module_file.hpp"
#include "kernel/proc/vdso.hpp"
#include "kernel/vm/errors.hpp"
#include "kernel/vm/allocation.hpp"
#include "kernel/vm/kernel_services.hpp"

namespace proc {

ExecParameters exec_parameters(const Process& process, lib::StringView filename, lib::Span<const lib::StringView> argv,
                               lib::Span<const lib::StringView> envp, ExecFiles& files) {
    ExecParameters p;
    p.filename = filename;
    p.argv = argv;
    p.envp = envp;
    p.files = &files;
    p.services = vm::kernel_services();
    p.limits.address_space = process.limits[uapi::kRLIMIT_AS].soft;
    p.limits.data = process.limits[uapi::kRLIMIT_DATA].soft;
    p.limits.stack = process.limits[uapi::kRLIMIT_STACK].soft;
    p.randomize = vm::aslr_enabled() && !(process.personality & kAddrNoRandomize);
    p.random = &vm::kernel_random();
    const Credentials& c = process.credentials;
    p.credentials = {c.uid, c.euid, c.gid, c.egid, false};
    // AT_HWCAP is CPUID.01H:EDX on x86_64 (ELF_HWCAP); AT_HWCAP2 bit 1
    // (FSGSBASE) stays clear: the kernel does not enable CR4.FSGSBASE.
    p.hwcap = arch::cpuid(1).edx;
    p.hwcap2 = 0;
    // AT_MINSIGSTKSZ: the signal frame with the FXSAVE image (no XSAVE
    // state is enabled for user code).
    p.minsigstksz = 2048;
    // The vDSO (AT_SYSINFO_EHDR): clock_gettime & co. without a system call.
    if (vdso_ready()) p.map_vdso = map_vdso;
    return p;
}

namespace {
// The file a #! script's interpreter was opened from (below).
fs::Path binary_path_of(Process& process, lib::StringView name);
}  // namespace

lib::Expected<void> exec_program(Process& process, ExecFile& program, const ExecParameters& parameters,
                                 ExecFailure* failure) {
    ExecImage image = TRY(exec(program, parameters, failure));
    if (Task* self = current_task(); self && self->process == &process) {
        // The other threads end first (de_thread); then, as the old memory
        // goes, the caller's robust futexes are released in it and its
        // clear-child-tid word dropped (Linux's exec_mm_release: the word
        // is written only when another process still uses the memory, a
        // vfork parent; the other threads are gone by now).
        if (auto alone = de_thread(*self); !alone) {
            vm::AddressSpace::destroy(image.space);
            return alone.error();
        }
        release_task_futexes(process.main_task, process.space && process.space->shared_by_processes());
    }
    process.set_name(parameters.filename);
    if (process.main_task.thread) process.main_task.thread->rename(process.name);  // the debug dump's name too
    if (process.files) process.files->close_on_exec_now();
    // The binary, for /proc/self/exe (re-executing it keeps it): the file
    // itself, or for a #! script the interpreter that was loaded.
    lib::StringView name = image.interpreted ? lib::StringView(image.binary_name) : parameters.filename;
    if (image.interpreted || !(parameters.filename == lib::StringView("/proc/self/exe"))) {
        size_t n = name.size() < sizeof process.exe - 1 ? name.size() : sizeof process.exe - 1;
        __builtin_memcpy(process.exe, name.data(), n);
        process.exe[n] = '\0';
        fs::Path path = program.file_path();
        if (image.interpreted) path = binary_path_of(process, name);
        {
            ksync::Guard guard(table_lock());  // /proc reads it under the lock
            lib::swap(process.exe_path, path);
        }
    }
    start_program(process, image.space, image.entry, image.stack_pointer);
    return {};
}

namespace {

// A file of the VFS as exec reads and maps it.
class VfsExecFile final : public ExecFile {
public:
    explicit VfsExecFile(fs::FileRef file) : file_(lib::move(file)) {}
    lib::Expected<size_t> read(uint64_t offset, void* buffer, size_t size) override {
        fs::IoBuffer::Segment segment;
        fs::IoBuffer io = fs::IoBuffer::kernel_one(segment, buffer, size);
        return file_->pread(io, int64_t(offset));
    }
    vm::FileMapping mapping() override { return file_->mapping(); }
    void release() override { vm::destroy(this); }
    fs::Path file_path() const override { return file_->path(); }

private:
    fs::FileRef file_;
};

// Programs and interpreters by path, relative to the calling process's
// cwd and root (open_exec: a regular file the caller may execute, else
// EACCES); Limine modules by their path where the VFS has no such file.
class ProgramFiles final : public ExecFiles {
public:
    lib::Expected<ExecFile*> open(lib::StringView path) override { return open_for(current_process(), path); }

    lib::Expected<ExecFile*> open_for(Process* self, lib::StringView path) {
        // /proc/self/exe: the process's own program by the path exec was
        // given, which also serves programs from Limine modules (they have
        // no file in the VFS, so /proc's exe link has nowhere to go).
        if (self && path == lib::StringView("/proc/self/exe") && self->exe[0]) path = lib::StringView(self->exe);
        if (fs::ready() && self && self->fs.root) {
            auto opened = open_in_vfs(*self, path);
            if (opened || opened.error().code != lib::Errno::kENOENT || !find_module(path)) return opened;
        }
        return modules_.open(path);
    }
    void close(ExecFile* file) override { file->release(); }

private:
    static lib::Expected<ExecFile*> open_in_vfs(Process& self, lib::StringView path) {
        fs::FileRef file = TRY(fs::open(self.fs, self.fs.cwd, path, uapi::kO_RDONLY, 0));
        uapi::Stat st = file->stat();
        if ((st.st_mode & uapi::kS_IFMT) != uapi::kS_IFREG) return vm::error(lib::Errno::kEACCES, "not a regular file");
        TRY(fs::access(self.fs, self.fs.cwd, path, uapi::kX_OK, 0));
        VfsExecFile* exec_file = vm::create<VfsExecFile>(lib::move(file));
        if (!exec_file) return vm::error(lib::Errno::kENOMEM, "no memory for an exec file");
        return static_cast<ExecFile*>(exec_file);
    }
    ModuleFiles modules_;
};

// The files a process the kernel starts (PID 1) opens, relative to its own
// root and cwd: the kernel's thread that execs for it is no process, so
// ProgramFiles::open would look only among the modules for an interpreter
// (a dynamically linked init's PT_INTERP, a script's #!).
class FilesOf final : public ExecFiles {
public:
    FilesOf(ProgramFiles& files, Process* process) : files_(files), process_(process) {}
    lib::Expected<ExecFile*> open(lib::StringView path) override { return files_.open_for(process_, path); }
    void close(ExecFile* file) override { files_.close(file); }

private:
    ProgramFiles& files_;
    Process* process_;
};

}  // namespace

ExecFiles& program_files() {
    static ProgramFiles files;
    return files;
}

namespace {
// Opened again by the name exec opened it by, in the process's root and
// cwd (exec closed its files before the point where the process takes its
// new program); an empty path (no /proc exe link) if it went meanwhile.
fs::Path binary_path_of(Process& process, lib::StringView name) {
    auto& files = static_cast<ProgramFiles&>(program_files());
    auto opened = files.open_for(&process, name);
    if (!opened) return {};
    fs::Path path = (*opened)->file_path();
    files.close(*opened);
    return path;
}
}  // namespace

lib::Expected<Process*> spawn_module(lib::StringView path, lib::Span<const lib::StringView> argv,
                                     lib::Span<const lib::StringView> envp, Process* parent) {
    Process* process = TRY(create_process(parent));
    FilesOf files(static_cast<ProgramFiles&>(program_files()), process);
    auto opened = files.open(path);
    if (!opened) {
        discard_process(process);
        return opened.error();
    }
    ExecParameters parameters = exec_parameters(*process, path, argv, envp, files);
    ExecFailure failure;
    auto started = exec_program(*process, **opened, parameters, &failure);
    files.close(*opened);
    if (!started) {
        discard_process(process);
        return started.error();
    }
    return process;
}

}  // namespace proc
