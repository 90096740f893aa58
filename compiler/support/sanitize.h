// Turning model-supplied names into things that are safe in generated C++: identifiers, comment
// text and string literals. A model can name a tensor anything, including C++ keywords, macros,
// comment terminators, backslashes and control characters.
#pragma once
#include <string>

namespace ferrite {
// [A-Za-z0-9_] only, no leading digit, no "__", not a keyword, at most `max_len` characters; "x" if empty.
std::string sanitize_identifier(const std::string& name, size_t max_len = 48);
// Printable ASCII without backslashes, at most 80 characters: safe inside a // comment.
std::string comment_safe(const std::string& text);
// A C string literal (with quotes) whose bytes equal `s`; non-alphanumerics are octal escapes.
std::string c_string_literal(const std::string& s);
// A safe file name for an output: [A-Za-z0-9._-], not starting with '.', not empty.
std::string sanitize_filename(const std::string& name);
// C++ keywords, names the generated code uses, and the macros and global names of the standard
// headers it includes (compiler/support/reserved_names.inc, from scripts/gen_reserved_names.py).
bool is_cpp_keyword(const std::string& s);
}  // namespace ferrite
