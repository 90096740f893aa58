// Third-party code that trusts its input, run in a child process. ONNX's version converter and shape
// inference assume what ONNX's checker does not check (ranks of a node's inputs, attribute values):
// on such a model they read out of bounds or divide by zero. Ferrite validates what it can first
// (validate.h); whatever slips through crashes a child, not the compiler, and becomes an error.
//
// Two ways to run the child, with the same protection (the work never runs in the compiler's own
// process; a crash, an exception or running out of memory there becomes an Error):
//  - one-shot (the default, what `ferrite` uses): a child forked per call, working on the caller's
//    memory as it is;
//  - a persistent worker (a fork server), for processes that check many models (the fuzz targets,
//    tools): forked once, fed serialized requests over a socket, respawned when it dies (or every
//    kWorkerJobs jobs, so that it does not drift). Forking per call costs far more than the work on a
//    small model (about 350 against 4,000 fuzz models/s).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "support/error.h"

namespace ferrite {

// Runs `work` in a forked child and returns the bytes it produced. An exception in `work` becomes
// an Error with its message; a crash (a signal) an Error naming the signal.
Expected<std::string> run_in_child(const std::function<std::string()>& work);

// Work that a persistent worker can run: request bytes in, result bytes out (it may throw). The
// worker is a fork of this process, so the function's address is valid there.
using SandboxFn = std::string (*)(std::string_view request);

// Runs one job sandboxed. One-shot mode: `direct()` in a forked child (`request` is not called).
// Worker mode: `request()` here, `fn(request)` in the worker. `fn(request())` and `direct()` must
// compute the same bytes. Errors as for run_in_child.
Expected<std::string> run_sandboxed(SandboxFn fn, const std::function<std::string()>& request,
                                    const std::function<std::string()>& direct);

// While at least one exists in a process, run_sandboxed uses a persistent worker (started on first
// use, stopped with the last scope). Not thread-safe: the compiler is single-threaded.
class SandboxWorkerScope {
 public:
  SandboxWorkerScope();
  ~SandboxWorkerScope();
  SandboxWorkerScope(const SandboxWorkerScope&) = delete;
  SandboxWorkerScope& operator=(const SandboxWorkerScope&) = delete;
};

// Statistics of the persistent worker in this process, for tests and the fuzzer (which adds the
// worker's CPU time to each input's): workers started, jobs run, the current worker (or -1), and
// workers that died during a job (a crash or a sanitizer abort in ONNX's code, contained and turned
// into an error; the fuzzer counts each as a finding) with the last one's signal (0: it exited).
struct SandboxWorkerStats {
  uint64_t started = 0, jobs = 0, died = 0;
  int pid = -1;
  int last_death_signal = 0;
};
SandboxWorkerStats sandbox_worker_stats();

}  // namespace ferrite
