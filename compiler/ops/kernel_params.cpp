// ParamsBox (ops/lower.h): the out-of-line members, where KernelParams is a complete type.
#include "ops/kernel_params.h"

namespace ferrite {

ParamsBox::ParamsBox() : p_(new KernelParams()) {}
ParamsBox::ParamsBox(const ParamsBox& o) : p_(o.p_ ? new KernelParams(*o.p_) : nullptr) {}
ParamsBox& ParamsBox::operator=(const ParamsBox& o) {
  if (this != &o) {
    ParamsBox copy(o);
    std::swap(p_, copy.p_);
  }
  return *this;
}
ParamsBox::~ParamsBox() { delete p_; }

}  // namespace ferrite
