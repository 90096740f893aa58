// User errors name the culprit and the valid choices (issue 13): a .tflite given as ONNX, unknown
// targets, unknown --input/--reference names, a uint8 input to a float-only op; progress lines go to
// stderr only, never with --quiet; --weights-* values are checked.
#include "cli_util.h"

TEST_CASE("a file that is not ONNX is named by its magic bytes", "[errors]") {
  TempDir t;
  // (20 bytes: the literal once held 18 and its terminator, and ASan caught the read of the 20th)
  write_bytes(t / "model.tflite", std::string("\x1c\0\0\0TFL3\0\0\x12\0\x1c\0\x04\0\x08\0\0\0", 20));
  write_bytes(t / "model.pt", std::string("PK\x03\x04\x14\0\0\0\0\0", 10));
  // A damaged TFLite file goes to the TFLite frontend (docs/tflite.md), which names the damage.
  auto tfl = ferrite({"compile", (t / "model.tflite").string(), "-o", (t / "out").string()});
  INFO(tfl.out);
  CHECK(tfl.code == 2);
  CHECK_THAT(tfl.out, Contains("corrupt TFLite file"));
  CHECK_FALSE(fs::exists(t / "out"));
  auto r = ferrite({"compile", (t / "model.pt").string(), "-o", (t / "out").string()});
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Contains("is not an ONNX model") && Contains("torch.onnx.export"));
  CHECK_FALSE(fs::exists(t / "out"));
  // A .npy array given as the model is named as one.
  write_npy_f32(t / "x.onnx", {1, 4}, ramp(4));
  auto n = ferrite({"report", (t / "x.onnx").string()});
  INFO(n.out);
  CHECK(n.code == 2);
  CHECK_THAT(n.out, Contains("NumPy .npy array"));
  // An ONNX model goes to the ONNX frontend whatever its name says (the content decides).
  save(conv_relu_model(), t / "net.tflite");
  auto o = ferrite({"report", (t / "net.tflite").string()});
  INFO(o.out);
  CHECK(o.code == 0);
}

TEST_CASE("an unknown target lists the valid ones", "[errors]") {
  TempDir t;
  save(conv_relu_model(), t / "net.onnx");
  auto c = ferrite({"compile", (t / "net.onnx").string(), "-o", (t / "out").string(), "--target", "esp32"});
  INFO(c.out);
  CHECK(c.code == 2);
  CHECK_THAT(c.out, Contains("unknown target 'esp32'") && Contains("cortex-m4") && Contains("cortex-m55") && Contains("host"));
  auto r = ferrite({"run", (t / "net.onnx").string(), "--output-dir", (t / "run").string(), "--target", "esp32"});
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Contains("unknown run target 'esp32'") && Contains("qemu-cortex-m4") && Contains("host"));
}

TEST_CASE("unknown --input and --reference names list the model's names", "[errors]") {
  TempDir t;
  save(conv_relu_model(), t / "net.onnx");
  write_npy_f32(t / "x.npy", {1, 3, 16, 16}, ramp(3 * 16 * 16));
  auto r = ferrite({"run", (t / "net.onnx").string(), "--output-dir", (t / "run").string(), "--input",
                    "imag=" + (t / "x.npy").string()});
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Contains("--input imag: the model has no input of that name (its inputs: 'image')"));
  auto ref = ferrite({"run", (t / "net.onnx").string(), "--output-dir", (t / "run2").string(), "--input",
                      "image=" + (t / "x.npy").string(), "--reference", "feature=" + (t / "x.npy").string()});
  INFO(ref.out);
  CHECK(ref.code == 2);
  CHECK_THAT(ref.out, Contains("--reference feature: the model has no output of that name (its outputs: 'features')"));
}

TEST_CASE("a uint8 input to a float-only operator is named as in the model", "[errors]") {
  TempDir t;
  auto m = new_model("u8abs");
  add_input(m, "pixels", {1, 4}, onnx::TensorProto::UINT8);
  add_node(m, "Abs", "abs1", {"pixels"}, {"mag"});
  add_output(m, "mag", {1, 4}, onnx::TensorProto::UINT8);
  save(m, t / "u8.onnx");
  auto r = ferrite({"report", (t / "u8.onnx").string()});
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Contains("input 'pixels' is uint8; this operator is supported for float32 only"));
  CHECK_THAT(r.out, !Contains("_int8"));
}

TEST_CASE("uint8 arithmetic: compiled when only arithmetic reads the tensor, else refused naming it", "[errors]") {
  TempDir t;
  auto m = new_model("u8add");
  add_input(m, "pixels", {1, 4}, onnx::TensorProto::UINT8);
  add_node(m, "Add", "add1", {"pixels", "pixels"}, {"sum"});
  add_output(m, "sum", {1, 4}, onnx::TensorProto::UINT8);
  save(m, t / "add.onnx");
  auto ok = ferrite({"compile", (t / "add.onnx").string(), "-o", (t / "out").string()});
  INFO(ok.out);
  CHECK(ok.code == 0);
  CHECK_THAT(read_bytes(t / "out" / "add.cpp"), Contains("ferrite_rt::binary_u8("));
  // The same input also read by an operator that gets uint8 data as int8: refused, naming 'pixels'.
  add_node(m, "Abs", "abs1", {"pixels"}, {"mag"});
  add_output(m, "mag", {1, 4}, onnx::TensorProto::UINT8);
  save(m, t / "mix.onnx");
  auto r = ferrite({"report", (t / "mix.onnx").string()});
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Contains("uint8 tensor 'pixels' is used both by integer arithmetic (Add)"));
  CHECK_THAT(r.out, !Contains("_int8"));
  // An int16 result read by a float32-only operator (Relu): refused naming the tensor.
  auto pm = new_model("powi8");
  add_input(pm, "base", {1, 4}, onnx::TensorProto::INT16);
  add_input(pm, "e", {1, 4}, onnx::TensorProto::INT16);
  add_node(pm, "Sub", "sub1", {"base", "e"}, {"d"});
  add_node(pm, "Relu", "relu1", {"d"}, {"y"});
  add_output(pm, "y", {1, 4}, onnx::TensorProto::INT16);
  save(pm, t / "relu.onnx");
  auto rr = ferrite({"report", (t / "relu.onnx").string()});
  INFO(rr.out);
  CHECK(rr.code == 2);
  CHECK_THAT(rr.out, Contains("'d' is int16"));
}

TEST_CASE("progress lines go to stderr, never with --quiet or into --json", "[errors][progress]") {
  TempDir t;
  save(conv_relu_model(), t / "net.onnx");
  const std::string model = (t / "net.onnx").string();
  // --timing prints every step (stderr is not a terminal here).
  auto timed = ferrite({"compile", model, "-o", (t / "a").string(), "--timing"});
  INFO(timed.out);
  CHECK(timed.code == 0);
  for (const char* step : {"ferrite: import", "ferrite: memory plan", "ferrite: emit C++", "ferrite: total"})
    CHECK_THAT(timed.out, Contains(step));
  // Not a terminal and no --timing/--progress: no step lines.
  auto plain = ferrite({"compile", model, "-o", (t / "b").string()});
  CHECK(plain.code == 0);
  CHECK_THAT(plain.out, !Contains("ferrite: import"));
  // --quiet wins over --timing and --progress.
  auto quiet = ferrite({"compile", model, "-o", (t / "c").string(), "-q", "--timing", "--progress"});
  CHECK(quiet.code == 0);
  CHECK_THAT(quiet.out, !Contains("ferrite: "));
  // stdout of report --json stays one JSON document with --timing (the lines go to stderr).
  const std::string cmd = std::string(FERRITE_BIN) + " report '" + model + "' --json --timing > '" +
                          (t / "r.json").string() + "' 2> '" + (t / "r.err").string() + "'";
  REQUIRE(std::system(cmd.c_str()) == 0);
  CHECK(nlohmann::json::parse(read_bytes(t / "r.json"), nullptr, false).is_object());
  CHECK_THAT(read_bytes(t / "r.err"), Contains("ferrite: import") && Contains("ferrite: total"));
}

TEST_CASE("--weights-format, --weights-section and --weights-align are checked", "[errors][weights]") {
  TempDir t;
  save(conv_relu_model(), t / "net.onnx");
  const std::string model = (t / "net.onnx").string(), out = (t / "out").string();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--weights-format", "hex"}, "incbin"},
      {{"--weights-align", "24"}, "power of two"},
      {{"--weights-align", "8"}, "power of two"},
      {{"--weights-section", "a\"b"}, "section name"},
      {{"--weights-section", "9x"}, "section name"},
  };
  for (const auto& [args, expect] : cases) {
    std::vector<std::string> a = {"compile", model, "-o", out};
    a.insert(a.end(), args.begin(), args.end());
    auto r = ferrite(a);
    INFO(args[0] << " " << args[1] << "\n" << r.out);
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Contains(expect));
    CHECK_FALSE(fs::exists(out));
  }
  // The default writes the .bin; text and array do not.
  for (const char* fmt : {"incbin", "text", "array"}) {
    const fs::path d = t / fmt;
    auto r = ferrite({"compile", model, "-o", d.string(), "--weights-format", fmt});
    INFO(r.out);
    REQUIRE(r.code == 0);
    CHECK(fs::exists(d / "net_weights.bin") == (std::string(fmt) == "incbin"));
    auto rep = nlohmann::json::parse(read_bytes(d / "net_report.json"));
    CHECK(rep["weights_format"] == fmt);
    CHECK(rep["weights_section"] == ".rodata.weights");
    // conv1.weight (216 floats = 864 bytes) + conv1.bias at offset 864: 896 bytes (+ NUL for text).
    CHECK(rep["weights_section_bytes"] == (std::string(fmt) == "text" ? 897 : 896));
  }
}

TEST_CASE("the text report keeps long layer names, shows kernels and why the plan was chosen", "[errors][report]") {
  TempDir t;
  auto m = conv_relu_model();
  const std::string long_name = "/features/features.0/block_with_a_rather_long_name/Conv";
  m.mutable_graph()->mutable_node(0)->set_name(long_name);
  save(m, t / "net.onnx");
  auto r = ferrite({"report", (t / "net.onnx").string()});
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Contains(long_name + " "));
  CHECK_THAT(r.out, Contains("kernel (P = runs patch by patch)") && Contains("conv2d_f32"));
  CHECK_THAT(r.out, Contains("  plan         default (no --sram-budget)"));
  auto b = ferrite({"report", (t / "net.onnx").string(), "--sram-budget", "1MiB"});
  INFO(b.out);
  REQUIRE(b.code == 0);
  CHECK_THAT(b.out, Contains("  plan         --sram-budget 1048576 B: the layer-by-layer arena") && Contains("fits, so no patches"));
}

TEST_CASE("graph inputs and outputs that are not tensors are refused naming them and their type", "[errors]") {
  TempDir t;
  // Identity over a sequence of float tensors (ONNX's test_identity_sequence), over an optional tensor
  // (test_identity_opt), and a tensor input with a map-typed output.
  auto typed = [](const std::string& in_kind) {
    auto m = new_model("non_tensor");
    auto* in = m.mutable_graph()->add_input();
    in->set_name("x");
    auto* out = m.mutable_graph()->add_output();
    out->set_name("y");
    onnx::TypeProto tensor;
    tensor.mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    tensor.mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(4);
    if (in_kind == "seq") {
      *in->mutable_type()->mutable_sequence_type()->mutable_elem_type() = tensor;
      *out->mutable_type() = in->type();
    } else if (in_kind == "optional") {
      *in->mutable_type()->mutable_optional_type()->mutable_elem_type() = tensor;
      *out->mutable_type() = in->type();
    } else {
      *in->mutable_type() = tensor;
      out->mutable_type()->mutable_map_type()->set_key_type(onnx::TensorProto::INT64);
      *out->mutable_type()->mutable_map_type()->mutable_value_type() = tensor;
    }
    add_node(m, "Identity", "id", {"x"}, {"y"});
    return m;
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"seq", "graph input 'x' has type seq(tensor(FLOAT))"},
      {"optional", "graph input 'x' has type optional(tensor(FLOAT))"},
      {"map", "graph output 'y' has type map(INT64, tensor(FLOAT))"}};
  for (const auto& [kind, expect] : cases) {
    save(typed(kind), t / (kind + ".onnx"));
    for (const std::string cmd : {"compile", "run"}) {
      // run reads its --input files by the model's input names first: a sequence's .pb must not be
      // parsed as a tensor before the model is refused
      write_npy_f32(t / "x.npy", {4}, ramp(4));
      std::vector<std::string> args = {cmd, (t / (kind + ".onnx")).string()};
      if (cmd == "compile") args.insert(args.end(), {"-o", (t / "out").string()});
      else args.insert(args.end(), {"--output-dir", (t / "out").string(), "--input", (t / "x.npy").string()});
      auto r = ferrite(args);
      INFO(cmd << " " << kind << ": " << r.out);
      CHECK(r.code == 2);
      CHECK_THAT(r.out, Contains(expect) && Contains("inputs and outputs are tensors"));
      CHECK_THAT(r.out, !Contains("--input-shape"));
      CHECK_FALSE(fs::exists(t / "out"));
    }
  }
}
