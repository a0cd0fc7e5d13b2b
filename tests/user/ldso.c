/* A dynamically linked program (built without -static, glibc only: build/
 * user/dynamic/): what the kernel gives the dynamic loader named by
 * PT_INTERP (/lib64/ld-linux-x86-64.so.2) and what the loader then builds
 * with mmap, mprotect and pread: the auxiliary vector's AT_BASE, AT_PHDR and
 * AT_ENTRY (man 3 getauxval), libc.so.6's segments mapped from their file
 * offsets with its RELRO made read-only (found by address in
 * /proc/self/maps, man 5 proc), dlopen/dlsym, and the
 * loader run as a program itself (ld.so(8): "the dynamic linker can be run
 * ... directly"), loading this program with mmap. */
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>

#include "common.h"

extern char** environ;

struct Objects {
    int count;
    int interpreter_at_base; /* the object named ld-linux... starts at AT_BASE */
    int main_phdr;           /* the first object's program headers are AT_PHDR */
    struct dl_phdr_info libc; /* libc.so.6's (dlpi_name NULL: not loaded) */
};

static int visit(struct dl_phdr_info* info, size_t size, void* data) {
    (void)size;
    struct Objects* objects = data;
    if (objects->count == 0) objects->main_phdr = (unsigned long)info->dlpi_phdr == getauxval(AT_PHDR);
    objects->count++;
    if (strstr(info->dlpi_name, "libc.so.6")) objects->libc = *info;
    if (strstr(info->dlpi_name, "ld-linux-x86-64.so.2")) objects->interpreter_at_base = info->dlpi_addr == getauxval(AT_BASE);
    return 0;
}

/* The /proc/self/maps line holding `address`: its rights and file offset. */
static int mapping_at(unsigned long address, char perms[5], unsigned long* offset) {
    FILE* maps = fopen("/proc/self/maps", "r");
    CHECK(maps != NULL);
    if (!maps) return 0;
    char line[512];
    int found = 0;
    while (!found && fgets(line, sizeof line, maps)) {
        unsigned long start, end;
        if (sscanf(line, "%lx-%lx %4s %lx", &start, &end, perms, offset) == 4 && start <= address && address < end)
            found = 1;
    }
    fclose(maps);
    return found;
}

/* libc.so.6's segments as the loader mapped them (mmap of the file at
 * page offsets, then mprotect): its text executable from its own file
 * offset, its RELRO part read-only, its data writable. */
static void libc_mappings(const struct dl_phdr_info* libc) {
    int text = 0, relro = 0, data = 0;
    for (int i = 0; i < libc->dlpi_phnum; ++i) {
        const ElfW(Phdr)* ph = &libc->dlpi_phdr[i];
        unsigned long address = libc->dlpi_addr + ph->p_vaddr;
        char perms[5] = "";
        unsigned long offset = 0;
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && mapping_at(address, perms, &offset))
            text = strcmp(perms, "r-xp") == 0 && offset == (ph->p_offset & ~4095UL) && offset != 0;
        if (ph->p_type == PT_GNU_RELRO && mapping_at(address, perms, &offset)) relro = strcmp(perms, "r--p") == 0;
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W) && mapping_at(address + ph->p_memsz - 1, perms, &offset))
            data = strcmp(perms, "rw-p") == 0;
    }
    EXPECT_TRUE("libc.so.6 text: r-xp from its segment's file offset", text);
    EXPECT_TRUE("libc.so.6 RELRO: r--p after relocation (mprotect)", relro);
    EXPECT_TRUE("libc.so.6 data: rw-p", data);
}

int main(int argc, char** argv) {
    if (argc >= 2 && strcmp(argv[1], "via-ld.so") == 0) {
        /* Started as `ld.so <this program>`: the kernel ran the loader as
         * the program (no interpreter, AT_BASE 0), and the loader mapped
         * this one itself (and pointed AT_PHDR, AT_ENTRY and AT_EXECFN
         * at it, but AT_BASE stays the kernel's). */
        return getauxval(AT_BASE) == 0 ? 33 : 1;
    }
    unsigned long base = getauxval(AT_BASE);
    EXPECT_TRUE("AT_BASE: the interpreter is loaded (non-zero)", base != 0);
    EXPECT_TRUE("AT_BASE: page aligned", (base & 4095) == 0);
    EXPECT_TRUE("AT_BASE: an ELF header there", memcmp((const void*)base, ELFMAG, SELFMAG) == 0);
    EXPECT_TRUE("AT_ENTRY is the program's entry, not the loader's",
                getauxval(AT_ENTRY) != ((const ElfW(Ehdr)*)base)->e_entry + base);
    say("AT_PHENT: %lu", getauxval(AT_PHENT));

    struct Objects objects = {0};
    dl_iterate_phdr(visit, &objects);
    EXPECT_TRUE("dl_iterate_phdr: the program's headers are AT_PHDR", objects.main_phdr);
    EXPECT_TRUE("dl_iterate_phdr: libc.so.6 loaded", objects.libc.dlpi_name != NULL);
    EXPECT_TRUE("dl_iterate_phdr: the loader sits at AT_BASE", objects.interpreter_at_base);
    if (objects.libc.dlpi_name) libc_mappings(&objects.libc);

    void* libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    EXPECT_TRUE("dlopen libc.so.6 (already loaded)", libc != NULL);
    EXPECT_TRUE("dlsym getpid is libc's getpid", libc && dlsym(libc, "getpid") == (void*)getpid);
    EXPECT_TRUE("dlopen of a missing library fails", dlopen("libdoes-not-exist.so.9", RTLD_NOW) == NULL);
    if (libc) dlclose(libc);

    char self[512];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    CHECK(n > 0);
    self[n > 0 ? n : 0] = 0;
    pid_t child = fork();
    if (child == 0) {
        char* args[] = {"/lib64/ld-linux-x86-64.so.2", self, "via-ld.so", NULL};
        execve(args[0], args, environ);
        _exit(100);
    }
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    EXPECT_TRUE("ld.so run as a program loads this one", WIFEXITED(status) && WEXITSTATUS(status) == 33);
    return finish("ldso");
}
