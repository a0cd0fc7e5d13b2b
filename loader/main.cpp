// Placeholder entry point until the loader is written.
#include <stdint.h>
extern "C" uint64_t efi_main(void*, void*) { return 0; }
