// A kernel in the style of the official Limine templates: it asks for base
// revision 6 and a framebuffer, halts if the loader does not confirm the
// revision or gives no framebuffer, and draws. Booted by the scenario
// template_kernel_draws through our loader (and Limine 12.5.2) from a
// limine.conf that names it with `path:`; the scenario checks the pixels.
//
// Unlike the templates it also says on COM1 what it drew, so the scenario
// knows when to look.
#include <stddef.h>
#include <stdint.h>

#include "protocol/limine.hpp"

namespace {

#define SECTION(name) __attribute__((used, section(name)))
#define ID(name) \
    { limine::id::name.words[0], limine::id::name.words[1], limine::id::name.words[2], limine::id::name.words[3] }

SECTION(".limine_requests_start")
volatile uint64_t start_marker[4] = {limine::kRequestsStartMarker[0], limine::kRequestsStartMarker[1],
                                     limine::kRequestsStartMarker[2], limine::kRequestsStartMarker[3]};
SECTION(".limine_requests")
volatile uint64_t base_revision[3] = {limine::kBaseRevisionMagic0, limine::kBaseRevisionMagic1, 6};
SECTION(".limine_requests") volatile limine::FramebufferRequest framebuffer = {ID(kFramebuffer), 0, nullptr};
SECTION(".limine_requests_end")
volatile uint64_t end_marker[2] = {limine::kRequestsEndMarker[0], limine::kRequestsEndMarker[1]};

[[noreturn]] void halt() {
    for (;;) asm volatile("cli; hlt");
}

inline void outb(uint16_t port, uint8_t value) {
    asm volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}
inline uint8_t inb(uint16_t port) {
    uint8_t value;
    asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
void put(const char* text) {
    for (; *text; ++text) {
        while ((inb(0x3fd) & 0x20) == 0) {
        }
        outb(0x3f8, static_cast<uint8_t>(*text));
    }
}

}  // namespace

extern "C" [[noreturn]] void template_main() {
    if (base_revision[2] != 0) halt();  // revision 6 not confirmed
    limine::FramebufferResponse* response = framebuffer.response;
    if (response == nullptr || response->framebuffer_count < 1) halt();
    limine::Framebuffer* fb = response->framebuffers[0];
    if (fb->bpp != 32) halt();
    auto* pixels = static_cast<volatile uint32_t*>(fb->address);
    uint64_t stride = fb->pitch / 4;
    // The templates' white diagonal, then an orange square the scenario
    // finds by its colour (red, green, blue placed by the framebuffer's masks).
    for (uint64_t i = 0; i < 100; ++i) pixels[i * stride + i] = 0xffffffff;
    uint32_t orange = (0xffu << fb->red_mask_shift) | (0x80u << fb->green_mask_shift) | (0x20u << fb->blue_mask_shift);
    for (uint64_t y = 200; y < 300; ++y)
        for (uint64_t x = 300; x < 400; ++x) pixels[y * stride + x] = orange;
    put("template: drew a diagonal and a square at 300,200\n");
    halt();
}

asm(".globl template_entry\n"
    "template_entry:\n"
    "    andq $-16, %rsp\n"
    "    call template_main\n");
