// The memory report: JSON (schema in docs/report-schema.md) and a human summary.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "driver/compile.h"

namespace ferrite {
nlohmann::json report_json(const CompiledModel& m);
// with_candidates: list every patch plan considered (the trade-off table).
std::string report_text(const CompiledModel& m, bool with_candidates = true);
}  // namespace ferrite
