// Starting programs (program.hpp).
#include "kernel/proc/program.hpp"

#include "kernel/abi/linux_proc.hpp"
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/proc/module_file.hpp"
#include "kernel/vm/errors.hpp"
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
    return p;
}

lib::Expected<void> exec_program(Process& process, ExecFile& program, const ExecParameters& parameters,
                                 ExecFailure* failure) {
    ExecImage image = TRY(exec(program, parameters, failure));
    process.set_name(parameters.filename);
    // The file itself, for /proc/self/exe (re-executing it keeps it).
    if (!(parameters.filename == lib::StringView("/proc/self/exe"))) {
        size_t n = parameters.filename.size() < sizeof process.exe - 1 ? parameters.filename.size()
                                                                       : sizeof process.exe - 1;
        __builtin_memcpy(process.exe, parameters.filename.data(), n);
        process.exe[n] = '\0';
    }
    start_program(process, image.space, image.entry, image.stack_pointer);
    return {};
}

ExecFiles& program_files() {
    static ModuleFiles files;
    return files;
}

lib::Expected<Process*> spawn_module(lib::StringView path, lib::Span<const lib::StringView> argv,
                                     lib::Span<const lib::StringView> envp, Process* parent) {
    const boot::Module* module = find_module(path);
    if (!module) return vm::error(lib::Errno::kENOENT, "no module with that path");
    ModuleFile* file = module_file(*module);
    if (!file) return vm::error(lib::Errno::kENOMEM, "no memory for a module file");
    Process* process = TRY(create_process(parent));
    ModuleFiles files;
    ExecParameters parameters = exec_parameters(*process, path, argv, envp, files);
    ExecFailure failure;
    auto started = exec_program(*process, *file, parameters, &failure);
    if (!started) {
        discard_process(process);
        return started.error();
    }
    return process;
}

}  // namespace proc
