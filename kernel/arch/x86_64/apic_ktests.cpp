// In-kernel tests of the 8259 set-up and the local APIC (suite "apic"): a
// self-IPI is delivered, is in service while handled and leaves service on
// EOI; the spurious vector needs no EOI; the PICs stay masked.
#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/interrupt_controllers.hpp"
#include "kernel/arch/x86_64/interrupts.hpp"
#include "kernel/arch/x86_64/io.hpp"
#include "kernel/test/ktest.hpp"
#include "lib/x86_64/pic.hpp"

namespace {

using namespace arch;

constexpr uint8_t kTestVector = 0x42;

volatile uint32_t g_deliveries = 0;
volatile bool g_was_in_service = false;

void on_test_vector(InterruptFrame&) {
    g_was_in_service = local_apic_in_service(kTestVector);
    g_deliveries = g_deliveries + 1;
    local_apic_eoi();
}

// Opens an interrupt window until `count` deliveries were seen or the
// budget runs out; interrupts are off again afterwards.
bool wait_for_deliveries(uint32_t count) {
    sti();
    for (uint32_t spin = 0; spin < 10'000'000 && g_deliveries < count; ++spin) pause();
    cli();
    return g_deliveries >= count;
}

}  // namespace

// The APIC's own ID register names the CPU that CPUID says runs this code.
KTEST(apic, local_apic_is_up_with_this_cpus_id) {
    KASSERT(local_apic_mode() != ApicMode::kNone);
    KEXPECT_EQ(local_apic_id(), x86_64::initial_apic_id());
    uint64_t base = rdmsr(msr::kApicBase);
    KEXPECT_NE(base & apic::kBaseGlobalEnable, 0u);
    KEXPECT_NE(base & apic::kBaseBsp, 0u);
    KEXPECT_EQ(local_apic_mode() == ApicMode::kX2apic, (base & apic::kBaseX2apicEnable) != 0);
}

KTEST(apic, self_ipi_is_delivered_and_eoi_ends_it) {
    g_deliveries = 0;
    g_was_in_service = false;
    KASSERT(set_interrupt_handler(kTestVector, on_test_vector));
    local_apic_send(apic::self_ipi(kTestVector));
    bool delivered = wait_for_deliveries(1);
    local_apic_send(apic::self_ipi(kTestVector));
    bool delivered_again = wait_for_deliveries(2);  // only possible if the first EOI retired it
    KEXPECT(set_interrupt_handler(kTestVector, nullptr));
    KEXPECT(delivered);
    KEXPECT(delivered_again);
    KEXPECT(g_was_in_service);
    KEXPECT(!local_apic_in_service(kTestVector));
}

KTEST(apic, spurious_vector_is_dropped_without_eoi) {
    uint64_t before = spurious_interrupt_count();
    asm volatile("int $0xff" ::: "memory");
    KEXPECT_EQ(spurious_interrupt_count(), before + 1);
}

KTEST(apic, legacy_pics_are_masked) {
    KEXPECT_EQ(inb(x86_64::pic::kMasterData), 0xffu);
    KEXPECT_EQ(inb(x86_64::pic::kSlaveData), 0xffu);
}
