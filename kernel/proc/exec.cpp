// execve's memory work (see exec.hpp), in the order of Linux 6.1's
// fs/exec.c (do_execveat_common, bprm_execve, exec_binprm) and
// fs/binfmt_elf.c (load_elf_binary): strings, format (#! scripts first,
// then ELF), interpreter, then - past the point of no return - the new
// address space: layout, stack region, program, BSS and heap, interpreter,
// vDSO, and the initial stack with its auxiliary vector.
#include "kernel/proc/exec.hpp"

#include "kernel/abi/linux_exec.hpp"
#include "kernel/abi/linux_mm.hpp"
#include "kernel/proc/elf_loader.hpp"
#include "kernel/proc/elf_program.hpp"
#include "kernel/proc/exec_arguments.hpp"
#include "kernel/proc/exec_script.hpp"
#include "kernel/proc/exec_stack.hpp"
#include "kernel/vm/allocation.hpp"
#include "kernel/vm/errors.hpp"

namespace proc {
namespace {

using lib::Errno;
constexpr size_t kMaxDepth = 5;  // exec_binprm: a sixth interpreter is ELOOP

// Everything one exec holds while it works, kept off the kernel stack.
struct ExecState {
    ExecArguments arguments;
    char heads[kMaxDepth + 1][uapi::kBinprmBufSize];  // each script's first bytes (argv points into them)
    char interpreter_path[uapi::kPathMax];
    uint8_t interpreter_head[sizeof(uapi::Elf64Header)];
    ElfProgram program;
    ElfProgram interpreter;
    AuxEntry auxv[kMaxAuxEntries];
    ExecFile* opened[kMaxDepth + 2] = {};  // files this exec opened (closed at the end)
    size_t opened_count = 0;
};

// prepare_binprm: the first BINPRM_BUF_SIZE bytes, zero-padded.
lib::Expected<void> read_head(ExecFile& file, char (&head)[uapi::kBinprmBufSize]) {
    __builtin_memset(head, 0, sizeof head);
    TRY(file.read(0, head, sizeof head));
    return {};
}

// elf_read: exactly `size` bytes or EIO.
lib::Expected<void> read_exactly(ExecFile& file, uint64_t offset, void* buffer, size_t size) {
    auto got = file.read(offset, buffer, size);
    if (!got) return got.error();
    if (*got != size) return vm::error(Errno::kEIO, "file shorter than its headers say");
    return {};
}

lib::Expected<ExecFile*> open_file(const ExecParameters& parameters, ExecState& state, lib::StringView path) {
    ExecFile* file = TRY(parameters.files->open(path));
    state.opened[state.opened_count++] = file;
    return file;
}

// The first part of exec, which can still fail with nothing lost: the
// strings, following #! scripts to a binary, and reading the ELF program
// and its interpreter. Returns the binary to load.
lib::Expected<ExecFile*> prepare(ExecFile& program, const ExecParameters& parameters, ExecState& state,
                                 ExecFile*& interpreter, lib::StringView& binary_name) {
    TRY(state.arguments.init(parameters.filename, parameters.argv, parameters.envp, parameters.limits.stack));
    ExecFile* file = &program;
    lib::StringView interpreted_path = parameters.filename;  // bprm->interp
    for (size_t depth = 0;; ++depth) {
        if (depth > kMaxDepth) return vm::error(Errno::kELOOP, "more than five nested script interpreters");
        char(&head)[uapi::kBinprmBufSize] = state.heads[depth];
        TRY(read_head(*file, head));
        if (head[0] == '#' && head[1] == '!') {
            ScriptInterpreter script = TRY(parse_script(head));
            if (parameters.path_inaccessible) return vm::error(Errno::kENOENT, "script behind a closed descriptor");
            // argv becomes: interpreter [argument] script-path argv[1..].
            state.arguments.remove_first();
            TRY(state.arguments.push_front(interpreted_path));
            if (script.has_argument) TRY(state.arguments.push_front(script.argument));
            TRY(state.arguments.push_front(script.path));
            interpreted_path = script.path;
            file = TRY(open_file(parameters, state, script.path));
            continue;
        }
        if (!is_elf(reinterpret_cast<const uint8_t*>(head), sizeof head))
            return vm::error(Errno::kENOEXEC, "neither an ELF program nor a #! script");
        TRY(read_elf(*file, reinterpret_cast<const uint8_t*>(head), sizeof head, state.program));
        binary_name = interpreted_path;
        break;
    }

    interpreter = nullptr;
    if (const uapi::Elf64ProgramHeader* ph = state.program.find(uapi::kPtInterp)) {
        if (ph->filesz > uapi::kPathMax || ph->filesz < 2)
            return vm::error(Errno::kENOEXEC, "PT_INTERP path of impossible length");
        TRY(read_exactly(*file, ph->offset, state.interpreter_path, ph->filesz));
        if (state.interpreter_path[ph->filesz - 1] != '\0')
            return vm::error(Errno::kENOEXEC, "PT_INTERP path not NUL-terminated");
        interpreter = TRY(open_file(parameters, state, lib::StringView(state.interpreter_path)));
        TRY(read_exactly(*interpreter, 0, state.interpreter_head, sizeof state.interpreter_head));
        TRY(read_elf(*interpreter, state.interpreter_head, sizeof state.interpreter_head, state.interpreter, true));
    }
    return file;
}

size_t build_auxv(const ExecParameters& parameters, const ElfProgram& program, const ExecImage& image, uint64_t phdr,
                  uint64_t vdso, AuxEntry (&auxv)[kMaxAuxEntries]) {
    AuxValues values;
    values.sysinfo_ehdr = vdso;
    values.minsigstksz = parameters.minsigstksz;
    values.hwcap = parameters.hwcap;
    values.hwcap2 = parameters.hwcap2;
    values.phdr = phdr;
    values.phnum = program.header.phnum;
    values.base = image.interpreter_base;
    values.entry = image.program_entry;
    values.uid = parameters.credentials.uid;
    values.euid = parameters.credentials.euid;
    values.gid = parameters.credentials.gid;
    values.egid = parameters.credentials.egid;
    values.secure = parameters.credentials.secure;
    return linux_auxv(values, auxv);
}

// The part after Linux's point of no return: the new address space.
lib::Expected<ExecImage> build(const ExecParameters& parameters, ExecState& state, ExecFile& binary,
                               ExecFile* interpreter, vm::AddressSpace* space) {
    vm::LayoutChoice choice;
    choice.randomize = parameters.randomize;
    choice.random = parameters.random;
    choice.stack_limit = parameters.limits.stack;
    space->limits() = parameters.limits;
    space->set_may_map_low(parameters.may_map_low);
    vm::MmapBases bases = vm::choose_mmap_bases(choice);
    space->layout().mmap_base = bases.mmap_base;
    space->layout().mmap_legacy_base = bases.legacy_base;
    space->layout().map32_base = bases.map32_base;

    // The stack region first, so nothing else lands there.
    ExecImage image;
    image.space = space;
    image.executable_stack = state.program.executable_stack() == 1;
    StackInputs stack;
    stack.arguments = &state.arguments;
    stack.stack_top = vm::choose_stack_top(choice);
    stack.shuffle = vm::choose_stack_shuffle(choice);
    size_t aux_count = build_auxv(parameters, state.program, image, 0, parameters.map_vdso ? 1 : 0, state.auxv);
    stack.auxv = lib::Span<AuxEntry>(state.auxv, aux_count);
    uint64_t stack_size = initial_stack_size(stack, parameters.limits.stack);
    TRY(space->map_stack(stack.stack_top, stack_size, image.executable_stack));

    LoadedProgram loaded = TRY(load_program(*space, binary, state.program, interpreter != nullptr, choice));
    vm::Layout& layout = space->layout();
    layout.start_code = loaded.start_code;
    layout.end_code = loaded.end_code;
    layout.start_data = loaded.start_data;
    layout.end_data = loaded.end_data;
    layout.start_brk = layout.brk = loaded.brk;
    image.program_entry = loaded.entry;
    if (interpreter) {
        image.interpreter_base = TRY(load_interpreter(*space, *interpreter, state.interpreter, loaded.load_bias));
        image.entry = image.interpreter_base + state.interpreter.header.entry;
    } else {
        image.entry = loaded.entry;
    }
    if (image.entry >= uapi::kTaskSize) return vm::error(Errno::kEINVAL, "entry point outside user space");
    uint64_t vdso = 0;
    if (parameters.map_vdso) vdso = TRY(parameters.map_vdso(*space, parameters.vdso_context));

    aux_count = build_auxv(parameters, state.program, image, loaded.phdr, vdso, state.auxv);
    stack.auxv = lib::Span<AuxEntry>(state.auxv, aux_count);
    if (parameters.random) parameters.random->fill(stack.random_bytes, sizeof stack.random_bytes);
    StackLayout written = TRY(write_stack(*space, stack));
    image.stack_pointer = written.stack_pointer;
    layout.start_stack = written.stack_pointer;
    layout.arg_start = written.strings;
    layout.arg_end = written.arg_end;
    layout.env_start = written.env_start;
    layout.env_end = written.env_end;

    // The heap: after the program, randomised; a loader run directly (no
    // interpreter, position independent) keeps its heap at the PIE base,
    // away from the mmap area it was put in.
    if (parameters.randomize) {
        if (state.program.header.type == uapi::kEtDyn && !interpreter) layout.start_brk = vm::kDynBase;
        layout.start_brk = layout.brk = vm::choose_heap_start(choice, layout.start_brk);
    }
    return image;
}

}  // namespace

lib::Expected<ExecImage> exec(ExecFile& program, const ExecParameters& parameters, ExecFailure* failure) {
    if (failure) failure->fatal = false;
    ExecState* state = vm::create<ExecState>();
    if (!state) return vm::error(Errno::kENOMEM, "no memory for exec");
    auto finish = [&](auto result) {
        for (size_t i = 0; i < state->opened_count; ++i) parameters.files->close(state->opened[i]);
        vm::destroy(state);
        return result;
    };
    ExecFile* interpreter = nullptr;
    lib::StringView binary_name;
    auto binary = prepare(program, parameters, *state, interpreter, binary_name);
    if (!binary) return finish(lib::Expected<ExecImage>(binary.error()));

    // Point of no return: Linux has freed the old memory by now.
    if (failure) failure->fatal = true;
    auto space = vm::AddressSpace::create(parameters.services);
    if (!space) return finish(lib::Expected<ExecImage>(space.error()));
    auto image = build(parameters, *state, **binary, interpreter, *space);
    if (!image) {
        vm::AddressSpace::destroy(*space);
        return finish(lib::Expected<ExecImage>(image.error()));
    }
    if (failure) failure->fatal = false;
    if (*binary != &program) {
        image->interpreted = true;
        size_t n = binary_name.size() < sizeof image->binary_name - 1 ? binary_name.size()
                                                                     : sizeof image->binary_name - 1;
        __builtin_memcpy(image->binary_name, binary_name.data(), n);
        image->binary_name[n] = '\0';
    }
    return finish(lib::Expected<ExecImage>(image.release_value()));
}

}  // namespace proc
