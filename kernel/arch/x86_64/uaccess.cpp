// uaccess.hpp's C++ side: range checks around the copies of uaccess.S,
// the exception table and the CR4 protections.
#include "kernel/arch/x86_64/uaccess.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "lib/x86_64/cpuid.hpp"

extern "C" {
size_t arch_copy_user(void* destination, const void* source, size_t size);
int64_t arch_strncpy_from_user(char* destination, const char* source, size_t capacity);
size_t arch_clear_user(void* destination, size_t size);
bool arch_load_user_u32(const uint32_t* source, uint32_t* out);
bool arch_load_user_u64(const uint64_t* source, uint64_t* out);
bool arch_store_user_u32(uint32_t* destination, uint32_t value);
bool arch_store_user_u64(uint64_t* destination, uint64_t value);
bool arch_cmpxchg_user_u32(uint32_t* word, uint32_t expected, uint32_t desired, uint32_t* actual);

// Read by uaccess.S and the entry stubs: STAC/CLAC exist and SMAP is on.
uint8_t arch_smap_active = 0;

// Bounds of the exception table (kernel/linker.ld).
struct ExceptionTableEntry {
    uint64_t instruction;
    uint64_t fixup;
};
extern const ExceptionTableEntry __ex_table_start[];
extern const ExceptionTableEntry __ex_table_end[];
}

namespace arch {
namespace {

bool g_smep = false;
bool g_umip = false;

template <typename T>
T* user_pointer(uint64_t address) {
    return reinterpret_cast<T*>(address);
}

}  // namespace

size_t copy_from_user(void* destination, uint64_t user_source, size_t size) {
    if (size == 0) return 0;
    if (!user_range_ok(user_source, size)) return size;
    return arch_copy_user(destination, user_pointer<const void>(user_source), size);
}

size_t copy_to_user(uint64_t user_destination, const void* source, size_t size) {
    if (size == 0) return 0;
    if (!user_range_ok(user_destination, size)) return size;
    return arch_copy_user(user_pointer<void>(user_destination), source, size);
}

size_t clear_user(uint64_t user_destination, size_t size) {
    if (size == 0) return 0;
    if (!user_range_ok(user_destination, size)) return size;
    return arch_clear_user(user_pointer<void>(user_destination), size);
}

int64_t strncpy_from_user(char* destination, uint64_t user_source, size_t capacity) {
    if (capacity == 0) return 0;
    // Only the part below the top of user space may be read: a string
    // running into the kernel half faults at the boundary, as Linux's does.
    if (user_source >= kUserTop) return -1;
    size_t readable = kUserTop - user_source;
    size_t limit = capacity < readable ? capacity : readable;
    int64_t length = arch_strncpy_from_user(destination, user_pointer<const char>(user_source), limit);
    if (length < 0) return -1;
    if (size_t(length) == limit && limit < capacity) return -1;  // ran into the kernel half without a NUL
    return length;
}

bool load_user_u32(uint64_t user_address, uint32_t& value) {
    if (!user_range_ok(user_address, 4) || (user_address & 3)) return false;
    return arch_load_user_u32(user_pointer<const uint32_t>(user_address), &value);
}
bool load_user_u64(uint64_t user_address, uint64_t& value) {
    if (!user_range_ok(user_address, 8) || (user_address & 7)) return false;
    return arch_load_user_u64(user_pointer<const uint64_t>(user_address), &value);
}
bool cmpxchg_user_u32(uint64_t user_address, uint32_t expected, uint32_t desired, uint32_t& actual) {
    if (!user_range_ok(user_address, 4) || (user_address & 3)) return false;
    return arch_cmpxchg_user_u32(user_pointer<uint32_t>(user_address), expected, desired, &actual);
}
bool store_user_u32(uint64_t user_address, uint32_t value) {
    if (!user_range_ok(user_address, 4) || (user_address & 3)) return false;
    return arch_store_user_u32(user_pointer<uint32_t>(user_address), value);
}
bool store_user_u64(uint64_t user_address, uint64_t value) {
    if (!user_range_ok(user_address, 8) || (user_address & 7)) return false;
    return arch_store_user_u64(user_pointer<uint64_t>(user_address), value);
}

uint64_t exception_fixup(uint64_t rip) {
    for (const ExceptionTableEntry* entry = __ex_table_start; entry != __ex_table_end; ++entry)
        if (entry->instruction == rip) return entry->fixup;
    return 0;
}

void enable_user_protections() {
    uint64_t cr4 = read_cr4();
    if (x86_64::has(x86_64::feature::kSmep)) cr4 |= cr4::kSmep;
    if (x86_64::has(x86_64::feature::kSmap)) cr4 |= cr4::kSmap;
    if (x86_64::has(x86_64::feature::kUmip)) cr4 |= cr4::kUserModeInstructionPrevention;
    write_cr4(cr4);
    // Every CPU of a machine has the same features; the flags say what the
    // boot CPU turned on.
    g_smep = (cr4 & cr4::kSmep) != 0;
    g_umip = (cr4 & cr4::kUserModeInstructionPrevention) != 0;
    __atomic_store_n(&arch_smap_active, (cr4 & cr4::kSmap) ? 1 : 0, __ATOMIC_RELEASE);
}

bool smap_active() {
    return arch_smap_active != 0;
}
bool smep_active() {
    return g_smep;
}
bool umip_active() {
    return g_umip;
}

}  // namespace arch
