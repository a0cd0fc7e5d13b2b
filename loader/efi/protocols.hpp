// The UEFI protocols the loader opens (UEFI 2.10): Loaded Image (§9.1),
// Device Path (§10.2-10.3), Simple File System and File (§13.4-13.5),
// Graphics Output (§12.9) and EDID Discovered/Active (§12.9.3).
#pragma once

#include "loader/efi/types.hpp"

namespace efi {

struct SystemTable;

// §9.1 EFI_LOADED_IMAGE_PROTOCOL.
inline constexpr Guid kLoadedImageProtocolGuid = {
    0x5b1b31a1, 0x9562, 0x11d2, {0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b}};

struct DevicePathProtocol;

struct LoadedImageProtocol {
    uint32_t revision;
    Handle parent_handle;
    SystemTable* system_table;
    Handle device_handle;
    DevicePathProtocol* file_path;
    void* reserved;
    uint32_t load_options_size;
    void* load_options;
    void* image_base;
    uint64_t image_size;
    uint32_t image_code_type;
    uint32_t image_data_type;
    void* unload;
};

// §10.2 EFI_DEVICE_PATH_PROTOCOL: a chain of variable-length nodes.
inline constexpr Guid kDevicePathProtocolGuid = {
    0x09576e91, 0x6d3f, 0x11d2, {0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b}};

struct DevicePathProtocol {
    uint8_t type;
    uint8_t sub_type;
    uint8_t length[2];  // of this node, little-endian, header included
};
inline constexpr uint8_t kDevicePathTypeMedia = 0x04;
inline constexpr uint8_t kDevicePathTypeEnd = 0x7f;
inline constexpr uint8_t kMediaSubTypeHardDrive = 0x01;

// §10.3.5.1 Hard Drive media device path (packed: 42 bytes).
struct __attribute__((packed)) HardDriveDevicePath {
    DevicePathProtocol header;
    uint32_t partition_number;  // 1-based
    uint64_t partition_start;
    uint64_t partition_size;
    uint8_t signature[16];     // GPT: the partition's unique GUID; MBR: disk id in the first 4 bytes
    uint8_t partition_format;  // 1 MBR, 2 GPT
    uint8_t signature_type;    // 1 MBR 32-bit id, 2 GUID
};
static_assert(sizeof(HardDriveDevicePath) == 42);

// §13.9 EFI_BLOCK_IO_PROTOCOL (read side only).
inline constexpr Guid kBlockIoProtocolGuid = {
    0x964e5b21, 0x6459, 0x11d2, {0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b}};

struct BlockIoMedia {
    uint32_t media_id;
    bool removable_media;
    bool media_present;
    bool logical_partition;
    bool read_only;
    bool write_caching;
    uint32_t block_size;
    uint32_t io_align;
    uint64_t last_block;
};

struct BlockIoProtocol {
    uint64_t revision;
    BlockIoMedia* media;
    void* reset;
    Status (*read_blocks)(BlockIoProtocol* self, uint32_t media_id, uint64_t lba, uint64_t buffer_size, void* buffer);
    void* write_blocks;
    void* flush_blocks;
};
static_assert(offsetof(BlockIoMedia, block_size) == 12);
static_assert(offsetof(BlockIoMedia, last_block) == 24);

// §13.5 EFI_FILE_PROTOCOL.
inline constexpr uint64_t kFileModeRead = 0x0000000000000001ULL;

struct FileProtocol {
    uint64_t revision;
    Status (*open)(FileProtocol* self, FileProtocol** new_handle, const Char16* file_name, uint64_t open_mode,
                   uint64_t attributes);
    Status (*close)(FileProtocol* self);
    void* delete_file;
    Status (*read)(FileProtocol* self, uint64_t* buffer_size, void* buffer);
    void* write;
    void* get_position;
    void* set_position;
    Status (*get_info)(FileProtocol* self, const Guid* information_type, uint64_t* buffer_size, void* buffer);
    void* set_info;
    void* flush;
};

// §13.5.16 EFI_FILE_INFO (followed by the NUL-terminated file name).
inline constexpr Guid kFileInfoGuid = {0x09576e92, 0x6d3f, 0x11d2, {0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b}};
inline constexpr uint64_t kFileAttributeDirectory = 0x10;

struct FileInfo {
    uint64_t size;
    uint64_t file_size;
    uint64_t physical_size;
    Time create_time;
    Time last_access_time;
    Time modification_time;
    uint64_t attribute;
    // Char16 file_name[];
};

// §13.4 EFI_SIMPLE_FILE_SYSTEM_PROTOCOL.
inline constexpr Guid kSimpleFileSystemProtocolGuid = {
    0x964e5b22, 0x6459, 0x11d2, {0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b}};

struct SimpleFileSystemProtocol {
    uint64_t revision;
    Status (*open_volume)(SimpleFileSystemProtocol* self, FileProtocol** root);
};

// §12.9 EFI_GRAPHICS_OUTPUT_PROTOCOL.
inline constexpr Guid kGraphicsOutputProtocolGuid = {
    0x9042a9de, 0x23dc, 0x4a38, {0x96, 0xfb, 0x7a, 0xde, 0xd0, 0x80, 0x51, 0x6a}};

enum GraphicsPixelFormat : uint32_t {
    kPixelRedGreenBlueReserved8BitPerColor = 0,
    kPixelBlueGreenRedReserved8BitPerColor = 1,
    kPixelBitMask = 2,
    kPixelBltOnly = 3,
};

struct PixelBitmask {
    uint32_t red_mask;
    uint32_t green_mask;
    uint32_t blue_mask;
    uint32_t reserved_mask;
};

struct GraphicsOutputModeInformation {
    uint32_t version;
    uint32_t horizontal_resolution;
    uint32_t vertical_resolution;
    GraphicsPixelFormat pixel_format;
    PixelBitmask pixel_information;
    uint32_t pixels_per_scan_line;
};

struct GraphicsOutputProtocolMode {
    uint32_t max_mode;
    uint32_t mode;
    GraphicsOutputModeInformation* info;
    uint64_t size_of_info;
    PhysicalAddress frame_buffer_base;
    uint64_t frame_buffer_size;
};

struct GraphicsOutputProtocol {
    Status (*query_mode)(GraphicsOutputProtocol* self, uint32_t mode_number, uint64_t* size_of_info,
                         GraphicsOutputModeInformation** info);
    Status (*set_mode)(GraphicsOutputProtocol* self, uint32_t mode_number);
    void* blt;
    GraphicsOutputProtocolMode* mode;
};

// §12.9.3 EDID Discovered / Active protocols (same layout).
inline constexpr Guid kEdidDiscoveredProtocolGuid = {
    0x1c0c34f6, 0xd380, 0x41fa, {0xa0, 0x49, 0x8a, 0xd0, 0x6c, 0x1a, 0x66, 0xaa}};
inline constexpr Guid kEdidActiveProtocolGuid = {
    0xbd8c1056, 0x9f36, 0x44ec, {0x92, 0xa8, 0xa6, 0x33, 0x7f, 0x81, 0x79, 0x86}};

struct EdidProtocol {
    uint32_t size_of_edid;
    uint8_t* edid;
};

// §37.5 EFI_RNG_PROTOCOL: GetInfo, then GetRNG(This, Algorithm (null: the
// default), ValueLength, Value).
inline constexpr Guid kRngProtocolGuid = {0x3152bca5, 0xeade, 0x433d, {0x86, 0x2e, 0xc0, 0x1c, 0xdc, 0x29, 0x1f, 0x44}};

struct RngProtocol {
    Status (*get_info)(RngProtocol* self, uint64_t* list_size, Guid* list);
    Status (*get_rng)(RngProtocol* self, const Guid* algorithm, uint64_t value_length, uint8_t* value);
};

static_assert(offsetof(LoadedImageProtocol, device_handle) == 24);
static_assert(offsetof(LoadedImageProtocol, image_base) == 64);
static_assert(offsetof(FileProtocol, get_info) == 64);
static_assert(offsetof(GraphicsOutputProtocolMode, frame_buffer_base) == 24);

}  // namespace efi
