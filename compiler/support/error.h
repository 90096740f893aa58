// Errors as values across stage boundaries: a message that names the node and tensor at fault.
// Only the CLI prints errors and turns them into exit codes.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include <fmt/format.h>

namespace ferrite {

struct Error {
  std::string message;
  // What kind of failure: a failed check (e.g. the SRAM budget is exceeded) is exit code 1 for the
  // CLI, everything else (usage, model, build errors) exit code 2.
  enum class Kind { Invalid, CheckFailed } kind = Kind::Invalid;
};

// Builds an Error from a fmt format string.
template <typename... Args>
Error make_error(fmt::format_string<Args...> f, Args&&... args) {
  return Error{fmt::format(f, std::forward<Args>(args)...)};
}

// Either a value or an Error. Deliberately tiny: `if (!r) return r.error();`.
template <typename T>
class Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}
  Expected(Error e) : v_(std::move(e)) {}
  explicit operator bool() const { return std::holds_alternative<T>(v_); }
  T& operator*() { return std::get<T>(v_); }
  const T& operator*() const { return std::get<T>(v_); }
  T* operator->() { return &std::get<T>(v_); }
  const T* operator->() const { return &std::get<T>(v_); }
  const Error& error() const { return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Success or an Error.
class Status {
 public:
  Status() = default;
  Status(Error e) : e_(std::move(e)) {}
  static Status ok() { return Status(); }
  explicit operator bool() const { return !e_.has_value(); }
  const Error& error() const { return *e_; }

 private:
  std::optional<Error> e_;
};

#define FERRITE_TRY(expr)                       \
  do {                                          \
    ::ferrite::Status _st = (expr);             \
    if (!_st) return _st.error();               \
  } while (0)

}  // namespace ferrite
