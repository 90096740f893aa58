// TFLite frontend: reads a .tflite file (flatbuffers, schema version 3) with Debian's flatbuffers
// library (its Verifier and Table access; the few schema fields used are read by hand, see
// tflite_import.cpp) and builds the same IR as the ONNX frontend, with Graph::numerics = TFLite.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ir/ir.h"

namespace ferrite {

// True when the file starts like a TFLite flatbuffer (bytes 4..7 are the identifier "TFL3"), whatever
// its name, or when its name ends in .tflite (so a damaged one gets the TFLite frontend's error).
bool is_tflite_file(const std::string& path);

// Imports a .tflite model. Every offset, length and index is checked; an error names the operator
// index and operator ("operator 3 (CONV_2D): ...").
Expected<Graph> import_tflite(const std::string& path);

// Names of the graph inputs as import_tflite names them, in order.
Expected<std::vector<std::string>> tflite_input_names(const std::string& path);

// True for the TFLite operator names (as tflite_operators gives them) the frontend maps.
bool tflite_operator_supported(const std::string& name);

// The TFLite operators the frontend maps, for `ferrite ops` (int8 list, float32 list).
std::pair<std::string, std::string> tflite_supported_lists();

// TFLite's RESIZE_NEAREST_NEIGHBOR index rule (GetNearestNeighbor): the input index of each of the
// `out` output rows (or columns), scale and coordinate in float32 as TFLite computes them.
std::vector<int32_t> tflite_nearest_indices(int32_t in, int32_t out, bool align_corners, bool half_pixel_centers);

// Operators the model uses: builtin name -> count. Reads and verifies the file only.
Expected<std::map<std::string, int>> tflite_operators(const std::string& path);

}  // namespace ferrite
