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

}  // namespace

lib::Expected<FramebufferSetup> setup_framebuffer(const ConfigResolution& wanted, uint64_t hhdm_offset) {
    FramebufferSetup setup;
    efi::Handle gop_handle = nullptr;
    efi::GraphicsOutputProtocol* gop = find_gop(gop_handle);
    if (!gop || !gop->mode) return setup;  // no graphics: the response stays absent

    // Pick: an exact match for `resolution` (bpp 32 or unspecified), else the
    // mode with the most pixels.
    uint32_t mode_count = gop->mode->max_mode;
    int64_t exact = -1, largest = -1;
    uint64_t largest_pixels = 0;
    uint32_t usable_modes = 0;
    for (uint32_t mode = 0; mode < mode_count; ++mode) {
        efi::GraphicsOutputModeInformation* info = nullptr;
        uint64_t info_size = 0;
        if (efi::is_error(gop->query_mode(gop, mode, &info_size, &info)) || !info) continue;
        PixelLayout layout;
        if (pixel_layout(*info, layout)) {
            ++usable_modes;
            uint64_t pixels = uint64_t(info->horizontal_resolution) * info->vertical_resolution;
            if (largest < 0 || pixels > largest_pixels) {
                largest = mode;
                largest_pixels = pixels;
            }
            if (exact < 0 && wanted.width != 0 && info->horizontal_resolution == wanted.width &&
                info->vertical_resolution == wanted.height && (wanted.bpp == 0 || wanted.bpp == 32))
                exact = mode;
        }
        uefi::boot_services()->free_pool(info);
    }
    int64_t chosen = exact >= 0 ? exact : largest;
    if (chosen < 0) return setup;  // no 32-bpp mode at all
    if (static_cast<uint32_t>(chosen) != gop->mode->mode &&
        efi::is_error(gop->set_mode(gop, static_cast<uint32_t>(chosen)))) {
        // Setting failed: keep the current mode if it is usable.
        PixelLayout layout;
        if (!gop->mode->info || !pixel_layout(*gop->mode->info, layout)) return setup;
    }

    const efi::GraphicsOutputModeInformation& current = *gop->mode->info;
    PixelLayout layout;
    if (!pixel_layout(current, layout)) return setup;

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
        PixelLayout mode_layout;
        if (pixel_layout(*info, mode_layout)) {
            auto* video_mode = TRY(uefi::allocate_object<limine::VideoMode>("no memory for the video mode list"));
            fill_layout(*video_mode, *info, mode_layout);
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
