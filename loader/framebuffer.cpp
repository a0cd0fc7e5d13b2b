#include "loader/framebuffer.hpp"

#include "lib/memory.hpp"
#include "loader/pixel_format.hpp"
#include "loader/uefi.hpp"

namespace loader {
namespace {

template <typename T>
void fill_layout(T& target, const efi::GraphicsOutputModeInformation& info, const PixelLayout& layout) {
    target.width = info.horizontal_resolution;
    target.height = info.vertical_resolution;
    target.pitch = uint64_t(info.pixels_per_scan_line) * (layout.bpp / 8);
    target.bpp = layout.bpp;
    target.memory_model = limine::kMemoryModelRgb;
    target.red_mask_size = layout.red_size;
    target.red_mask_shift = layout.red_shift;
    target.green_mask_size = layout.green_size;
    target.green_mask_shift = layout.green_shift;
    target.blue_mask_size = layout.blue_size;
    target.blue_mask_shift = layout.blue_shift;
}

template <typename T>
T* to_hhdm(T* pointer, uint64_t hhdm_offset) {
    return pointer ? reinterpret_cast<T*>(reinterpret_cast<uint64_t>(pointer) + hhdm_offset) : nullptr;
}

// The GOP instance to use and its handle (for EDID): the first handle that
// has GOP, as Limine takes the first GOP it finds.
efi::GraphicsOutputProtocol* find_gop(efi::Handle& handle_out) {
    efi::Handle* handles = nullptr;
    uint64_t count = 0;
    efi::BootServices* bs = uefi::boot_services();
    if (!efi::is_error(
            bs->locate_handle_buffer(efi::kByProtocol, &efi::kGraphicsOutputProtocolGuid, nullptr, &count, &handles))) {
        for (uint64_t i = 0; i < count; ++i) {
            void* gop = uefi::handle_protocol(handles[i], efi::kGraphicsOutputProtocolGuid);
            if (gop) {
                handle_out = handles[i];
                bs->free_pool(handles);
                return static_cast<efi::GraphicsOutputProtocol*>(gop);
            }
        }
        bs->free_pool(handles);
    }
    handle_out = nullptr;
    return static_cast<efi::GraphicsOutputProtocol*>(uefi::locate_protocol(efi::kGraphicsOutputProtocolGuid));
}

// The first detailed timing descriptor of the EDID (VESA E-EDID 1.4 §3.10.2:
// 18 bytes from offset 54; horizontal active pixels in byte 2 and the high
// nibble of byte 4, vertical in byte 5 and the high nibble of byte 7), which
// the standard makes the preferred timing.
bool preferred_timing(efi::Handle gop_handle, uint32_t& width, uint32_t& height) {
    const efi::Guid* guids[] = {&efi::kEdidActiveProtocolGuid, &efi::kEdidDiscoveredProtocolGuid};
    for (const efi::Guid* guid : guids) {
        auto* edid = static_cast<efi::EdidProtocol*>(uefi::handle_protocol(gop_handle, *guid));
        if (!edid || edid->size_of_edid < 128 || !edid->edid) continue;
        const uint8_t* timing = edid->edid + 54;
        width = timing[2] | uint32_t(timing[4] & 0xf0) << 4;
        height = timing[5] | uint32_t(timing[7] & 0xf0) << 4;
        return width != 0 && height != 0;
    }
    return false;
}

}  // namespace

lib::Expected<FramebufferSetup> setup_framebuffer(const ConfigResolution& wanted, uint64_t hhdm_offset) {
    FramebufferSetup setup;
    efi::Handle gop_handle = nullptr;
    efi::GraphicsOutputProtocol* gop = find_gop(gop_handle);
    if (!gop || !gop->mode) return setup;  // no graphics: the response stays absent

    // Pick as Limine does: the entry's `resolution` (bpp 32 or unspecified);
    // else the monitor's preferred timing from the EDID, if it is at least
    // the current mode's size; else the mode the firmware set (not the
    // largest: a software-drawn console pays for every pixel); else 1024x768,
    // 800x600, 640x480. Only 32-bpp modes qualify.
    uint32_t mode_count = gop->mode->max_mode;
    uint32_t usable_modes = 0;
    uint32_t current_width = gop->mode->info ? gop->mode->info->horizontal_resolution : 0;
    uint32_t current_height = gop->mode->info ? gop->mode->info->vertical_resolution : 0;
    auto find_mode = [&](uint32_t width, uint32_t height) -> int64_t {
        for (uint32_t mode = 0; mode < mode_count; ++mode) {
            efi::GraphicsOutputModeInformation* info = nullptr;
            uint64_t info_size = 0;
            if (efi::is_error(gop->query_mode(gop, mode, &info_size, &info)) || !info) continue;
            bool match = pixel_layout(*info).has_value() && info->horizontal_resolution == width &&
                         info->vertical_resolution == height;
            uefi::boot_services()->free_pool(info);
            if (match) return mode;
        }
        return -1;
    };
    for (uint32_t mode = 0; mode < mode_count; ++mode) {
        efi::GraphicsOutputModeInformation* info = nullptr;
        uint64_t info_size = 0;
        if (efi::is_error(gop->query_mode(gop, mode, &info_size, &info)) || !info) continue;
        if (pixel_layout(*info)) ++usable_modes;
        uefi::boot_services()->free_pool(info);
    }
    int64_t chosen = -1;
    if (wanted.width != 0 && (wanted.bpp == 0 || wanted.bpp == 32)) chosen = find_mode(wanted.width, wanted.height);
    if (chosen < 0 && gop_handle) {
        uint32_t edid_width = 0, edid_height = 0;
        if (preferred_timing(gop_handle, edid_width, edid_height) && edid_width >= current_width &&
            edid_height >= current_height)
            chosen = find_mode(edid_width, edid_height);
    }
    if (chosen < 0 && gop->mode->info && pixel_layout(*gop->mode->info)) chosen = gop->mode->mode;
    const uint32_t fallbacks[][2] = {{1024, 768}, {800, 600}, {640, 480}};
    for (const auto& fallback : fallbacks)
        if (chosen < 0) chosen = find_mode(fallback[0], fallback[1]);

    if (chosen < 0) return setup;  // no 32-bpp mode at all
    if (static_cast<uint32_t>(chosen) != gop->mode->mode &&
        efi::is_error(gop->set_mode(gop, static_cast<uint32_t>(chosen)))) {
        // Setting failed: keep the current mode if it is usable.
        if (!gop->mode->info || !pixel_layout(*gop->mode->info)) return setup;
    }

    const efi::GraphicsOutputModeInformation& current = *gop->mode->info;
    auto usable = pixel_layout(current);
    if (!usable) return setup;
    const PixelLayout layout = *usable;

    auto* response = TRY(uefi::allocate_object<limine::FramebufferResponse>("no memory for the framebuffer response"));
    auto* framebuffer = TRY(uefi::allocate_object<limine::Framebuffer>("no memory for the framebuffer response"));
    auto** list = TRY(uefi::allocate_object<limine::Framebuffer*>("no memory for the framebuffer response"));
    fill_layout(*framebuffer, current, layout);
    framebuffer->address = reinterpret_cast<void*>(gop->mode->frame_buffer_base + hhdm_offset);

    // EDID: the active one (what the display runs) first, else the discovered.
    if (gop_handle) {
        auto* edid = static_cast<efi::EdidProtocol*>(uefi::handle_protocol(gop_handle, efi::kEdidActiveProtocolGuid));
        if (!edid || edid->size_of_edid == 0 || !edid->edid)
            edid = static_cast<efi::EdidProtocol*>(uefi::handle_protocol(gop_handle, efi::kEdidDiscoveredProtocolGuid));
        if (edid && edid->size_of_edid != 0 && edid->edid) {
            auto* copy = TRY(uefi::allocate_object<uint8_t>("no memory for the EDID copy", edid->size_of_edid));
            lib::copy_bytes(copy, edid->edid, edid->size_of_edid);
            framebuffer->edid_size = edid->size_of_edid;
            framebuffer->edid = to_hhdm(copy, hhdm_offset);
        }
    }

    // Revision 1: every 32-bpp mode the GOP offers.
    auto** modes = TRY(uefi::allocate_object<limine::VideoMode*>("no memory for the video mode list", usable_modes));
    uint64_t listed = 0;
    for (uint32_t mode = 0; mode < mode_count && listed < usable_modes; ++mode) {
        efi::GraphicsOutputModeInformation* info = nullptr;
        uint64_t info_size = 0;
        if (efi::is_error(gop->query_mode(gop, mode, &info_size, &info)) || !info) continue;
        if (auto mode_layout = pixel_layout(*info)) {
            auto* video_mode = TRY(uefi::allocate_object<limine::VideoMode>("no memory for the video mode list"));
            fill_layout(*video_mode, *info, *mode_layout);
            modes[listed++] = to_hhdm(video_mode, hhdm_offset);
        }
        uefi::boot_services()->free_pool(info);
    }
    framebuffer->mode_count = listed;
    framebuffer->modes = to_hhdm(modes, hhdm_offset);

    list[0] = to_hhdm(framebuffer, hhdm_offset);
    response->revision = 1;
    response->framebuffer_count = 1;
    response->framebuffers = to_hhdm(list, hhdm_offset);

    setup.response = response;
    setup.physical_base = gop->mode->frame_buffer_base;
    // What the mode uses (pitch x height), as Limine reports it in the map.
    setup.size = framebuffer->pitch * framebuffer->height;
    return setup;
}

}  // namespace loader
