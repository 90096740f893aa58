// Registers ONNX Runtime's com.microsoft quantized operators (QLinearAdd, QLinearConcat, QGemm, ...)
// with ONNX's schema registry, so that ONNX's own checker and shape inference handle QOperator models
// that use them. Idempotent.
#pragma once
namespace ferrite {
void register_contrib_schemas();
}
