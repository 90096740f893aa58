// NumPy .npy files (format 1.0/2.0, little-endian, C order) for `ferrite run` inputs and outputs.
#pragma once
#include <string>

#include "ir/ir.h"

namespace ferrite {
Expected<Tensor> read_npy(const std::string& path);
// The same from the file's bytes (`what` names it in messages), e.g. a member of an .npz archive.
Expected<Tensor> parse_npy(const std::string& bytes, const std::string& what);
Status write_npy(const std::string& path, const Tensor& t);
// .npy or ONNX TensorProto .pb, by content (the .npy magic) rather than by extension.
Expected<Tensor> read_tensor_file(const std::string& path);
// numpy has no bfloat16, so bfloat16 data comes as uint16 bit patterns (ONNX's node-test data hold
// it so, and `ferrite run` writes it so): relabels `t` as bfloat16 when `model` is bfloat16 and `t`
// is uint16. True when `t` then has the type `model`.
bool match_bf16_bits(Tensor& t, DType model);
}  // namespace ferrite
