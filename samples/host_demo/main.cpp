// Host demo of a generated model's API: loads a float32 .npy image, runs the Fashion-MNIST model
// compiled with `ferrite compile ... --name fashion`, prints the class scores and the top class.
#include <cstdio>
#include <cstring>
#include <vector>

#include "fashion.h"

static const char* const kClasses[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                         "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s image.npy (float32, 1x1x28x28)\n", argv[0]);
    return 2;
  }
  std::FILE* f = std::fopen(argv[1], "rb");
  if (!f) return 2;
  std::vector<unsigned char> file(1 << 16);
  const size_t n = std::fread(file.data(), 1, file.size(), f);
  std::fclose(f);
  const size_t header = 10 + (file[8] | (file[9] << 8));  // .npy v1 header
  if (n < header + fashion::kInputs[0].bytes) return 2;

  void* arena = fashion::arena();  // the static arena in .bss.arena (kArenaBytes bytes)
  std::memcpy(fashion::input0(arena), file.data() + header, fashion::kInputs[0].bytes);
  fashion::invoke(arena);
  const float* scores = fashion::output0(arena);
  int best = 0;
  for (int i = 0; i < 10; ++i) {
    std::printf("  %-12s %8.3f\n", kClasses[i], static_cast<double>(scores[i]));
    if (scores[i] > scores[best]) best = i;
  }
  std::printf("prediction: class %d (%s); arena %zu bytes, weights %zu bytes, %llu MACs\n", best, kClasses[best],
              fashion::kArenaBytes, fashion::kWeightsBytes, static_cast<unsigned long long>(fashion::kMacs));
  return 0;
}
