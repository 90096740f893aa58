// The memory report: JSON (schema in docs/report-schema.md) and a human summary.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "driver/compile.h"

namespace ferrite {
nlohmann::json report_json(const CompiledModel& m);
std::string report_text(const CompiledModel& m);
}  // namespace ferrite
