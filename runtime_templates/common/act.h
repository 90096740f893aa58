// Fused activation shared by every float kernel: the activation a producer applies to each output
// value before storing it (Relu, Clip/Relu6, LeakyRelu, HardSigmoid, HardSwish, Sigmoid, Tanh, SiLU).
enum class Act : int32_t { None = 0, Relu = 1, Clip = 2, LeakyRelu = 3, HardSigmoid = 4, HardSwish = 5,
                           Sigmoid = 6, Tanh = 7, Silu = 8 };

struct ActParams {
  Act kind;
  float alpha;  // LeakyRelu slope; HardSigmoid alpha
  float beta;   // HardSigmoid beta
  float lo;     // Clip lower bound (-inf when absent)
  float hi;     // Clip upper bound (+inf when absent)
};

inline float apply_act(const ActParams& a, float v) {
  switch (a.kind) {
    case Act::None: return v;
    case Act::Relu: return v < 0.0f ? 0.0f : v;
    case Act::Clip: return v < a.lo ? a.lo : (v > a.hi ? a.hi : v);
    case Act::LeakyRelu: return v < 0.0f ? v * a.alpha : v;
    case Act::HardSigmoid: {
      float t = a.alpha * v + a.beta;
      return t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
    }
    case Act::HardSwish: {
      float t = v * (1.0f / 6.0f) + 0.5f;
      t = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
      return v * t;
    }
    case Act::Sigmoid: return 1.0f / (1.0f + std::exp(-v));
    case Act::Tanh: return std::tanh(v);
    // SiLU / Swish, x * Sigmoid(x): the Sigmoid above, then the product, in the order the unfused
    // Sigmoid -> Mul pair computes them (same bits).
    case Act::Silu: return v * (1.0f / (1.0f + std::exp(-v)));
  }
  return v;
}
