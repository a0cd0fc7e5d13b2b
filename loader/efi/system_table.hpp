// EFI_SYSTEM_TABLE, EFI_BOOT_SERVICES, EFI_RUNTIME_SERVICES and the simple
// text protocols (UEFI 2.10 §4.3-4.5, §12.3-12.4). Entries the loader never
// calls are typed `void*`, but every slot is present so the offsets match.
#pragma once

#include "loader/efi/types.hpp"

namespace efi {

// §12.3 EFI_SIMPLE_TEXT_INPUT_PROTOCOL.
struct InputKey {
    uint16_t scan_code;  // §12.3 Table "EFI Scan Codes": 1 up, 2 down, 0x17 escape
    Char16 unicode_char;
};
inline constexpr uint16_t kScanUp = 0x01;
inline constexpr uint16_t kScanDown = 0x02;

struct SimpleTextInputProtocol {
    Status (*reset)(SimpleTextInputProtocol* self, bool extended_verification);
    Status (*read_key_stroke)(SimpleTextInputProtocol* self, InputKey* key);
    Event wait_for_key;
};

// §12.4 EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL.
struct SimpleTextOutputProtocol {
    Status (*reset)(SimpleTextOutputProtocol* self, bool extended_verification);
    Status (*output_string)(SimpleTextOutputProtocol* self, const Char16* string);
    void* test_string;
    void* query_mode;
    void* set_mode;
    void* set_attribute;
    Status (*clear_screen)(SimpleTextOutputProtocol* self);
    void* set_cursor_position;
    void* enable_cursor;
    void* mode;
};

// §7.2 EFI_ALLOCATE_TYPE.
enum AllocateType : uint32_t { kAllocateAnyPages = 0, kAllocateMaxAddress = 1, kAllocateAddress = 2 };

// §7.2 EFI_MEMORY_DESCRIPTOR is loader::EfiMemoryDescriptor (loader/core/memmap.hpp).

// §7.3.15 EFI_LOCATE_SEARCH_TYPE.
enum LocateSearchType : uint32_t { kAllHandles = 0, kByRegisterNotify = 1, kByProtocol = 2 };

// §4.4 EFI_BOOT_SERVICES.
struct BootServices {
    TableHeader header;
    void* raise_tpl;
    void* restore_tpl;
    Status (*allocate_pages)(AllocateType type, uint32_t memory_type, uint64_t pages, PhysicalAddress* memory);
    Status (*free_pages)(PhysicalAddress memory, uint64_t pages);
    Status (*get_memory_map)(uint64_t* map_size, void* map, uint64_t* map_key, uint64_t* descriptor_size,
                             uint32_t* descriptor_version);
    Status (*allocate_pool)(uint32_t pool_type, uint64_t size, void** buffer);
    Status (*free_pool)(void* buffer);
    void* create_event;
    void* set_timer;
    void* wait_for_event;
    void* signal_event;
    void* close_event;
    void* check_event;
    void* install_protocol_interface;
    void* reinstall_protocol_interface;
    void* uninstall_protocol_interface;
    Status (*handle_protocol)(Handle handle, const Guid* protocol, void** interface);
    void* reserved;
    void* register_protocol_notify;
    void* locate_handle;
    Status (*locate_device_path)(const Guid* protocol, void** device_path, Handle* device);
    void* install_configuration_table;
    void* load_image;
    void* start_image;
    void* exit;
    void* unload_image;
    Status (*exit_boot_services)(Handle image_handle, uint64_t map_key);
    void* get_next_monotonic_count;
    Status (*stall)(uint64_t microseconds);
    Status (*set_watchdog_timer)(uint64_t timeout_seconds, uint64_t watchdog_code, uint64_t data_size,
                                 const Char16* data);
    void* connect_controller;
    void* disconnect_controller;
    void* open_protocol;
    void* close_protocol;
    void* open_protocol_information;
    void* protocols_per_handle;
    Status (*locate_handle_buffer)(LocateSearchType search_type, const Guid* protocol, void* search_key,
                                   uint64_t* handle_count, Handle** buffer);
    Status (*locate_protocol)(const Guid* protocol, void* registration, void** interface);
    void* install_multiple_protocol_interfaces;
    void* uninstall_multiple_protocol_interfaces;
    void* calculate_crc32;
    void* copy_mem;
    void* set_mem;
    void* create_event_ex;
};

// §4.5 EFI_RUNTIME_SERVICES (only GetTime is called).
struct TimeCapabilities {
    uint32_t resolution;
    uint32_t accuracy;
    bool sets_to_zero;
};

struct RuntimeServices {
    TableHeader header;
    Status (*get_time)(Time* time, TimeCapabilities* capabilities);
    void* set_time;
    void* get_wakeup_time;
    void* set_wakeup_time;
    void* set_virtual_address_map;
    void* convert_pointer;
    void* get_variable;
    void* get_next_variable_name;
    void* set_variable;
    void* get_next_high_monotonic_count;
    void* reset_system;
};

// §4.6 EFI_CONFIGURATION_TABLE.
struct ConfigurationTable {
    Guid vendor_guid;
    void* vendor_table;
};

// §4.3 EFI_SYSTEM_TABLE.
struct SystemTable {
    TableHeader header;
    Char16* firmware_vendor;
    uint32_t firmware_revision;
    Handle console_in_handle;
    SimpleTextInputProtocol* con_in;
    Handle console_out_handle;
    SimpleTextOutputProtocol* con_out;
    Handle standard_error_handle;
    SimpleTextOutputProtocol* std_err;
    RuntimeServices* runtime_services;
    BootServices* boot_services;
    uint64_t number_of_table_entries;
    ConfigurationTable* configuration_table;
};

static_assert(offsetof(BootServices, allocate_pages) == 40);
static_assert(offsetof(BootServices, handle_protocol) == 152);
static_assert(offsetof(BootServices, exit_boot_services) == 232);
static_assert(offsetof(BootServices, locate_protocol) == 320);
static_assert(offsetof(SystemTable, boot_services) == 96);
static_assert(offsetof(SystemTable, configuration_table) == 112);

// §4.6 configuration table GUIDs.
inline constexpr Guid kAcpi20TableGuid = {0x8868e871, 0xe4f1, 0x11d3, {0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81}};
inline constexpr Guid kAcpi10TableGuid = {0xeb9d2d30, 0x2d88, 0x11d3, {0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d}};
inline constexpr Guid kSmbiosTableGuid = {0xeb9d2d31, 0x2d88, 0x11d3, {0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d}};
inline constexpr Guid kSmbios3TableGuid = {
    0xf2fd1544, 0x9794, 0x4a2c, {0x99, 0x2e, 0xe5, 0xbb, 0xcf, 0x20, 0xe3, 0x94}};

}  // namespace efi
