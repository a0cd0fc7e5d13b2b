// The Itanium C++ ABI support the compiler calls into (Itanium C++ ABI §3.3
// "Construction and Destruction APIs"; §2.5.3 for the pure virtual hook).
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/debug/panic.hpp"

extern "C" {

// A call through a pure virtual slot: an object used during its own
// construction or destruction, or a corrupt vtable.
[[noreturn]] void __cxa_pure_virtual() { PANIC("pure virtual function called"); }

// Destructors of statics are registered here; the kernel never exits, so
// there is nothing to record (and nothing to allocate).
int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }
void* __dso_handle = &__dso_handle;

// Guards for function-local statics (§3.3.2). The guard is 64 bits; the ABI
// fixes only byte 0 (non-zero = initialized, which the compiler's inline
// fast path tests). We use byte 1 as a spin lock so that two CPUs racing to
// the first use run the initializer exactly once.
//
// Returns 1 if the caller must run the initializer (then call release or
// abort), 0 if it is already done.
int __cxa_guard_acquire(uint64_t* guard) {
    auto* bytes = reinterpret_cast<uint8_t*>(guard);
    for (;;) {
        if (__atomic_load_n(&bytes[0], __ATOMIC_ACQUIRE) != 0) return 0;
        uint8_t unlocked = 0;
        if (__atomic_compare_exchange_n(&bytes[1], &unlocked, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            if (__atomic_load_n(&bytes[0], __ATOMIC_ACQUIRE) != 0) {
                __atomic_store_n(&bytes[1], 0, __ATOMIC_RELEASE);
                return 0;
            }
            return 1;
        }
        // Another CPU is initializing (or this one re-entered the same
        // initializer, which would deadlock: a bug in any runtime).
        while (__atomic_load_n(&bytes[1], __ATOMIC_RELAXED) != 0) arch::pause();
    }
}

void __cxa_guard_release(uint64_t* guard) {
    auto* bytes = reinterpret_cast<uint8_t*>(guard);
    __atomic_store_n(&bytes[0], 1, __ATOMIC_RELEASE);
    __atomic_store_n(&bytes[1], 0, __ATOMIC_RELEASE);
}

// The initializer did not complete (only with exceptions, which the kernel
// does not have; kept for the ABI): unlock so a later use retries.
void __cxa_guard_abort(uint64_t* guard) {
    auto* bytes = reinterpret_cast<uint8_t*>(guard);
    __atomic_store_n(&bytes[1], 0, __ATOMIC_RELEASE);
}

}  // extern "C"
