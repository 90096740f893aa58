// Files from runtime_templates/ compiled into the ferrite binary (see cmake/EmbedFiles.cmake), so
// the installed tool needs no data directory. Keys are paths relative to runtime_templates/.
#pragma once
#include <map>
#include <string>
#include <string_view>

namespace ferrite {
const std::map<std::string, std::string_view>& embedded_files();
// The file's text; aborts with a clear message if a build forgot to embed it (a packaging bug).
std::string_view embedded(const std::string& path);
}  // namespace ferrite
