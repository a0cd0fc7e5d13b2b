// The user FPU image for signal frames (user_fpu.hpp).
#include "kernel/proc/user_fpu.hpp"

#include "lib/x86_64/instructions.hpp"
#include "lib/x86_64/registers.hpp"

namespace proc {
namespace {

// FXSAVE layout (SDM Vol. 1 Table 10-2): FCW at 0, FSW at 2, MXCSR at 24,
// MXCSR_MASK at 28.
constexpr size_t kFcwOffset = 0;
constexpr size_t kFswOffset = 2;
constexpr size_t kMxcsrOffset = 24;
constexpr size_t kMxcsrMaskOffset = 28;
constexpr size_t kLegacySize = 512;
constexpr size_t kXsaveHeaderSize = 64;

UserFpuFormat g_format;
bool g_known = false;

uint64_t xgetbv0() {
    uint32_t low, high;
    asm volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return (uint64_t(high) << 32) | low;
}

alignas(64) uint8_t g_initial[kLegacySize + kXsaveHeaderSize];

}  // namespace

const UserFpuFormat& user_fpu_format() {
    if (__atomic_load_n(&g_known, __ATOMIC_ACQUIRE)) return g_format;
    UserFpuFormat format;
    format.xsave = (x86_64::read_cr4() & x86_64::cr4::kOsXsave) != 0;
    if (format.xsave) {
        format.features = xgetbv0();
        // EBX: the size the components XCR0 enables need (SDM Vol. 1 §13.2).
        format.size = x86_64::cpuid(0xd, 0).ebx;
    }
    alignas(16) uint8_t probe[kLegacySize] = {};
    asm volatile("fxsave64 %0" : "=m"(probe));
    __builtin_memcpy(&format.mxcsr_mask, probe + kMxcsrMaskOffset, sizeof format.mxcsr_mask);
    // Racing first users compute the same values.
    g_format = format;
    uint16_t fcw = 0x37f;
    uint32_t mxcsr = 0x1f80;
    __builtin_memcpy(g_initial + kFcwOffset, &fcw, sizeof fcw);
    __builtin_memcpy(g_initial + kMxcsrOffset, &mxcsr, sizeof mxcsr);
    __atomic_store_n(&g_known, true, __ATOMIC_RELEASE);
    return g_format;
}

void save_user_fpu(uint8_t* area) {
    const UserFpuFormat& format = user_fpu_format();
    if (format.xsave) {
        __builtin_memset(area + kLegacySize, 0, kXsaveHeaderSize);  // XSAVE keeps the header's reserved bytes
        asm volatile("xsave64 (%0)" ::"r"(area), "a"(uint32_t(format.features)), "d"(uint32_t(format.features >> 32))
                     : "memory");
    } else {
        asm volatile("fxsave64 (%0)" ::"r"(area) : "memory");
    }
}

void load_user_fpu(const uint8_t* area) {
    const UserFpuFormat& format = user_fpu_format();
    if (format.xsave)
        asm volatile("xrstor64 (%0)" ::"r"(area), "a"(uint32_t(format.features)), "d"(uint32_t(format.features >> 32))
                     : "memory");
    else
        asm volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}

void reset_user_fpu() {
    const UserFpuFormat& format = user_fpu_format();
    // XSTATE_BV 0 in the header: every component to its initial state,
    // except MXCSR, which XRSTOR loads from the image (SDM Vol. 1 §13.8.1).
    if (format.xsave)
        asm volatile("xrstor64 (%0)" ::"r"(g_initial), "a"(uint32_t(format.features)),
                     "d"(uint32_t(format.features >> 32))
                     : "memory");
    else
        asm volatile("fxrstor64 (%0)" ::"r"(g_initial) : "memory");
}

FpuExceptionState fpu_exception_state() {
    alignas(16) uint8_t image[kLegacySize];
    asm volatile("fxsave64 %0" : "=m"(image));
    FpuExceptionState state;
    __builtin_memcpy(&state.x87_control, image + kFcwOffset, 2);
    __builtin_memcpy(&state.x87_status, image + kFswOffset, 2);
    __builtin_memcpy(&state.mxcsr, image + kMxcsrOffset, 4);
    return state;
}

}  // namespace proc
