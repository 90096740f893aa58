// The memory-plan picture: one self-contained HTML page (inline SVG, no external resources) drawn
// from the JSON report (docs/report-schema.md). See docs/report-html.md.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace ferrite {
// Arena timeline (offset vs step, one rectangle per buffer), live bytes per layer, and a summary.
// Deterministic: the same report gives the same bytes. Every model-supplied string is escaped.
// With `profile` (a profile.json of `ferrite run --profile`), also a per-layer profile table.
std::string report_html(const nlohmann::json& report, const nlohmann::json* profile = nullptr);
// Escapes text for HTML/XML content and attribute values; invalid UTF-8 and control characters
// become U+FFFD.
std::string html_escape(const std::string& s);
}  // namespace ferrite
