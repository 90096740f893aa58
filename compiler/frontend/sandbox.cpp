// Child-process sandbox (sandbox.h). The result travels through a pipe: 'R' + bytes on success,
// 'E' + message when `work` threw.
#include "frontend/sandbox.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>

namespace ferrite {

Expected<std::string> run_in_child(const std::function<std::string()>& work) {
  int fds[2];
  if (pipe(fds) != 0) return make_error("cannot create a pipe: {}", std::strerror(errno));
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return make_error("cannot fork: {}", std::strerror(errno));
  }
  if (pid == 0) {
    close(fds[0]);
    // A crash here is expected and reported by the parent: no sanitizer or fuzzer crash handler
    // (they would print a report and write a crash artifact for a contained failure).
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) signal(sig, SIG_DFL);
    std::string out;
    try {
      out = "R" + work();
    } catch (const std::exception& e) {
      out = std::string("E") + e.what();
    } catch (...) {
      out = "Eunknown exception";
    }
    for (size_t done = 0; done < out.size();) {
      const ssize_t k = write(fds[1], out.data() + done, out.size() - done);
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0) _exit(3);
      done += static_cast<size_t>(k);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string in;
  char buf[1 << 16];
  for (;;) {
    const ssize_t k = read(fds[0], buf, sizeof buf);
    if (k > 0) in.append(buf, static_cast<size_t>(k));
    else if (k == 0 || errno != EINTR) break;
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) return make_error("it crashed ({})", strsignal(WTERMSIG(status)));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || in.empty()) return make_error("it failed");
  if (in[0] == 'E') return make_error("{}", in.substr(1));
  return in.substr(1);
}

}  // namespace ferrite
