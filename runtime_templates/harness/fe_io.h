// Ferrite harness platform API.
//
// The generated test harness talks to the outside world only through these
// three functions. Two implementations exist:
//   io_host.cpp      - hosted build (stdio, std::exit)
//   io_semihost.cpp  - bare-metal Cortex-M build under QEMU (Arm semihosting)
#ifndef FERRITE_HARNESS_FE_IO_H
#define FERRITE_HARNESS_FE_IO_H

#if defined(__cplusplus)
#define FE_NORETURN [[noreturn]]
extern "C" {
#else
#define FE_NORETURN _Noreturn
#endif

// Writes the NUL-terminated string `s` as-is (no newline is appended).
void fe_print(const char* s);

// Creates/truncates the file `path` and writes `n` bytes from `data` to it
// (binary mode). Returns 0 on success, non-zero on any failure.
int fe_write_file(const char* path, const void* data, unsigned long n);

// Terminates the program with exit status `code` (the process exit status on
// the host; QEMU's own exit status under semihosting). Never returns.
FE_NORETURN void fe_exit(int code);

#if defined(__cplusplus)
}  // extern "C"
#endif

#endif  // FERRITE_HARNESS_FE_IO_H
