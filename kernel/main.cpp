// Temporary kernel_main while the consoles and runtime are being written.
#include "arch/x86_64/cpu.hpp"
#include "arch/x86_64/io.hpp"
#include "arch/x86_64/qemu_exit.hpp"
#include "boot/boot_info.hpp"

namespace {
void early_puts(const char* s) {
    for (; *s; ++s) {
        while (!(arch::inb(0x3f8 + 5) & 0x20)) {}
        arch::outb(0x3f8, uint8_t(*s));
    }
}
}  // namespace

extern "C" [[noreturn]] void kernel_main() {
    early_puts("kernel: ready\n");
    arch::qemu_exit(arch::QemuExitCode::kPass);
    arch::halt_forever();
}
