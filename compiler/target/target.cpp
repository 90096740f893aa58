// The target list. Feature sets follow the cores' architecture: the M4/M7/M33 DSP extension and
// FPU as Ferrite's supported boards have them (M4F, M7 with FPv5, M33 with DSP and FPv5-SP), the
// M55 with MVE-I and MVE-F.
#include "target/target.h"

namespace ferrite {

const std::vector<Target>& targets() {
  static const std::vector<Target> t = {
      {"host", kIsaNone, "", "the build machine: portable kernels only (the reference)"},
      {"cortex-m0plus", kIsaNone, "-mcpu=cortex-m0plus -mthumb -mfloat-abi=soft", "Armv6-M, no FPU: portable kernels"},
      {"cortex-m3", kIsaNone, "-mcpu=cortex-m3 -mthumb -mfloat-abi=soft", "Armv7-M, no FPU: portable kernels"},
      {"cortex-m4", kIsaFpu | kIsaDsp, "-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard",
       "Armv7E-M with FPv4-SP (M4F): DSP kernels"},
      {"cortex-m7", kIsaFpu | kIsaDsp, "-mcpu=cortex-m7 -mthumb -mfpu=fpv5-d16 -mfloat-abi=hard",
       "Armv7E-M with FPv5: DSP kernels"},
      {"cortex-m33", kIsaFpu | kIsaDsp, "-mcpu=cortex-m33 -mthumb -mfpu=fpv5-sp-d16 -mfloat-abi=hard",
       "Armv8-M Mainline with DSP and FPv5-SP: DSP kernels"},
      {"cortex-m55", kIsaFpu | kIsaDsp | kIsaMve | kIsaMveF, "-mcpu=cortex-m55 -mthumb -mfloat-abi=hard",
       "Armv8.1-M with Helium (MVE-I, MVE-F): MVE kernels"},
  };
  return t;
}

Expected<Target> find_target(const std::string& name) {
  std::string names;
  for (const Target& t : targets()) {
    if (t.name == name) return t;
    names += (names.empty() ? "" : ", ") + t.name;
  }
  return make_error("unknown target '{}' (valid targets: {})", name, names);
}

const Target& host_target() { return targets().front(); }

std::string isa_names(uint32_t isa) {
  static const char* names[] = {"FPU", "DSP", "MVE", "MVE-F"};
  std::string s;
  for (uint32_t i = 0; i < 4; ++i)
    if (isa & (1u << i)) s += (s.empty() ? "" : "+") + std::string(names[i]);
  return s.empty() ? "portable" : s;
}

}  // namespace ferrite
