// The kernel parameter structs as one type: what lowering fills, kernel selection rewrites and the
// backend prints. Includes the kernel headers (ops/kernels_host.h); nothing under passes/ includes
// this file (tests/unit/test_layers.cpp): passes see kernel calls through ops/lower.h only.
#pragma once
#include <variant>

#include "ops/kernels_host.h"
#include "ops/lower.h"

namespace ferrite {

using KernelParamsVariant =
    std::variant<ferrite_rt::ConvParams, ferrite_rt::GemmParams, ferrite_rt::MatMulParams, ferrite_rt::BinaryParams,
                 ferrite_rt::UnaryParams, ferrite_rt::SoftmaxParams, ferrite_rt::PoolParams,
                 ferrite_rt::GlobalPoolParams, ferrite_rt::StridedCopyParams,
                 ferrite_rt::ConcatPartParams, ferrite_rt::PadParams, ferrite_rt::ReduceParams,
                 ferrite_rt::BatchNormParams,
                 // int8
                 ferrite_rt::QuantizeParams, ferrite_rt::RequantizeParams, ferrite_rt::FlipSignParams,
                 ferrite_rt::ConvS8Params, ferrite_rt::FcS8Params, ferrite_rt::MatMulS8Params,
                 ferrite_rt::BinaryS8Params, ferrite_rt::PoolS8Params, ferrite_rt::GlobalPoolS8Params,
                 ferrite_rt::ConcatS8PartParams, ferrite_rt::LutParams, ferrite_rt::SoftmaxS8Params,
                 // patch-based inference
                 ferrite_rt::WindowCopyParams, ferrite_rt::QuantizeWindowParams,
                 // fused blocks
                 ferrite_rt::BottleneckS8Params,
                 // float ops of issue 10 (breadth)
                 ferrite_rt::LayerNormParams, ferrite_rt::ResizeParams, ferrite_rt::RnnParams,
                 // float ops added one by one (docs/adding-an-op.md)
                 ferrite_rt::EluParams,
                 // issue 10 item 2: reductions with a map, Where
                 ferrite_rt::ReduceAccParams, ferrite_rt::WhereParams, ferrite_rt::TileParams,
                 ferrite_rt::ArgMaxParams,
                 // issue 10 (norm10): InstanceNormalization, BatchNormalization training mode
                 ferrite_rt::InstanceNormParams, ferrite_rt::BatchNormTrainParams,

                 // fused pointwise chains (passes/fuse_pointwise.cpp)
                 ferrite_rt::PointwiseParams, ferrite_rt::ExpandDwF32Params,
                 // run-time Cast
                 ferrite_rt::CastParams>;

// A std::variant (std::get, std::get_if, std::visit work on it directly).
struct KernelParams : KernelParamsVariant {
  using KernelParamsVariant::KernelParamsVariant;
};

// Converts a fused activation (or an activation op's own function) to the kernels' ActParams.
ferrite_rt::ActParams to_act_params(const FusedAct& a);

}  // namespace ferrite
