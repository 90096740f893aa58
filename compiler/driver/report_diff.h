// CI gates on the memory report: the flash budget (weights bytes) and the diff of a report against
// a baseline report (`ferrite report --baseline old.json [--max-growth 2%]`). Both work on the JSON
// report (docs/report-schema.md), so a baseline written by an older ferrite can be compared.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "support/error.h"

namespace ferrite {

// Error (kind CheckFailed) when the report's weights_bytes exceed `budget`. Code size is not
// included: the report does not know it (measure it from the linked ELF).
Status check_flash_budget(const nlohmann::json& report, uint64_t budget);

// Parses "2%", "2.5%", "2" (percent) or "0"; rejects negative values.
Expected<double> parse_percent(const std::string& s);

// Reads a JSON report written by `ferrite report --json` / `ferrite compile`.
Expected<nlohmann::json> read_report_file(const std::string& path);

struct ReportDiff {
  std::string text;       // human-readable diff, one line per changed figure
  bool exceeded = false;  // arena_bytes or weights_bytes grew by more than max_growth_percent
  std::string summary;    // the failure message when exceeded
};

// Compares `current` with `baseline`: arena_bytes and weights_bytes (gated: growth above
// max_growth_percent of the baseline value fails) and each layer's live_bytes, matched by layer
// name (listed, not gated). Error (Invalid) if either document is not a schema-1 report.
Expected<ReportDiff> diff_reports(const nlohmann::json& baseline, const nlohmann::json& current,
                                  double max_growth_percent);

}  // namespace ferrite
