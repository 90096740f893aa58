// See report_diff.h.
#include "driver/report_diff.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

namespace ferrite {

namespace {

Status check_report(const nlohmann::json& r, const char* what) {
  if (!r.is_object() || !r.contains("schema_version") || !r["schema_version"].is_number_integer())
    return make_error("{} is not a ferrite JSON report (no schema_version)", what);
  if (r["schema_version"].get<int64_t>() != 1)
    return make_error("{} has report schema_version {}, this ferrite reads version 1", what,
                      r["schema_version"].dump());
  for (const char* k : {"arena_bytes", "weights_bytes"})
    if (!r.contains(k) || !r[k].is_number_unsigned())
      return make_error("{}: field '{}' is missing or not a non-negative integer", what, k);
  if (r.contains("layers") && !r["layers"].is_array()) return make_error("{}: field 'layers' is not an array", what);
  return Status::ok();
}

// Layer key: the node name; unnamed layers are keyed "<op> #<n>" (n-th unnamed layer of that op).
// A name that occurs twice gets " #2", " #3", ... so every key is unique.
std::vector<std::pair<std::string, const nlohmann::json*>> layer_keys(const nlohmann::json& r) {
  std::vector<std::pair<std::string, const nlohmann::json*>> out;
  std::map<std::string, int> seen;
  if (!r.contains("layers")) return out;
  for (const auto& l : r["layers"]) {
    std::string name = l.value("name", std::string());
    std::string key = name.empty() ? "<unnamed " + l.value("op", std::string("?")) + ">" : name;
    const int n = ++seen[key];
    if (n > 1) key += " #" + std::to_string(n);
    out.emplace_back(key, &l);
  }
  return out;
}

std::string signed_bytes(int64_t d) { return (d > 0 ? "+" : "") + std::to_string(d); }

std::string percent(int64_t oldv, int64_t newv) {
  if (oldv == 0) return newv == 0 ? "0.00%" : "new";
  return fmt::format("{:+.2f}%", 100.0 * static_cast<double>(newv - oldv) / static_cast<double>(oldv));
}

}  // namespace

Status check_flash_budget(const nlohmann::json& report, uint64_t budget) {
  const uint64_t w = report.at("weights_bytes").get<uint64_t>();
  if (w <= budget) return Status::ok();
  Error e = make_error(
      "flash budget exceeded: the weights need {} bytes, the budget is {} bytes ({} bytes over); "
      "code size is not included",
      w, budget, w - budget);
  e.kind = Error::Kind::CheckFailed;
  return e;
}

Expected<double> parse_percent(const std::string& s) {
  std::string t = s;
  if (!t.empty() && t.back() == '%') t.pop_back();
  if (t.empty()) return make_error("bad percentage '{}': expected e.g. 2% or 0.5%", s);
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || !std::isfinite(v) || v < 0)
    return make_error("bad percentage '{}': expected a non-negative number such as 2% or 0.5%", s);
  return v;
}

Expected<nlohmann::json> read_report_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return make_error("cannot read baseline report '{}'", path);
  std::stringstream ss;
  ss << f.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error("baseline report '{}' is not valid JSON", path);
  return j;
}

Expected<ReportDiff> diff_reports(const nlohmann::json& baseline, const nlohmann::json& current,
                                  double max_growth_percent) {
  FERRITE_TRY(check_report(baseline, "the baseline report"));
  FERRITE_TRY(check_report(current, "the current report"));
  ReportDiff d;
  std::vector<std::string> over;
  auto total = [&](const char* key, const char* label) {
    const auto o = baseline[key].get<int64_t>(), n = current[key].get<int64_t>();
    const bool grew_too_much =
        n > o && (o == 0 || 100.0 * static_cast<double>(n - o) / static_cast<double>(o) > max_growth_percent);
    d.text += fmt::format("{:<8} {:>10} -> {:>10} bytes  {:>8} ({}){}\n", label, o, n, signed_bytes(n - o),
                          percent(o, n), grew_too_much ? "  EXCEEDS --max-growth" : "");
    if (grew_too_much)
      over.push_back(fmt::format("{} grew from {} to {} bytes ({}, {} bytes)", label, o, n, percent(o, n),
                                 signed_bytes(n - o)));
  };
  total("arena_bytes", "arena");
  total("weights_bytes", "weights");

  const auto old_layers = layer_keys(baseline), new_layers = layer_keys(current);
  std::map<std::string, int64_t> old_live;
  for (const auto& [k, l] : old_layers) old_live[k] = l->value("live_bytes", int64_t{0});
  std::vector<std::string> grew, shrank, added;
  for (const auto& [k, l] : new_layers) {
    const int64_t n = l->value("live_bytes", int64_t{0});
    auto it = old_live.find(k);
    const std::string label = fmt::format("{} '{}'", l->value("op", std::string("?")), k);
    if (it == old_live.end()) {
      added.push_back(fmt::format("  new      {:<50} {:>10} live bytes", label, n));
      continue;
    }
    const int64_t o = it->second;
    old_live.erase(it);
    if (n > o)
      grew.push_back(fmt::format("  grew     {:<50} {:>10} -> {:>10}  {} ({})", label, o, n, signed_bytes(n - o),
                                 percent(o, n)));
    else if (n < o)
      shrank.push_back(fmt::format("  shrank   {:<50} {:>10} -> {:>10}  {} ({})", label, o, n,
                                   signed_bytes(n - o), percent(o, n)));
  }
  std::vector<std::string> removed;
  for (const auto& [k, l] : old_layers)
    if (old_live.count(k)) removed.push_back(fmt::format("  removed  {:<50} {:>10} live bytes", k, l->value("live_bytes", int64_t{0})));
  d.text += fmt::format("layers (live bytes, matched by name): {} grew, {} shrank, {} new, {} removed\n", grew.size(),
                        shrank.size(), added.size(), removed.size());
  for (const auto* v : {&grew, &shrank, &added, &removed})
    for (const auto& line : *v) d.text += line + "\n";
  d.exceeded = !over.empty();
  if (d.exceeded) {
    d.summary = fmt::format("growth above --max-growth {}% against the baseline: ", max_growth_percent);
    for (size_t i = 0; i < over.size(); ++i) d.summary += (i ? "; " : "") + over[i];
  }
  return d;
}

}  // namespace ferrite
