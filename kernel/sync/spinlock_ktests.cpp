// In-kernel tests of the spinlocks: interrupt state is saved and restored by
// the guard (the lock's type decides), and try_lock sees a held lock.
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/percpu.hpp"
#include "kernel/sync/spinlock.hpp"
#include "kernel/test/ktest.hpp"

namespace {

bool interrupts_enabled() {
    return (arch::read_rflags() & arch::rflags::kInterruptEnable) != 0;
}

}  // namespace

KTEST(spinlock, guard_disables_and_restores_interrupts) {
    ksync::Spinlock lock;
    const bool before = interrupts_enabled();
    {
        ksync::Guard guard(lock);
        KEXPECT(lock.is_locked());
        KEXPECT(!interrupts_enabled());
    }
    KEXPECT(!lock.is_locked());
    KEXPECT_EQ(interrupts_enabled(), before);
}

KTEST(spinlock, nested_irq_save_locks_restore_in_order) {
    // Taking an IrqSave lock with interrupts already off must not turn them
    // on when it is released.
    ksync::Spinlock outer, inner;
    const bool before = interrupts_enabled();
    {
        ksync::Guard outer_guard(outer);
        { ksync::Guard inner_guard(inner); }
        KEXPECT(!interrupts_enabled());
        KEXPECT(outer.is_locked());
        KEXPECT(!inner.is_locked());
    }
    KEXPECT_EQ(interrupts_enabled(), before);
}

KTEST(spinlock, no_irq_lock_leaves_interrupts_alone) {
    ksync::SpinlockNoIrq lock;
    const bool before = interrupts_enabled();
    {
        ksync::Guard guard(lock);
        KEXPECT_EQ(interrupts_enabled(), before);
    }
    KEXPECT_EQ(interrupts_enabled(), before);
}

KTEST(spinlock, try_lock_fails_while_held) {
    ksync::SpinlockNoIrq lock;
    ksync::SpinlockNoIrq::State state;
    KASSERT(lock.try_lock(state));
    ksync::SpinlockNoIrq::State second;
    KEXPECT(!lock.try_lock(second));
    lock.unlock(state);
    KEXPECT(lock.try_lock(second));
    lock.unlock(second);
}

KTEST(spinlock, protected_value) {
    ksync::Protected<uint64_t> counter(40u);
    counter.with([](uint64_t& value) { value += 2; });
    KEXPECT_EQ(counter.with([](uint64_t& value) { return value; }), 42u);
}

KTEST(spinlock, bounded_guard_gives_up_and_restores_interrupts) {
    ksync::Spinlock lock;
    const bool before = interrupts_enabled();
    {
        ksync::Guard holder(lock);
        ksync::BoundedGuard late(lock, 1000);  // this CPU already holds it: must not hang
        KEXPECT(!late.held());
        KEXPECT(!interrupts_enabled());  // still inside the holder's guard
    }
    KEXPECT(!lock.is_locked());
    KEXPECT_EQ(interrupts_enabled(), before);
}

KTEST(spinlock, owner_is_this_cpu_while_held) {
    ksync::Spinlock lock;
    KEXPECT_EQ(lock.owner_cpu(), -1);
    {
        ksync::Guard guard(lock);
        KEXPECT_EQ(lock.owner_cpu(), int64_t(arch::cpu_index()));
    }
    KEXPECT_EQ(lock.owner_cpu(), -1);
}

KTEST(spinlock, no_irq_lock_pins_the_holder_to_its_cpu) {
    ksync::SpinlockNoIrq lock;
    const uint32_t before = arch::preempt_count();
    {
        ksync::Guard guard(lock);
        KEXPECT_EQ(arch::preempt_count(), before + 1);
        KEXPECT(arch::cpu_is_pinned());
    }
    KEXPECT_EQ(arch::preempt_count(), before);
}
