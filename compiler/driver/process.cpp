// POSIX process runner: fork, chdir, redirect to a temporary log, execvp, wait with a deadline.
#include "driver/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

namespace ferrite {

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd, int timeout_s) {
  ProcessResult r;
  char log_path[] = "/tmp/ferrite-proc-XXXXXX";
  int fd = mkstemp(log_path);
  if (fd < 0) return r;
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(127);
    dup2(fd, 1);
    dup2(fd, 2);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(fd);
  if (pid < 0) {
    unlink(log_path);
    return r;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  int status = 0;
  for (;;) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      r.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!r.timed_out && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  std::ifstream f(log_path, std::ios::binary);
  r.output.assign((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (r.output.size() > 65536) r.output = r.output.substr(r.output.size() - 65536);
  unlink(log_path);
  return r;
}

}  // namespace ferrite
