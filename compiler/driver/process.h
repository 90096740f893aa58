// Running external tools (the C++ compiler, QEMU) without a shell: argv vectors, a working
// directory, output captured to a log file, and a time limit.
#pragma once
#include <string>
#include <vector>

namespace ferrite {
struct ProcessResult {
  int exit_code = -1;  // -1 when it could not start or was killed
  bool timed_out = false;
  std::string output;  // stdout + stderr (truncated to the last 64 KiB)
};
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd, int timeout_s);
}  // namespace ferrite
