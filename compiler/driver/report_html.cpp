// The memory-plan picture (docs/report-html.md). Everything is computed from the JSON report so that
// `ferrite compile` and `ferrite report --html` draw the same page. Output is deterministic: numbers
// are formatted with fixed precision and nothing depends on time, locale or hash order.
#include "driver/report_html.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <fmt/format.h>

namespace ferrite {
namespace {

using nlohmann::json;

// ---- strings -----------------------------------------------------------------------------------

// Code points of `s`; malformed UTF-8, surrogates and control characters become U+FFFD.
std::vector<uint32_t> code_points(const std::string& s) {
  std::vector<uint32_t> out;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const unsigned c = p[i];
    uint32_t cp = 0xFFFD;
    size_t len = 1;
    if (c < 0x80) {
      cp = c;
    } else if (c >= 0xC2 && c <= 0xF4) {
      const size_t need = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      uint32_t v = c & (need == 2 ? 0x1F : need == 3 ? 0x0F : 0x07);
      size_t k = 1;
      for (; k < need && i + k < n && (p[i + k] & 0xC0) == 0x80; ++k) v = (v << 6) | (p[i + k] & 0x3F);
      if (k == need) {
        const uint32_t min = need == 2 ? 0x80 : need == 3 ? 0x800 : 0x10000;
        if (v >= min && v <= 0x10FFFF && !(v >= 0xD800 && v <= 0xDFFF)) cp = v;
        len = need;
      } else {
        len = k;  // a truncated sequence: replace the bytes consumed so far
      }
    }
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) cp = 0xFFFD;
    out.push_back(cp);
    i += len;
  }
  return out;
}

void append_utf8(std::string& o, uint32_t cp) {
  if (cp < 0x80) {
    o += static_cast<char>(cp);
  } else if (cp < 0x800) {
    o += static_cast<char>(0xC0 | (cp >> 6));
    o += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    o += static_cast<char>(0xE0 | (cp >> 12));
    o += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    o += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    o += static_cast<char>(0xF0 | (cp >> 18));
    o += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    o += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    o += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string escape_cps(const std::vector<uint32_t>& cps) {
  std::string o;
  o.reserve(cps.size());
  for (uint32_t cp : cps) {
    switch (cp) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: append_utf8(o, cp);
    }
  }
  return o;
}

// Escaped, cut to at most `max` characters (with an ellipsis when cut).
std::string esc_cut(const std::string& s, size_t max) {
  auto cps = code_points(s);
  if (cps.size() > max) {
    cps.resize(max > 0 ? max - 1 : 0);
    cps.push_back(0x2026);
  }
  return escape_cps(cps);
}

// Escaped, keeping the last `max` characters (the distinctive end of names like "/a/b/Conv_output_0").
std::string esc_tail(const std::string& s, size_t max) {
  auto cps = code_points(s);
  if (cps.size() > max && max > 1) {
    std::vector<uint32_t> t{0x2026};
    t.insert(t.end(), cps.end() - static_cast<std::ptrdiff_t>(max - 1), cps.end());
    cps = std::move(t);
  }
  return escape_cps(cps);
}

std::string str(const json& j, const char* key, const std::string& def = "") {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : def;
}
uint64_t num(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  if (it->is_number_float()) return it->get<double>() > 0 ? static_cast<uint64_t>(it->get<double>()) : 0;
  if (it->is_number_integer() && it->get<int64_t>() < 0) return 0;
  return it->get<uint64_t>();
}
double real(const json& j, const char* key, double def) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : def;
}
const json& arr(const json& j, const char* key) {
  static const json empty = json::array();
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : empty;
}

// 1234567 -> "1,234,567"
std::string grouped(uint64_t v) {
  std::string d = std::to_string(v), o;
  for (size_t i = 0; i < d.size(); ++i) {
    if (i && (d.size() - i) % 3 == 0) o += ',';
    o += d[i];
  }
  return o;
}

// Where an anchored buffer sits: "inside buffer #3 at +128 B" (a Concat input produced in its
// slice of the output), "at the offset of buffer #3" (shrinking in place); "" for a free buffer.
std::string anchor_text(const json& b) {
  auto it = b.find("anchor");
  if (it == b.end() || !it->is_number_integer() || it->get<int64_t>() < 0) return "";
  const uint64_t at = num(b, "anchor_offset");
  return at ? fmt::format("inside buffer #{} at +{} B", it->get<int64_t>(), grouped(at))
            : fmt::format("at the offset of buffer #{}", it->get<int64_t>());
}
// "64,256 B (62.75 KiB)"
std::string bytes_text(uint64_t b) {
  if (b < 1024) return grouped(b) + " B";
  if (b < 1024 * 1024) return fmt::format("{} B ({:.2f} KiB)", grouped(b), static_cast<double>(b) / 1024.0);
  return fmt::format("{} B ({:.2f} MiB)", grouped(b), static_cast<double>(b) / (1024.0 * 1024.0));
}
// Short tick label: "48 KiB", "1.5 MiB", "512 B".
std::string tick_text(double v) {
  auto trim = [](double x) {
    std::string s = fmt::format("{:.2f}", x);
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  };
  if (v >= 1024.0 * 1024.0) return trim(v / (1024.0 * 1024.0)) + " MiB";
  if (v >= 1024.0) return trim(v / 1024.0) + " KiB";
  return trim(v) + " B";
}
std::string macs_text(uint64_t m) {
  if (m >= 1000000000ULL) return fmt::format("{:.2f} G", static_cast<double>(m) / 1e9);
  if (m >= 1000000ULL) return fmt::format("{:.2f} M", static_cast<double>(m) / 1e6);
  if (m >= 1000ULL) return fmt::format("{:.1f} k", static_cast<double>(m) / 1e3);
  return std::to_string(m);
}

// A "nice" step (1, 2, 2.5, 5 × 10^k, in units of `unit`) giving about `target` ticks up to `range`.
double nice_step(double range, double target, double unit) {
  const double raw = std::max(range / unit / target, 1e-9);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10 * mag;
  for (double f : {1.0, 2.0, 2.5, 5.0})
    if (f * mag >= raw) { step = f * mag; break; }
  return step * unit;
}
int int_step(size_t n, size_t target) {
  for (int s : {1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000})
    if (n / static_cast<size_t>(s) <= target) return s;
  return static_cast<int>(n / target + 1);
}

std::string f2(double v) { return fmt::format("{:.2f}", v); }

// Fill colours: tensors in blues/teals, scratch in oranges, alternating so that neighbours differ.
const char* const kTensorFill[] = {"#4e79a7", "#6b9bd1", "#3d6a8f", "#5b8fbf", "#2f7f9e", "#76a5cf"};
const char* const kScratchFill[] = {"#f28e2b", "#f5a55a", "#e07b18"};

constexpr double kWidth = 1160, kLeft = 92, kRight = 150, kPlotW = kWidth - kLeft - kRight;

struct XScale {
  size_t steps;
  double x(double s) const { return kLeft + s * kPlotW / static_cast<double>(steps); }
  double col() const { return kPlotW / static_cast<double>(steps); }
};

// X axis: ticks at the centre of every k-th step column, labelled with the layer index.
void x_axis(std::string& o, const XScale& xs, double y0, const char* title) {
  const int k = int_step(xs.steps, 24);
  o += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", f2(kLeft), f2(y0),
                   f2(kLeft + kPlotW), f2(y0));
  for (size_t s = 0; s < xs.steps; s += static_cast<size_t>(k)) {
    const double x = xs.x(static_cast<double>(s) + 0.5);
    o += fmt::format("<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>"
                     "<text class=\"tick\" x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>\n",
                     f2(x), f2(y0), f2(y0 + 5), f2(y0 + 18), s);
  }
  o += fmt::format("<text class=\"axis-title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                   f2(kLeft + kPlotW / 2), f2(y0 + 38), title);
}

// Y axis in bytes with gridlines; `top` is the value at the top of the plot.
// Decimal tick labels for counts (instructions, ns): 1.5 k, 2 M, ...
std::string count_tick_text(double v) {
  auto trim = [](double x) {
    std::string s = fmt::format("{:.2f}", x);
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  };
  if (v >= 1e9) return trim(v / 1e9) + " G";
  if (v >= 1e6) return trim(v / 1e6) + " M";
  if (v >= 1e3) return trim(v / 1e3) + " k";
  return trim(v);
}

// counts: decimal steps and labels (count_tick_text) instead of bytes.
void y_axis(std::string& o, double top, double y_top, double h, const char* title, bool counts = false) {
  const double unit = counts ? 1.0 : top >= 2048 ? 1024.0 : 1.0;
  const double step = nice_step(top, 6, unit);
  const double y0 = y_top + h;
  o += fmt::format("<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\n", f2(kLeft), f2(y_top),
                   f2(y0));
  for (int i = 0;; ++i) {
    const double v = step * i;
    if (v > top + 1e-9) break;
    const double y = y0 - v / top * h;
    o += fmt::format("<line class=\"grid\" x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\"/>"
                     "<text class=\"tick\" x=\"{3}\" y=\"{4}\" text-anchor=\"end\">{5}</text>\n",
                     f2(kLeft), f2(kLeft + kPlotW), f2(y), f2(kLeft - 7), f2(y + 4),
                     counts ? count_tick_text(v) : tick_text(v));
  }
  o += fmt::format("<text class=\"axis-title\" transform=\"translate({},{}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
                   f2(18), f2(y_top + h / 2), title);
}

// A dashed horizontal marker line with a label in the right margin.
void marker(std::string& o, double y, const char* cls, const std::string& label, double dy) {
  o += fmt::format("<line class=\"{0}\" x1=\"{1}\" y1=\"{2}\" x2=\"{3}\" y2=\"{2}\"/>"
                   "<text class=\"{4}-label\" x=\"{5}\" y=\"{6}\">{7}</text>\n",
                   cls, f2(kLeft), f2(y), f2(kLeft + kPlotW + 4), cls, f2(kLeft + kPlotW + 8), f2(y + dy), label);
}

const char* const kStyle = R"(
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 24px;
       color: #1f2328; background: #fff; }
main { width: 1160px; }
h1 { font-size: 22px; margin: 0 0 4px 0; }
h2 { font-size: 17px; margin: 26px 0 6px 0; }
.sub { color: #57606a; font-size: 13px; margin-bottom: 14px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; min-width: 150px; }
.card .k { font-size: 12px; color: #57606a; }
.card .v { font-size: 16px; font-weight: 600; }
.note { color: #57606a; font-size: 12.5px; margin: 4px 0; }
svg { display: block; background: #fff; }
svg text { font-family: inherit; }
.axis { stroke: #57606a; stroke-width: 1; }
.grid { stroke: #eaeef2; stroke-width: 1; }
.tick { font-size: 11px; fill: #57606a; }
.axis-title { font-size: 12.5px; fill: #24292f; }
.buf { stroke: #fff; stroke-width: 0.6; }
.buf:hover, .bar:hover { stroke: #000; stroke-width: 1.5; }
.buf-label { font-size: 10.5px; fill: #fff; pointer-events: none; }
.arena { stroke: #cf222e; stroke-width: 1.5; stroke-dasharray: 7 4; }
.bound { stroke: #1a7f37; stroke-width: 1.5; stroke-dasharray: 3 3; }
.arena-label { font-size: 11.5px; fill: #cf222e; }
.bound-label { font-size: 11.5px; fill: #1a7f37; }
.bar { fill: #8fb3d9; }
.bar.peak { fill: #cf222e; }
.legend { font-size: 12.5px; margin: 6px 0 2px 0; display: flex; gap: 18px; align-items: center; }
.sw { display: inline-block; width: 14px; height: 10px; margin-right: 5px; vertical-align: middle; }
.ln { display: inline-block; width: 22px; height: 0; margin-right: 5px; vertical-align: middle; }
table { border-collapse: collapse; font-size: 12px; margin-top: 8px; }
th, td { border-bottom: 1px solid #eaeef2; padding: 3px 10px; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
details summary { cursor: pointer; font-size: 14px; margin-top: 20px; }
.pbar { height: 10px; background: #8fb3d9; min-width: 1px; }
.bar.patched { fill: #b07aa1; }
.patch-band { fill: #b07aa1; opacity: 0.12; }
.patch-label { font-size: 11.5px; fill: #7b4f73; }
.tbar { fill: #59a14f; }
.tbar.patched { fill: #b07aa1; }
tr.patched td.stage { color: #7b4f73; font-weight: 600; }
td.k { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 11px; }
)";

}  // namespace

std::string html_escape(const std::string& s) { return escape_cps(code_points(s)); }

std::string report_html(const json& r, const json* profile) {
  const json& layers = arr(r, "layers");
  const json& buffers = arr(r, "buffers");
  const uint64_t arena = num(r, "arena_bytes"), bound = num(r, "lower_bound_bytes");
  const std::string name = str(r, "name", "model");

  // Steps: one column per layer (and enough for every buffer's lifetime).
  size_t steps = layers.size();
  uint64_t top_end = std::max<uint64_t>(arena, bound);
  for (const auto& b : buffers) {
    steps = std::max<size_t>(steps, static_cast<size_t>(num(b, "last_step")) + 1);
    top_end = std::max(top_end, num(b, "offset") + num(b, "bytes"));
  }
  steps = std::max<size_t>(steps, 1);
  const XScale xs{steps};
  uint64_t peak_live = 0;
  for (const auto& L : layers) peak_live = std::max(peak_live, num(L, "live_bytes"));
  const bool has_peak = r.contains("peak_layer") && r["peak_layer"].is_number_integer();
  const uint64_t peak_layer = has_peak ? num(r, "peak_layer") : 0;

  // The patch plan (report `patch`, null without one): layers 0 .. split_layer run patch by patch.
  const bool patched = r.contains("patch") && r["patch"].is_object();
  const size_t split = patched ? static_cast<size_t>(num(r["patch"], "split_layer")) : 0;
  const std::string grid = patched ? str(r["patch"], "grid") : std::string();
  const uint64_t npatches = patched ? num(r["patch"], "patches") : 0;
  auto in_stage = [&](size_t i) { return patched && i <= split; };
  // Kernel variants of a layer's calls, `+`-joined (report `layers[].kernels`).
  auto kernels_of = [&](const json& L) {
    std::string k;
    for (const auto& v : arr(L, "kernels")) {
      if (!v.is_string()) continue;
      if (!k.empty()) k += "+";
      k += v.get<std::string>();
    }
    return k;
  };
  // The profile (profile.json of `ferrite run --profile`), summed per layer (`node`: the execution
  // step) and over the patch rows of a patched stage.
  const bool has_profile = profile && profile->is_object() && profile->contains("rows") && (*profile)["rows"].is_array();
  std::vector<double> layer_count(layers.size(), -1.0);
  double patch_count = 0, prof_top = 0, prof_total = 0;
  size_t patch_rows = 0;
  const std::string prof_unit = has_profile ? str(*profile, "unit", "count") : std::string();
  if (has_profile) {
    for (const auto& row : (*profile)["rows"]) {
      const double c = real(row, "count", 0);
      prof_total += c;
      if (str(row, "kind") == "patch") {
        patch_count += c;
        ++patch_rows;
      } else if (row.contains("node") && row["node"].is_number_integer() && row["node"].get<int64_t>() >= 0 &&
                 num(row, "node") < layers.size()) {
        double& lc = layer_count[static_cast<size_t>(num(row, "node"))];
        lc = std::max(lc, 0.0) + c;
      }
    }
    for (double c : layer_count) prof_top = std::max(prof_top, c);
    prof_top = std::max(prof_top, patch_count);
  }
  auto count_text = [&](double c) {
    return prof_unit == "ns" ? fmt::format("{:.1f} µs", c / 1000.0) : grouped(static_cast<uint64_t>(c + 0.5));
  };

  std::string o;
  o += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  o += fmt::format("<title>{} — memory plan (ferrite)</title>\n", html_escape(name));
  o += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n<main>\n";

  // ---- header ----
  o += fmt::format("<h1>{} — memory plan</h1>\n", html_escape(name));
  o += fmt::format("<div class=\"sub\">model {} · target {} · planner {} · ferrite {}</div>\n",
                   html_escape(str(r, "model")), html_escape(str(r, "target")), html_escape(str(r, "planner")),
                   html_escape(str(r, "ferrite_version")));
  auto card = [&](const std::string& k, const std::string& v) {
    o += fmt::format("<div class=\"card\"><div class=\"k\">{}</div><div class=\"v\">{}</div></div>\n", k, v);
  };
  o += "<div class=\"cards\">\n";
  card("arena (SRAM for activations)", bytes_text(arena));
  card("lower bound (peak live bytes)", bytes_text(bound));
  card("arena / lower bound", fmt::format("{:.3f}", real(r, "arena_to_lower_bound", 1.0)));
  card("weights (flash)", bytes_text(num(r, "weights_bytes")));
  card("MACs per inference", fmt::format("{} ({})", grouped(num(r, "macs")), macs_text(num(r, "macs"))));
  card("layers · buffers", fmt::format("{} · {}", layers.size(), buffers.size()));
  card("patches", patched ? fmt::format("layers 0–{} as a {} grid ({} patches)", split, html_escape(grid), npatches)
                          : std::string("none (layer by layer)"));
  if (has_peak && peak_layer < layers.size()) {
    const json& P = layers[peak_layer];
    card("peak layer", fmt::format("#{} {}", peak_layer, esc_cut(str(P, "op"), 24)));
  }
  o += "</div>\n";

  // ---- timeline ----
  o += "<h2>Arena timeline</h2>\n";
  o += "<div class=\"note\">x: execution step (layer index); y: byte offset in the arena, 0 at the bottom. "
       "Each rectangle is one buffer, from its first to its last step, at its offset. "
       "Hover for details.</div>\n";
  o += "<div class=\"legend\"><span><span class=\"sw\" style=\"background:#4e79a7\"></span>tensor buffer</span>"
       "<span><span class=\"sw\" style=\"background:#f28e2b\"></span>kernel scratch</span>"
       "<span><span class=\"ln\" style=\"border-top:2px dashed #cf222e\"></span>arena size</span>"
       "<span><span class=\"ln\" style=\"border-top:2px dotted #1a7f37\"></span>lower bound</span></div>\n";
  {
    const double top_pad = 24, h = 520, bottom = 52;
    const double top = static_cast<double>(std::max<uint64_t>(top_end, 1)) * 1.06;
    auto y = [&](double v) { return top_pad + h - v / top * h; };
    o += fmt::format("<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
                     "viewBox=\"0 0 {0} {1}\" role=\"img\" aria-label=\"arena offset versus execution step\">\n",
                     kWidth, top_pad + h + bottom);
    y_axis(o, top, top_pad, h, "arena offset (0 at the bottom)");
    // Light column bands every other step make lifetimes easy to read.
    for (size_t s = 1; s < steps; s += 2)
      o += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#f6f8fa\" opacity=\"0.6\"/>\n",
                       f2(xs.x(static_cast<double>(s))), f2(top_pad), f2(xs.col()), f2(h));
    size_t nt = 0, ns = 0;
    for (size_t i = 0; i < buffers.size(); ++i) {
      const json& b = buffers[i];
      const uint64_t off = num(b, "offset"), bytes = num(b, "bytes"), first = num(b, "first_step"),
                     last = std::max(num(b, "last_step"), first);
      const bool scratch = str(b, "kind") == "scratch";
      const char* fill = scratch ? kScratchFill[ns++ % 3] : kTensorFill[nt++ % 6];
      const double x0 = xs.x(static_cast<double>(first)), x1 = xs.x(static_cast<double>(last + 1));
      const double y1 = y(static_cast<double>(off)), y0 = y(static_cast<double>(off + bytes));
      const double hh = std::max(y1 - y0, 1.0);  // tiny buffers stay visible
      std::string tip = fmt::format("buffer #{}: {}\n{} ({})\noffset {} .. {}\nsteps {} .. {}", i,
                                    esc_cut(str(b, "name"), 200), bytes_text(bytes), scratch ? "scratch" : "tensor",
                                    grouped(off), grouped(off + bytes), first, last);
      if (!anchor_text(b).empty()) tip += "\n" + anchor_text(b);
      const json& ts = arr(b, "tensors");
      if (!ts.empty()) {
        tip += fmt::format("\ntensors ({}):", ts.size());
        for (size_t k = 0; k < ts.size() && k < 12; ++k)
          tip += "\n  " + esc_cut(ts[k].is_string() ? ts[k].get<std::string>() : std::string(), 120);
        if (ts.size() > 12) tip += fmt::format("\n  … (+{} more)", ts.size() - 12);
      }
      o += fmt::format("<rect class=\"buf\" data-buffer=\"{}\" data-kind=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" "
                       "height=\"{}\" fill=\"{}\"><title>{}</title></rect>\n",
                       i, scratch ? "scratch" : "tensor", f2(x0), f2(y1 - hh), f2(x1 - x0), f2(hh), fill, tip);
      // A label when the rectangle has room for a few characters.
      const double w = x1 - x0;
      if (w >= 20 && hh >= 13) {
        // "#index" always; then as much of the end of the name as fits (6.2 px per character).
        std::string label = fmt::format("#{}", i);
        const double room = (w - 6) / 6.2 - static_cast<double>(label.size()) - 1;
        if (room >= 6) label += " " + esc_tail(str(b, "name"), static_cast<size_t>(room));
        o += fmt::format("<text class=\"buf-label\" x=\"{}\" y=\"{}\">{}</text>\n", f2(x0 + 3), f2(y1 - hh + 12),
                         label);
      }
    }
    // Marker lines: the labels go in the right margin, nudged apart when the values are close.
    const double ya = y(static_cast<double>(arena)), yb = y(static_cast<double>(bound));
    const bool close = std::fabs(ya - yb) < 14;
    marker(o, yb, "bound", "lower bound " + tick_text(static_cast<double>(bound)), close ? 14 : 4);
    marker(o, ya, "arena", "arena " + tick_text(static_cast<double>(arena)), close ? -4 : 4);
    x_axis(o, xs, top_pad + h, "execution step (layer index)");
    o += "</svg>\n";
  }
  o += fmt::format("<div class=\"note\">Buffers drawn: <span id=\"rendered-buffers\">(not counted: scripts are "
                   "off)</span> of {}.</div>\n",
                   buffers.size());

  // ---- live bytes per layer ----
  o += "<h2>Live bytes per layer</h2>\n";
  o += "<div class=\"note\">Bytes of all buffers live at each step (including that layer's scratch); the peak "
       "layer is red, and its height is the lower bound. Hover a bar for the layer.</div>\n";
  {
    const double top_pad = 16, h = 220, bottom = 52;
    const double top = static_cast<double>(std::max<uint64_t>(std::max(peak_live, arena), 1)) * 1.08;
    auto y = [&](double v) { return top_pad + h - v / top * h; };
    o += fmt::format("<svg id=\"live\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
                     "viewBox=\"0 0 {0} {1}\" role=\"img\" aria-label=\"live bytes per layer\">\n",
                     kWidth, top_pad + h + bottom);
    y_axis(o, top, top_pad, h, "live bytes");
    const double bw = std::max(xs.col() * 0.78, 1.0);
    for (size_t i = 0; i < layers.size(); ++i) {
      const json& L = layers[i];
      const uint64_t live = num(L, "live_bytes");
      const bool peak = has_peak && i == peak_layer;
      const double y0 = y(static_cast<double>(live));
      std::string tip = fmt::format("layer #{}: {}\nop {}", i, esc_cut(str(L, "name"), 200), esc_cut(str(L, "op"), 60));
      if (L.contains("fused_activation") && L["fused_activation"].is_string())
        tip += " + " + esc_cut(L["fused_activation"].get<std::string>(), 80);
      tip += fmt::format("\nlive {}\nscratch {}\nMACs {}{}", bytes_text(live), bytes_text(num(L, "scratch_bytes")),
                         grouped(num(L, "macs")), peak ? "\n(peak)" : "");
      if (in_stage(i)) tip += fmt::format("\nruns in patches ({} grid, {} patches)", html_escape(grid), npatches);
      else if (!kernels_of(L).empty()) tip += "\nkernel " + esc_cut(kernels_of(L), 200);
      if (has_profile && layer_count[i] >= 0) tip += fmt::format("\n{} {}", count_text(layer_count[i]), html_escape(prof_unit));
      o += fmt::format("<rect class=\"bar{}\" data-layer=\"{}\"{} x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\">"
                       "<title>{}</title></rect>\n",
                       peak ? " peak" : (in_stage(i) ? " patched" : ""), i, in_stage(i) ? " data-patched=\"1\"" : "", f2(xs.x(static_cast<double>(i)) + (xs.col() - bw) / 2), f2(y0), f2(bw),
                       f2(top_pad + h - y0), tip);
    }
    if (patched && split < layers.size()) {
      const double x0 = xs.x(0.0), x1 = xs.x(static_cast<double>(split + 1));
      o += fmt::format("<rect class=\"patch-band\" id=\"patch-stage\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\">"
                       "<title>patched stage: layers 0–{} run once per patch of a {} grid ({} patches)</title></rect>\n",
                       f2(x0), f2(top_pad), f2(x1 - x0), f2(h), split, html_escape(grid), npatches);
      o += fmt::format("<text class=\"patch-label\" x=\"{}\" y=\"{}\">patches {} (layers 0–{})</text>\n", f2(x0 + 4),
                       f2(top_pad + 12), html_escape(grid), split);
    }
    marker(o, y(static_cast<double>(arena)), "arena", "arena " + tick_text(static_cast<double>(arena)), 4);
    if (has_peak && peak_layer < layers.size()) {
      const double px = xs.x(static_cast<double>(peak_layer) + 0.5);
      const double py = y(static_cast<double>(num(layers[peak_layer], "live_bytes")));
      o += fmt::format("<text class=\"arena-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">peak #{}</text>\n",
                       f2(px), f2(std::max(py - 5, top_pad + 9)), peak_layer);
    }
    x_axis(o, xs, top_pad + h, "execution step (layer index)");
    o += "</svg>\n";
  }

  // ---- time per layer (only with a profile) ----
  if (has_profile && prof_top > 0) {
    o += fmt::format("<h2 id=\"time\">{} per layer</h2>\n",
                     prof_unit == "instructions" ? "Instructions" : prof_unit == "ns" ? "Time" : "Count");
    o += fmt::format("<div class=\"note\">From the profile ({} on {}): one bar per layer, on the same steps as above{}. "
                     "Hover a bar for the figure.</div>\n",
                     html_escape(prof_unit), html_escape(str(*profile, "target")),
                     patched ? "; the patched stage's code runs per patch, so its layers share one bar (all patches)"
                             : "");
    const double top_pad = 16, h = 160, bottom = 52;
    const double top = prof_top * 1.08;
    auto y = [&](double v) { return top_pad + h - v / top * h; };
    o += fmt::format("<svg id=\"time-per-layer\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
                     "viewBox=\"0 0 {0} {1}\" role=\"img\" aria-label=\"profile count per layer\">\n",
                     kWidth, top_pad + h + bottom);
    y_axis(o, top, top_pad, h, prof_unit == "ns" ? "ns" : prof_unit == "instructions" ? "instructions" : "count", true);
    const double bw = std::max(xs.col() * 0.78, 1.0);
    if (patched && patch_rows > 0 && split < layers.size()) {
      const double x0 = xs.x(0.0), x1 = xs.x(static_cast<double>(split + 1)), y0 = y(patch_count);
      o += fmt::format("<rect class=\"tbar patched\" data-time-patches=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\">"
                       "<title>patched stage, layers 0–{}: {} {} over {} patches ({:.1f} % of the total)</title></rect>\n",
                       patch_rows, f2(x0 + (xs.col() - bw) / 2), f2(y0), f2(x1 - x0 - (xs.col() - bw)), f2(top_pad + h - y0),
                       split, count_text(patch_count), html_escape(prof_unit), patch_rows,
                       prof_total > 0 ? 100.0 * patch_count / prof_total : 0.0);
    }
    for (size_t i = 0; i < layers.size(); ++i) {
      if (layer_count[i] < 0) continue;
      const double y0 = y(layer_count[i]);
      o += fmt::format("<rect class=\"tbar\" data-time-layer=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\">"
                       "<title>layer #{}: {}\n{} {} ({:.1f} % of the total)</title></rect>\n",
                       i, f2(xs.x(static_cast<double>(i)) + (xs.col() - bw) / 2), f2(y0), f2(bw), f2(top_pad + h - y0), i,
                       esc_cut(str(layers[i], "name"), 200), count_text(layer_count[i]), html_escape(prof_unit),
                       prof_total > 0 ? 100.0 * layer_count[i] / prof_total : 0.0);
    }
    x_axis(o, xs, top_pad + h, "execution step (layer index)");
    o += "</svg>\n";
  }

  // ---- layers: kernel variant, patches, profile ----
  o += "<h2 id=\"layers\">Layers</h2>\n";
  o += "<div class=\"note\">Each layer's kernel variant (the generated calls, docs/kernels.md)";
  if (patched)
    o += fmt::format("; layers 0–{} form the patched stage: their code runs once per patch of the {} grid "
                     "({} patches), in the patch functions",
                     split, html_escape(grid), npatches);
  if (has_profile) o += fmt::format("; {} from the profile", html_escape(prof_unit));
  o += ".</div>\n";
  o += "<table id=\"layer-rows\">\n<tr><th>#</th><th>op</th><th>name</th><th>kernel variant</th><th>runs</th>"
       "<th>MACs</th><th>live bytes</th>";
  if (has_profile) o += fmt::format("<th>{}</th><th>share</th>", html_escape(prof_unit));
  o += "</tr>\n";
  for (size_t i = 0; i < layers.size(); ++i) {
    const json& L = layers[i];
    std::string op = esc_cut(str(L, "op"), 40);
    if (L.contains("fused_activation") && L["fused_activation"].is_string())
      op += "+" + esc_cut(L["fused_activation"].get<std::string>(), 40);
    const std::string k = kernels_of(L);
    o += fmt::format("<tr data-layer=\"{}\"{}><td class=\"n\">{}</td><td>{}</td><td>{}</td><td class=\"k\">{}</td>"
                     "<td class=\"stage\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
                     i, in_stage(i) ? " class=\"patched\"" : "", i, op, esc_tail(str(L, "name"), 80),
                     in_stage(i) ? std::string("(in the patch functions)") : (k.empty() ? std::string("-") : esc_cut(k, 120)),
                     in_stage(i) ? "patch " + html_escape(grid) : std::string("whole"), grouped(num(L, "macs")),
                     grouped(num(L, "live_bytes")));
    if (has_profile) {
      if (layer_count[i] >= 0)
        o += fmt::format("<td class=\"n\">{}</td><td class=\"n\">{:.1f} %</td>", count_text(layer_count[i]),
                         prof_total > 0 ? 100.0 * layer_count[i] / prof_total : 0.0);
      else
        o += in_stage(i) ? "<td class=\"n\">(patches)</td><td></td>" : "<td class=\"n\">-</td><td></td>";
    }
    o += "</tr>\n";
  }
  if (has_profile && patch_rows > 0)
    o += fmt::format("<tr class=\"patched\" id=\"patch-total\"><td></td><td>patches</td><td>{} patch calls, layers 0–{}</td>"
                     "<td></td><td class=\"stage\">patch {}</td><td></td><td></td><td class=\"n\">{}</td>"
                     "<td class=\"n\">{:.1f} %</td></tr>\n",
                     patch_rows, split, html_escape(grid), count_text(patch_count),
                     prof_total > 0 ? 100.0 * patch_count / prof_total : 0.0);
  o += "</table>\n";

  // ---- per-layer profile (ferrite run --profile's profile.json, given with --profile-json) ----
  if (profile && profile->is_object() && profile->contains("rows") && (*profile)["rows"].is_array()) {
    const json& P = *profile;
    const std::string unit = str(P, "unit", "count");
    const json& rows = P["rows"];
    double top = 0;
    for (const auto& row : rows) top = std::max(top, real(row, "count", 0));
    o += "<h2 id=\"profile\">Profile</h2>\n";
    o += fmt::format("<div class=\"note\">{} per inference, per layer call, on {}{} (ferrite run --profile; "
                     "mark overhead {} {} subtracted per row). Total {} {}, {} per MAC.</div>\n",
                     html_escape(unit == "instructions" ? "Retired instructions" : unit), html_escape(str(P, "target")),
                     P.contains("qemu_machine") ? " (QEMU " + html_escape(str(P, "qemu_machine")) + " -icount shift=0)" : "",
                     f2(real(P, "mark_overhead", 0)), html_escape(unit), grouped(static_cast<uint64_t>(real(P, "total", 0))),
                     html_escape(unit), P.contains("per_mac") && P["per_mac"].is_number() ? f2(real(P, "per_mac", 0)) : "-");
    o += fmt::format("<table id=\"profile-rows\">\n<tr><th>#</th><th>op</th><th>name</th><th>kernel</th><th>MACs</th>"
                     "<th>{}</th><th>per MAC</th><th>share</th><th></th></tr>\n",
                     html_escape(unit));
    for (const auto& row : rows) {
      const double c = real(row, "count", 0);
      std::string per = "-";
      if (row.contains("per_mac") && row["per_mac"].is_number()) per = f2(row["per_mac"].get<double>());
      else if (row.contains("per_element") && row["per_element"].is_number())
        per = f2(row["per_element"].get<double>()) + " /elem";
      o += fmt::format("<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td>"
                       "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.1f} %</td>"
                       "<td style=\"width:220px\"><div class=\"pbar\" style=\"width:{}px\"></div></td></tr>\n",
                       num(row, "index"), esc_cut(str(row, "op"), 40), esc_tail(str(row, "name"), 60),
                       esc_cut(str(row, "kernel"), 60), grouped(num(row, "macs")),
                       grouped(static_cast<uint64_t>(c + 0.5)), per, 100.0 * real(row, "share", 0),
                       f2(top > 0 ? 220.0 * c / top : 0.0));
    }
    o += "</table>\n";
  }

  // ---- buffer table ----
  o += fmt::format("<details><summary>All {} buffers</summary>\n<table>\n<tr><th>#</th><th>name</th><th>kind</th>"
                   "<th>offset</th><th>bytes</th><th>steps</th><th>tensors</th></tr>\n",
                   buffers.size());
  for (size_t i = 0; i < buffers.size(); ++i) {
    const json& b = buffers[i];
    std::string tensors;
    for (const auto& t : arr(b, "tensors")) {
      if (!tensors.empty()) tensors += "<br>";
      tensors += html_escape(t.is_string() ? t.get<std::string>() : std::string());
    }
    if (!anchor_text(b).empty()) tensors += " <i>(" + anchor_text(b) + ")</i>";
    o += fmt::format("<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                     "<td class=\"n\">{}–{}</td><td>{}</td></tr>\n",
                     i, html_escape(str(b, "name")), html_escape(str(b, "kind")), grouped(num(b, "offset")),
                     grouped(num(b, "bytes")), num(b, "first_step"), num(b, "last_step"), tensors);
  }
  o += "</table>\n</details>\n";
  o += "<div class=\"note\">Generated by ferrite from the memory report (docs/report-schema.md). "
       "This page is self-contained: it loads nothing.</div>\n";
  o += "</main>\n";
  // Counts the buffer rectangles that the browser actually laid out (tests/report/test_memory_html.sh).
  o += R"(<script>
window.addEventListener('load', function () {
  var n = 0;
  document.querySelectorAll('rect[data-buffer]').forEach(function (r) {
    var b = r.getBBox();
    if (b.width > 0 && b.height > 0) n++;
  });
  document.getElementById('rendered-buffers').textContent = String(n);
});
</script>
)";
  o += "</body>\n</html>\n";
  return o;
}

}  // namespace ferrite
