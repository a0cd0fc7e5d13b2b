// Limine modules as files for exec (module_file.hpp).
#include "kernel/proc/module_file.hpp"

#include "kernel/mm/mm.hpp"
#include "kernel/proc/process.hpp"
#include "kernel/vm/allocation.hpp"
#include "kernel/vm/errors.hpp"

namespace proc {
namespace {

constexpr uint64_t kPage = 4096;

ksync::Spinlock g_files_lock;
ModuleFile* g_files[boot::kMaxModules] = {};

}  // namespace

ModuleFile::ModuleFile(const boot::Module& module) : module_(module) {
    pages_ = (module.size + kPage - 1) / kPage;
    cache_ = static_cast<uint64_t*>(mm::kcalloc(pages_ ? pages_ : 1, sizeof(uint64_t)));
}

ModuleFile::~ModuleFile() {
    for (uint64_t i = 0; cache_ && i < pages_; ++i)
        if (cache_[i]) mm::frames().release(cache_[i]);
    mm::kfree(cache_);
}

lib::Expected<size_t> ModuleFile::read(uint64_t offset, void* buffer, size_t size) {
    if (offset >= module_.size) return size_t(0);
    size_t n = size < module_.size - offset ? size : module_.size - offset;
    __builtin_memcpy(buffer, module_.address + offset, n);
    return n;
}

vm::FileMapping ModuleFile::mapping() {
    return vm::FileMapping{this, true, false, false, false};
}

lib::Expected<uint64_t> ModuleFile::acquire_page(uint64_t index, bool) {
    if (index >= pages_ || !cache_) return vm::error(lib::Errno::kENXIO, "past the end of the module");
    ksync::Guard guard(lock_);
    if (!cache_[index]) {
        uint64_t frame = TRY(mm::frames().allocate(mm::Zeroing::kYes, mm::FrameOwner::kPageCache));
        uint64_t n = module_.size - index * kPage < kPage ? module_.size - index * kPage : kPage;
        __builtin_memcpy(mm::frames().window().at<uint8_t>(frame), module_.address + index * kPage, n);
        cache_[index] = frame;
    }
    mm::frames().share(cache_[index]);  // the caller's reference
    return cache_[index];
}

void ModuleFile::ref() {
    __atomic_add_fetch(&references_, 1, __ATOMIC_RELAXED);
}

void ModuleFile::unref() {
    __atomic_sub_fetch(&references_, 1, __ATOMIC_RELAXED);
}

const boot::Module* find_module(lib::StringView path) {
    const boot::BootInfo& info = boot::info();
    for (size_t i = 0; i < info.module_count; ++i)
        if (lib::StringView(info.modules[i].path) == path) return &info.modules[i];
    return nullptr;
}

ModuleFile* module_file(const boot::Module& module) {
    const boot::BootInfo& info = boot::info();
    size_t index = size_t(&module - &info.modules[0]);
    if (index >= info.module_count) return nullptr;
    ksync::Guard guard(g_files_lock);
    if (!g_files[index]) g_files[index] = vm::create<ModuleFile>(module);
    return g_files[index];
}

lib::Expected<ExecFile*> ModuleFiles::open(lib::StringView path) {
    // /proc/self/exe: the calling process's own program (busybox re-executes
    // itself this way); a module has no file in the VFS for /proc's link.
    if (path == lib::StringView("/proc/self/exe")) {
        Process* self = current_process();
        if (!self) return vm::error(lib::Errno::kENOENT, "no process");
        path = lib::StringView(self->exe);
    }
    const boot::Module* module = find_module(path);
    if (!module) return vm::error(lib::Errno::kENOENT, "no module with that path");
    ModuleFile* file = module_file(*module);
    if (!file) return vm::error(lib::Errno::kENOMEM, "no memory for a module file");
    return static_cast<ExecFile*>(file);
}

void ModuleFiles::close(ExecFile*) {}

}  // namespace proc
