// `ferrite run --profile`: profile.json and the printed table (see profile_report.h).
#include "driver/profile_report.h"

#include <algorithm>
#include <cmath>

namespace ferrite {

namespace {

// Numbers after `label` at the start of a line, in order.
std::vector<double> numbers_after(const std::string& text, const std::string& label) {
  std::vector<double> r;
  for (size_t pos = 0; (pos = text.find(label, pos)) != std::string::npos;) {
    if (pos > 0 && text[pos - 1] != '\n') {
      pos += label.size();
      continue;
    }
    pos += label.size();
    r.push_back(std::stod(text.substr(pos, text.find('\n', pos) - pos)));
  }
  return r;
}

std::string clip(const std::string& s, size_t n) { return s.size() <= n ? s : s.substr(0, n - 2) + ".."; }
// Keeps the end: node names such as /features/features.3/conv/conv.0/Conv differ at the end.
std::string clip_left(const std::string& s, size_t n) { return s.size() <= n ? s : ".." + s.substr(s.size() - (n - 2)); }

double round2(double v) { return std::round(v * 100.0) / 100.0; }

}  // namespace

Expected<nlohmann::json> make_profile(const ProfileRun& run, const std::vector<ProfileRow>& rows,
                                      const std::string& program_output) {
  const std::vector<double> cal = numbers_after(program_output, "ferrite: profile_calibration ");
  const std::vector<double> values = numbers_after(program_output, "ferrite: profile ");
  const size_t n = rows.size();
  if (cal.size() != 1) return make_error("the program printed no profile calibration");
  if (values.size() != n * run.inferences)
    return make_error("the program printed {} profile values, expected {} rows x {} inferences", values.size(), n,
                      run.inferences);
  // One mark (read the counter, store a difference) costs `overhead` units; every row includes one.
  const double overhead = cal[0] * run.scale / 1024.0;
  std::vector<double> count(n, 0.0);
  for (size_t i = 0; i < values.size(); ++i) count[i % n] += values[i] * run.scale;
  double total = 0;
  for (double& c : count) {
    c = std::max(0.0, c / static_cast<double>(run.inferences) - overhead);
    total += c;
  }
  nlohmann::json j;
  j["model"] = run.model_file;
  j["target"] = run.target;
  if (!run.machine.empty()) j["qemu_machine"] = run.machine;
  j["unit"] = run.unit;
  j["inferences"] = run.inferences;
  j["mark_overhead"] = round2(overhead);
  j["macs"] = run.macs;
  j["total"] = round2(total);
  j["per_mac"] = run.macs ? nlohmann::json(round2(total / static_cast<double>(run.macs))) : nlohmann::json(nullptr);
  if (run.invoke_total >= 0) {
    j["invoke_total"] = round2(run.invoke_total);
    j["invoke_total_without_marks"] = round2(run.invoke_total - overhead * static_cast<double>(n));
  }
  nlohmann::json arr = nlohmann::json::array();
  for (size_t i = 0; i < n; ++i) {
    const ProfileRow& r = rows[i];
    nlohmann::json e;
    e["index"] = i;
    e["kind"] = r.patch >= 0 ? "patch" : "layer";
    e["node"] = r.node >= 0 ? nlohmann::json(r.node) : nlohmann::json(nullptr);
    e["patch"] = r.patch >= 0 ? nlohmann::json(r.patch) : nlohmann::json(nullptr);
    e["function"] = r.function;
    e["op"] = r.op;
    e["name"] = r.name;
    e["kernel"] = r.kernels;
    e["macs"] = r.macs;
    e["elements"] = r.patch >= 0 ? nlohmann::json(nullptr) : nlohmann::json(r.elements);
    e["count"] = round2(count[i]);
    e["per_mac"] = r.macs ? nlohmann::json(round2(count[i] / static_cast<double>(r.macs))) : nlohmann::json(nullptr);
    e["per_element"] = r.patch < 0 && r.elements ? nlohmann::json(round2(count[i] / static_cast<double>(r.elements)))
                                                 : nlohmann::json(nullptr);
    e["share"] = total > 0 ? std::round(count[i] / total * 1e6) / 1e6 : 0.0;
    arr.push_back(std::move(e));
  }
  j["rows"] = std::move(arr);
  return j;
}

std::string profile_text(const nlohmann::json& p) {
  const std::string unit = p.value("unit", "");
  const bool instr = unit == "instructions";
  const std::string per = instr ? "instr/MAC" : unit + "/MAC";
  std::string out;
  const std::string where = p.contains("qemu_machine")
                                ? fmt::format("QEMU {} -icount shift=0", p["qemu_machine"].get<std::string>())
                                : std::string("host, wall time");
  const uint64_t inferences = p.value("inferences", uint64_t{1});
  out += fmt::format("profile of {} on {} ({}): {} per inference{}\n", p.value("model", ""), p.value("target", ""), where,
                     instr ? "retired instructions" : unit, inferences > 1 ? fmt::format(", mean of {}", inferences) : "");
  out += fmt::format("{:>4}  {:<18} {:<40} {:<30} {:>10} {:>13} {:>10} {:>7}\n", "row", "op", "name", "kernel", "MACs",
                     unit, per, "share");
  for (const auto& r : p["rows"]) {
    // Per MAC; for layers without MACs (Add, pools, quantize) per output element, marked "/el".
    std::string per_cell = "-";
    if (!r["per_mac"].is_null()) per_cell = fmt::format("{:.2f}", r["per_mac"].get<double>());
    else if (!r["per_element"].is_null()) per_cell = fmt::format("{:.2f}/el", r["per_element"].get<double>());
    out += fmt::format("{:>4}  {:<18} {:<40} {:<30} {:>10} {:>13.0f} {:>10} {:>6.1f}%\n", r["index"].get<size_t>(),
                       clip(r["op"].get<std::string>(), 18), clip_left(r["name"].get<std::string>(), 40),
                       clip(r["kernel"].get<std::string>(), 30), r["macs"].get<uint64_t>(), r["count"].get<double>(),
                       per_cell, 100.0 * r["share"].get<double>());
  }
  out += fmt::format("{:>4}  {:<18} {:<40} {:<30} {:>10} {:>13.0f} {:>10} {:>6.1f}%\n", "", "total", "", "",
                     p["macs"].get<uint64_t>(), p["total"].get<double>(),
                     p["per_mac"].is_null() ? std::string("-") : fmt::format("{:.2f}", p["per_mac"].get<double>()), 100.0);
  out += fmt::format("mark overhead {:.1f} {} per row, subtracted from each row", p["mark_overhead"].get<double>(), unit);
  if (p.contains("invoke_total")) {
    const double whole = p["invoke_total_without_marks"].get<double>(), total = p["total"].get<double>();
    out += fmt::format("\ninvoke() as a whole: {:.0f} {}, {:.0f} without the marks (total of the rows: {:+.3f} %)",
                       p["invoke_total"].get<double>(), unit, whole, whole > 0 ? 100.0 * (total - whole) / whole : 0.0);
  }
  out += "\n";
  return out;
}

}  // namespace ferrite
