// Sending IPIs; see ipi.hpp.
#include "kernel/arch/x86_64/ipi.hpp"

#include "kernel/arch/x86_64/cpu.hpp"
#include "kernel/arch/x86_64/interrupt_controllers.hpp"

namespace arch::ipi {
namespace {

// The xAPIC's ICR is two registers written in turn: an interrupt handler
// that sent an IPI between the two writes would change the destination.
void send_command(const apic::IpiCommand& command) {
    bool were_enabled = interrupts_enabled();
    cli();
    local_apic_send(command);
    if (were_enabled) sti();
}

}  // namespace

void send(uint32_t apic_id, uint8_t vector) {
    apic::IpiCommand command;
    command.vector = vector;
    command.destination = apic_id;
    send_command(command);
}

void send_nmi(uint32_t apic_id) {
    apic::IpiCommand command;
    command.mode = apic::DeliveryMode::kNmi;  // the vector is ignored (SDM §11.6.1)
    command.destination = apic_id;
    send_command(command);
}

}  // namespace arch::ipi
