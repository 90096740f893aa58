// Name sanitizing for generated code and output files.
#include "support/sanitize.h"

#include <algorithm>
#include <iterator>
#include <set>
#include <string_view>

#include <fmt/format.h>

namespace ferrite {

bool is_cpp_keyword(const std::string& s) {
  static const std::set<std::string> kw = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
      "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr",
      "constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete",
      "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
      "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
      "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register", "reinterpret_cast",
      "requires", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast", "struct",
      "switch", "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid", "typename",
      "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
      "main", "std", "ferrite_rt", "weights", "NULL", "assert", "errno", "stdin", "stdout", "stderr",
      // stems of C headers: <name>.h beside the firmware's sources must not shadow <stdint.h> & co.
      "complex", "ctype", "fenv", "float", "inttypes", "iso646", "limits", "locale", "math", "setjmp", "signal",
      "stdalign", "stdarg", "stdatomic", "stdbool", "stddef", "stdint", "stdio", "stdlib", "stdnoreturn", "string",
      "tgmath", "threads", "time", "uchar", "wchar", "wctype", "arm_acle", "arm_mve", "arm_math", "cmsis_gcc",
      "cmsis_compiler", "alloca", "malloc", "memory", "strings", "unistd"};
  if (kw.count(s)) return true;
  // Macros, functions and typedefs of the C/C++ headers the generated code can see (glibc, newlib):
  // a model named INFINITY, SIZE_MAX, int8_t or sinf must not become `namespace INFINITY`.
  static const char* const reserved[] = {
#include "support/reserved_names.inc"
  };
  return std::binary_search(std::begin(reserved), std::end(reserved), s,
                            [](const auto& a, const auto& b) { return std::string_view(a) < std::string_view(b); });
}

std::string sanitize_identifier(const std::string& name, size_t max_len) {
  std::string r;
  for (unsigned char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    char ch = ok ? static_cast<char>(c) : '_';
    if (ch == '_' && (r.empty() || r.back() == '_')) continue;  // no leading '_' and no "__"
    r += ch;
    if (r.size() >= max_len) break;
  }
  while (!r.empty() && r.back() == '_') r.pop_back();
  if (r.empty()) r = "x";
  if (r[0] >= '0' && r[0] <= '9') r = "n" + r;
  if (is_cpp_keyword(r)) r += "_";
  return r;
}

std::string comment_safe(const std::string& text) {
  std::string r;
  for (unsigned char c : text) {
    if (r.size() >= 80) { r += "..."; break; }
    const char ch = (c >= 0x20 && c < 0x7f && c != '\\') ? static_cast<char>(c) : '?';
    // No trigraphs: "??/" ending a // comment continues it onto the next line of code under
    // -trigraphs (ISO C++11/14 modes) and is a -Wtrigraphs error under -Wall -Werror otherwise.
    if (r.size() >= 2 && r[r.size() - 1] == '?' && r[r.size() - 2] == '?' &&
        std::string_view("=/'()!<>-").find(ch) != std::string_view::npos)
      r += ' ';
    r += ch;
  }
  return r;
}

std::string c_string_literal(const std::string& s) {
  std::string r = "\"";
  for (unsigned char c : s) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                       c == ' ' || c == '.' || c == '-' || c == ':' || c == '/';
    if (plain) r += static_cast<char>(c);
    else r += fmt::format("\\{:03o}", c);
  }
  return r + "\"";
}

std::string sanitize_filename(const std::string& name) {
  std::string r;
  for (unsigned char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.';
    r += ok ? static_cast<char>(c) : '_';
    if (r.size() >= 100) break;
  }
  while (!r.empty() && r[0] == '.') r[0] = '_';
  if (r.empty()) r = "output";
  return r;
}

}  // namespace ferrite
