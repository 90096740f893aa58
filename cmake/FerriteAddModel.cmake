# ferrite_add_model(<target> MODEL <file.onnx> [NAME <name>]
#                   [CPU cortex-m0plus|cortex-m3|cortex-m4|cortex-m7|cortex-m33|cortex-m55|host]
#                   [SRAM_BUDGET <size>] [FLASH_BUDGET <size>]
#                   [WEIGHTS_FORMAT incbin|text|array] [WEIGHTS_SECTION <section>] [WEIGHTS_ALIGN <n>]
#                   [INPUT_SHAPE <name>=<dims>...] [QUANTIZE <calibration data>]
#                   [OPTIONS <extra ferrite compile args>...])
#
# Adds a custom command that runs `ferrite compile` at BUILD time into
# ${CMAKE_CURRENT_BINARY_DIR}/ferrite/<target>/ and a STATIC library <target> made of the generated
# <name>.cpp and <name>_weights.cpp, with that directory as PUBLIC include directory (it also holds
# <name>_weights.bin, which the default WEIGHTS_FORMAT incbin reads with `.incbin`). The code is
# regenerated when the model file, the arguments or the ferrite executable change. A budget overrun
# makes `ferrite compile` exit 1 with the report's message, which fails the build.
#
# Sizes: 65536, 64KiB/64K (x1024), 1MiB/1M, 64KB (x1000), as for `ferrite compile`.
# CPU also accepts m0plus, m3, m4, m7, m33, m55 (without the cortex- prefix); default: host.
# FLASH_BUDGET is compared with the report's weights_bytes (code size is not included).
# QUANTIZE: MODEL is a float model, quantized to int8 at build time from this calibration data (a
# file or folder, as `ferrite quantize --calibration`, docs/quantization.md); the QDQ model is kept
# as <name>_int8.onnx. A data file is a dependency; a folder's contents are not tracked.
#
# Properties set on <target>: FERRITE_NAME, FERRITE_GENERATED_DIR, FERRITE_REPORT_JSON (paths to the
# generated directory and <name>_report.json).
include_guard(GLOBAL)

function(ferrite_add_model target)
  cmake_parse_arguments(PARSE_ARGV 1 FAM "" "MODEL;NAME;CPU;SRAM_BUDGET;FLASH_BUDGET;WEIGHTS_FORMAT;WEIGHTS_SECTION;WEIGHTS_ALIGN;QUANTIZE"
                        "INPUT_SHAPE;OPTIONS")
  if(FAM_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "ferrite_add_model(${target}): unknown arguments: ${FAM_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT FAM_MODEL)
    message(FATAL_ERROR "ferrite_add_model(${target}): MODEL <file.onnx> is required")
  endif()
  if(NOT TARGET Ferrite::ferrite)
    message(FATAL_ERROR "ferrite_add_model(${target}): the Ferrite::ferrite executable target does not exist "
                        "(use find_package(Ferrite) or add_subdirectory of the Ferrite source tree)")
  endif()
  get_filename_component(model "${FAM_MODEL}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${model}")
    message(FATAL_ERROR "ferrite_add_model(${target}): model file '${model}' does not exist")
  endif()
  if(FAM_NAME)
    set(name "${FAM_NAME}")
  else()
    set(name "${target}")
  endif()
  # The generated file stem is the sanitized name; accept only names that are already valid
  # identifiers so that the file names are known here.
  if(NOT name MATCHES "^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*$")
    message(FATAL_ERROR "ferrite_add_model(${target}): NAME '${name}' must be a C identifier without "
                        "leading, trailing or double underscores (give NAME explicitly)")
  endif()
  set(cpu host)
  if(FAM_CPU)
    set(cpu "${FAM_CPU}")
    if(cpu MATCHES "^m(0plus|3|4|7|33|55)$")
      set(cpu "cortex-${cpu}")
    endif()
    if(NOT cpu MATCHES "^(host|cortex-m0plus|cortex-m3|cortex-m4|cortex-m7|cortex-m33|cortex-m55)$")
      message(FATAL_ERROR "ferrite_add_model(${target}): CPU '${FAM_CPU}' is not one of cortex-m0plus, "
                          "cortex-m3, cortex-m4, cortex-m7, cortex-m33, cortex-m55, host")
    endif()
  endif()

  set(args compile "${model}" -o "${CMAKE_CURRENT_BINARY_DIR}/ferrite/${target}" --name "${name}" --target "${cpu}")
  if(FAM_SRAM_BUDGET)
    list(APPEND args --sram-budget "${FAM_SRAM_BUDGET}")
  endif()
  if(FAM_FLASH_BUDGET)
    list(APPEND args --flash-budget "${FAM_FLASH_BUDGET}")
  endif()
  set(weights_format incbin)
  if(FAM_WEIGHTS_FORMAT)
    set(weights_format "${FAM_WEIGHTS_FORMAT}")
    if(NOT weights_format MATCHES "^(incbin|text|array)$")
      message(FATAL_ERROR "ferrite_add_model(${target}): WEIGHTS_FORMAT '${weights_format}' is not one of incbin, text, array")
    endif()
  endif()
  if("--weights-format" IN_LIST FAM_OPTIONS)
    message(FATAL_ERROR "ferrite_add_model(${target}): give WEIGHTS_FORMAT instead of OPTIONS --weights-format "
                        "(the generated files depend on it)")
  endif()
  list(APPEND args --weights-format "${weights_format}")
  if(FAM_WEIGHTS_SECTION)
    list(APPEND args --weights-section "${FAM_WEIGHTS_SECTION}")
  endif()
  if(FAM_WEIGHTS_ALIGN)
    list(APPEND args --weights-align "${FAM_WEIGHTS_ALIGN}")
  endif()
  foreach(s IN LISTS FAM_INPUT_SHAPE)
    list(APPEND args --input-shape "${s}")
  endforeach()
  set(quantize_deps)
  if(FAM_QUANTIZE)
    get_filename_component(qdata "${FAM_QUANTIZE}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${qdata}")
      message(FATAL_ERROR "ferrite_add_model(${target}): QUANTIZE data '${qdata}' does not exist")
    endif()
    list(APPEND args --quantize "${qdata}")
    if(NOT IS_DIRECTORY "${qdata}")
      list(APPEND quantize_deps "${qdata}")
    endif()
  endif()
  list(APPEND args ${FAM_OPTIONS})

  set(dir "${CMAKE_CURRENT_BINARY_DIR}/ferrite/${target}")
  set(outputs "${dir}/${name}.h" "${dir}/${name}.cpp" "${dir}/${name}_weights.cpp" "${dir}/${name}_report.json"
              "${dir}/${name}_report.txt" "${dir}/${name}_memory.html")
  if(weights_format STREQUAL "incbin")
    list(APPEND outputs "${dir}/${name}_weights.bin")
  endif()
  if(FAM_QUANTIZE)
    list(APPEND outputs "${dir}/${name}_int8.onnx")
  endif()
  # The arguments go into a file that is rewritten only when they change: the command depends on it,
  # so changing SRAM_BUDGET, INPUT_SHAPE, OPTIONS, ... regenerates (and nothing else does).
  string(REPLACE ";" "\n" args_text "${args}")
  set(args_file "${CMAKE_CURRENT_BINARY_DIR}/ferrite/${target}.args")
  file(CONFIGURE OUTPUT "${args_file}" CONTENT "${args_text}\n" @ONLY)

  add_custom_command(
    OUTPUT ${outputs}
    COMMAND "$<TARGET_FILE:Ferrite::ferrite>" ${args}
    DEPENDS "${model}" "${args_file}" ${quantize_deps} Ferrite::ferrite "$<TARGET_FILE:Ferrite::ferrite>"
    COMMENT "ferrite: generating ${name} from ${FAM_MODEL} (${cpu})"
    VERBATIM)

  add_library(${target} STATIC "${dir}/${name}.cpp" "${dir}/${name}_weights.cpp" "${dir}/${name}.h")
  if(weights_format STREQUAL "incbin")
    # The compiler's dependency file does not list what `.incbin` reads.
    set_source_files_properties("${dir}/${name}_weights.cpp" PROPERTIES OBJECT_DEPENDS "${dir}/${name}_weights.bin")
  endif()
  target_include_directories(${target} PUBLIC "${dir}")
  target_compile_features(${target} PUBLIC cxx_std_17)
  # Same rounding as the host build (docs/numerics.md); the generated code needs neither.
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-ffp-contract=off -fno-exceptions -fno-rtti>)
  # The Helium kernels' inline assembly needs an optimizing build (it stops with #error at -O0):
  # a Debug firmware build compiles the model with -Og (still debuggable); other configurations keep
  # their own optimization level.
  target_compile_options(${target} PRIVATE $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CONFIG:Debug>>:-Og>)
  set_target_properties(${target} PROPERTIES
    FERRITE_NAME "${name}" FERRITE_GENERATED_DIR "${dir}" FERRITE_REPORT_JSON "${dir}/${name}_report.json")
endfunction()
