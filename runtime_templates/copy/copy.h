// Plain byte copy (a Reshape-family alias whose input and output cannot share storage, e.g. a graph
// input that is also copied to a graph output). memmove semantics.
inline void copy_bytes(const void* x, void* y, size_t bytes) {
  if (x != y) std::memmove(y, x, bytes);
}
