// The runtime kernels compiled into the compiler itself: lowering fills their parameter structs,
// constant folding runs them on the host, and the backend pastes the very same files into the
// generated code. One source of truth for kernel semantics.
#pragma once
#include "common/prelude.h"

namespace ferrite_rt {
#include "common/act.h"
#include "batchnorm/batchnorm_f32.h"
#include "binary/binary_f32.h"
#include "concat/concat.h"
#include "conv/conv_f32.h"
#include "copy/copy.h"
#include "elu/elu_f32.h"
#include "gemm/gemm_f32.h"
#include "layernorm/layernorm_f32.h"
#include "global_pool/global_pool_f32.h"
#include "matmul/matmul_f32.h"
#include "pad/pad_f32.h"
#include "pool/pool_f32.h"
#include "reduce/reduce_f32.h"
#include "resize/resize_f32.h"
#include "rnn/rnn_f32.h"
#include "softmax/softmax_f32.h"
#include "strided_copy/strided_copy_f32.h"
#include "unary/unary_f32.h"
#include "unary/unary_pointwise_f32.h"
// int8
#include "common/requant.h"
#include "binary_s8/binary_s8.h"
#include "concat_s8/concat_s8.h"
#include "conv_s8/conv_s8.h"
#include "fc_s8/fc_s8.h"
#include "lut_s8/lut_s8.h"
#include "pool_s8/pool_s8.h"
#include "quantize/quantize.h"
#include "softmax_s8/softmax_s8.h"
#include "tflite_s8/tflite_s8.h"
#include "resize/resize_s8_tfl.h"
#include "tflite_s8/tflite_s8_reduce.h"
#include "tflite_s8/tflite_s8_x16.h"
#include "window/quantize_window.h"
#include "window/window_copy.h"
// float ops of issue 10 item 2 (ops10)
#include "reduce/reduce_acc_f32.h"
#include "where/where.h"
#include "tile/tile.h"
#include "argmax/argmax_f32.h"
}  // namespace ferrite_rt
