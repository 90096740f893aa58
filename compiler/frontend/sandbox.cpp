// Child-process sandbox (sandbox.h).
//
// One-shot: the result travels through a pipe: 'R' + bytes on success, 'E' + message when `work`
// threw.
//
// Persistent worker: a socket pair (send with MSG_NOSIGNAL: a dead worker is an error, not SIGPIPE).
// Request: u64 function address, u64 length, bytes. Reply: 'R' or 'E', u64 length, bytes. A reply cut
// short (EOF) means the worker died: it is reaped, the job reported like a one-shot crash, and the
// next job starts a new worker. The worker dies with its parent (PR_SET_PDEATHSIG) and exits when
// its socket closes.
#include "frontend/sandbox.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>

namespace ferrite {

namespace {

// A contained crash in a child is expected and reported by the parent: no sanitizer or fuzzer
// crash handler (they would print a report and write a crash artifact for a contained failure).
void default_crash_handlers() {
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) signal(sig, SIG_DFL);
}

std::string run_caught(const std::function<std::string()>& work, char* kind) {
  try {
    std::string out = work();
    *kind = 'R';
    return out;
  } catch (const std::exception& e) {
    *kind = 'E';
    return e.what();
  } catch (...) {
    *kind = 'E';
    return "unknown exception";
  }
}

bool write_all(int fd, const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  for (size_t done = 0; done < n;) {
    const ssize_t k = send(fd, p + done, n - done, MSG_NOSIGNAL);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    done += static_cast<size_t>(k);
  }
  return true;
}

bool read_all(int fd, void* data, size_t n) {
  char* p = static_cast<char*>(data);
  for (size_t done = 0; done < n;) {
    const ssize_t k = read(fd, p + done, n - done);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    done += static_cast<size_t>(k);
  }
  return true;
}

Error crash_error(int status) {
  if (WIFSIGNALED(status)) return make_error("it crashed ({})", strsignal(WTERMSIG(status)));
  return make_error("it failed");
}

// Jobs per worker before it is replaced by a fresh fork (bounds whatever state ONNX accumulates).
constexpr uint64_t kWorkerJobs = 2000;
// Largest reply or request accepted over the socket.
constexpr uint64_t kMaxMessage = uint64_t{1} << 34;

struct Worker {
  int scopes = 0;
  pid_t pid = -1, owner = -1;  // the worker, and the process that started it
  int fd = -1;
  uint64_t jobs = 0;
  SandboxWorkerStats stats;
};
Worker g_worker;

[[noreturn]] void worker_loop(int fd) {
  for (;;) {
    uint64_t head[2];
    if (!read_all(fd, head, sizeof head) || head[1] > kMaxMessage) _exit(0);
    std::string request(head[1], '\0');
    if (!read_all(fd, request.data(), request.size())) _exit(0);
    const auto fn = reinterpret_cast<SandboxFn>(static_cast<uintptr_t>(head[0]));
    char kind = 'E';
    const std::string out = run_caught([&] { return fn(request); }, &kind);
    const uint64_t len = out.size();
    if (!write_all(fd, &kind, 1) || !write_all(fd, &len, sizeof len) || !write_all(fd, out.data(), out.size())) _exit(3);
  }
}

void stop_worker() {
  if (g_worker.pid <= 0) return;
  if (g_worker.owner == getpid()) {
    close(g_worker.fd);  // the worker sees EOF and exits
    int status = 0;
    while (waitpid(g_worker.pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  // (in a fork of the owner, the worker and its socket belong to the owner: just forget them)
  g_worker.pid = -1;
  g_worker.fd = -1;
  g_worker.jobs = 0;
}

Status start_worker() {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return make_error("cannot create a socket pair: {}", std::strerror(errno));
  std::fflush(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(sv[0]);
    close(sv[1]);
    return make_error("cannot fork: {}", std::strerror(errno));
  }
  if (pid == 0) {
    close(sv[0]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(0);
    default_crash_handlers();
    worker_loop(sv[1]);
  }
  close(sv[1]);
  g_worker.pid = pid;
  g_worker.owner = parent;
  g_worker.fd = sv[0];
  g_worker.jobs = 0;
  ++g_worker.stats.started;
  return Status::ok();
}

Expected<std::string> run_in_worker(SandboxFn fn, const std::string& request) {
  if (g_worker.pid > 0 && (g_worker.owner != getpid() || g_worker.jobs >= kWorkerJobs)) stop_worker();
  if (g_worker.pid <= 0) FERRITE_TRY(start_worker());
  ++g_worker.jobs;
  ++g_worker.stats.jobs;
  const uint64_t head[2] = {static_cast<uint64_t>(reinterpret_cast<uintptr_t>(fn)), request.size()};
  char kind = 0;
  uint64_t len = 0;
  std::string out;
  bool ok = write_all(g_worker.fd, head, sizeof head) && write_all(g_worker.fd, request.data(), request.size()) &&
            read_all(g_worker.fd, &kind, 1) && read_all(g_worker.fd, &len, sizeof len) && len <= kMaxMessage;
  if (ok) {
    out.resize(len);
    ok = read_all(g_worker.fd, out.data(), out.size());
  }
  if (!ok) {  // the worker died (or broke the protocol): reap it, report as a one-shot crash would
    close(g_worker.fd);
    kill(g_worker.pid, SIGKILL);
    int status = 0;
    while (waitpid(g_worker.pid, &status, 0) < 0 && errno == EINTR) {
    }
    g_worker.pid = -1;
    g_worker.fd = -1;
    ++g_worker.stats.died;
    g_worker.stats.last_death_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    // killed by our SIGKILL only after it had stopped talking: report the original cause if known
    return crash_error(status);
  }
  if (kind == 'E') return make_error("{}", out);
  return out;
}

}  // namespace

Expected<std::string> run_in_child(const std::function<std::string()>& work) {
  int fds[2];
  if (pipe(fds) != 0) return make_error("cannot create a pipe: {}", std::strerror(errno));
  std::fflush(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return make_error("cannot fork: {}", std::strerror(errno));
  }
  if (pid == 0) {
    close(fds[0]);
    // (a compile stopped by a signal or an alarm must not leave ONNX's work running on its own)
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(0);
    default_crash_handlers();
    char kind = 'E';
    std::string out = run_caught(work, &kind);
    out.insert(out.begin(), kind);
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
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || in.empty()) return crash_error(status);
  if (in[0] == 'E') return make_error("{}", in.substr(1));
  return in.substr(1);
}

Expected<std::string> run_sandboxed(SandboxFn fn, const std::function<std::string()>& request,
                                    const std::function<std::string()>& direct) {
  if (g_worker.scopes == 0) return run_in_child(direct);
  std::string bytes;
  try {
    bytes = request();
  } catch (const std::exception& e) {
    return make_error("{}", e.what());
  }
  return run_in_worker(fn, bytes);
}

SandboxWorkerScope::SandboxWorkerScope() { ++g_worker.scopes; }

SandboxWorkerScope::~SandboxWorkerScope() {
  if (--g_worker.scopes == 0) stop_worker();
}

SandboxWorkerStats sandbox_worker_stats() {
  SandboxWorkerStats s = g_worker.stats;
  s.pid = g_worker.pid > 0 && g_worker.owner == getpid() ? g_worker.pid : -1;
  return s;
}

}  // namespace ferrite
