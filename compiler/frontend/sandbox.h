// Third-party code that trusts its input, run in a child process. ONNX's version converter and shape
// inference assume what ONNX's checker does not check (ranks of a node's inputs, attribute values):
// on such a model they read out of bounds or divide by zero. Ferrite validates what it can first
// (validate.h); whatever slips through crashes a child, not the compiler, and becomes an error.
#pragma once
#include <functional>
#include <string>

#include "support/error.h"

namespace ferrite {

// Runs `work` in a forked child and returns the bytes it produced. An exception in `work` becomes
// an Error with its message; a crash (a signal) an Error naming the signal.
Expected<std::string> run_in_child(const std::function<std::string()>& work);

}  // namespace ferrite
