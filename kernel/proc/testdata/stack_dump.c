/* Prints the initial stack the kernel built for this program, word by
   word from the stack pointer up to the top, and the auxiliary vector: the
   host test (exec_stack_test.cpp) runs it under `setarch -R` (no address
   randomisation) and rebuilds the same stack with proc::write_stack. Built
   static, so the kernel alone set everything up. */
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv, char** envp) {
    unsigned long* sp = (unsigned long*)argv - 1;
    char** e = envp;
    while (*e) ++e;
    unsigned long* aux = (unsigned long*)(e + 1);
    const char* execfn = 0;
    unsigned long random = 0;
    for (unsigned long* a = aux; a[0]; a += 2) {
        printf("aux %lu %lx\n", a[0], a[1]);
        if (a[0] == 31) execfn = (const char*)a[1];
        if (a[0] == 25) random = a[1];
    }
    unsigned long top = (unsigned long)execfn + strlen(execfn) + 1 + 8;
    printf("sp %lx\ntop %lx\nrandom %lx\n", (unsigned long)sp, top, random);
    for (unsigned char* p = (unsigned char*)sp; p < (unsigned char*)top; ++p) printf("%02x", *p);
    printf("\n");
    (void)argc;
    return 0;
}
