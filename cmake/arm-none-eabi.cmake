# CMake toolchain file for bare-metal Arm Cortex-M with the GNU Arm toolchain (Debian:
# gcc-arm-none-eabi, libnewlib-arm-none-eabi, libstdc++-arm-none-eabi-newlib).
#   cmake -S fw -B build -DCMAKE_TOOLCHAIN_FILE=<prefix>/lib/cmake/Ferrite/arm-none-eabi.cmake
# CPU flags (-mcpu=..., float ABI) are the project's business: add them with add_compile_options()
# and add_link_options() before creating targets, so that every library (the generated model
# included) is built with the same ABI. ARM_NONE_EABI_PREFIX overrides the tool prefix.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
if(NOT DEFINED ARM_NONE_EABI_PREFIX)
  set(ARM_NONE_EABI_PREFIX arm-none-eabi-)
endif()
set(CMAKE_C_COMPILER ${ARM_NONE_EABI_PREFIX}gcc)
set(CMAKE_CXX_COMPILER ${ARM_NONE_EABI_PREFIX}g++)
set(CMAKE_ASM_COMPILER ${ARM_NONE_EABI_PREFIX}gcc)
set(CMAKE_OBJCOPY ${ARM_NONE_EABI_PREFIX}objcopy CACHE FILEPATH "objcopy")
set(CMAKE_SIZE ${ARM_NONE_EABI_PREFIX}size CACHE FILEPATH "size")
# Compiler checks cannot link a bare-metal executable without a startup file and linker script.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_EXECUTABLE_SUFFIX_C .elf)
set(CMAKE_EXECUTABLE_SUFFIX_CXX .elf)
set(CMAKE_EXECUTABLE_SUFFIX_ASM .elf)
# Host programs (the ferrite compiler) are found on the host; there is no target sysroot with
# libraries or packages, so packages (find_package(Ferrite)) are searched on the host as well.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
