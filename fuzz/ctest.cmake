# Registers the libFuzzer targets with the main build's CTest (label `fuzz`), included from
# tests/robustness/CMakeLists.txt. The targets are a separate CMake project (fuzz/CMakeLists.txt)
# built with clang++ into <build>/fuzz by the fixture test fuzz.build, so the main build never
# compiles with clang or -fsanitize=fuzzer.
#
#   fuzz.build        configure + build (clang++), FIXTURES_SETUP
#   fuzz.replay       every checked-in seed and regression input, once
#   fuzz.<target>     RESOUND_FUZZ_SECONDS (default 20) of fuzzing per target
#
# Longer runs: scripts/fuzz.sh --seconds 3600 (fuzz/README.md).

set(RESOUND_FUZZ_SECONDS 20 CACHE STRING "Seconds of fuzzing per target in the CTest entries fuzz.<target>")
find_program(RESOUND_FUZZ_CLANG NAMES clang++ clang++-14)
if(NOT RESOUND_FUZZ_CLANG)
  message(STATUS "clang++ not found: the fuzz.* CTest entries are not registered")
  return()
endif()
find_program(RESOUND_FUZZ_BASH bash)

set(_fuzz_root ${CMAKE_CURRENT_LIST_DIR})
get_filename_component(_repo_root "${_fuzz_root}" DIRECTORY)
set(_fuzz_build ${CMAKE_BINARY_DIR}/fuzz)
set(_fuzz_script ${_fuzz_root}/../scripts/fuzz.sh)

# The targets fuzz/CMakeLists.txt will build: one per targets/*_fuzz.cpp, resp_parser only once
# shared/redis/RespParser.h exists (the same rule as there).
file(GLOB _fuzz_sources CONFIGURE_DEPENDS ${_fuzz_root}/targets/*_fuzz.cpp)
set(_fuzz_targets)
foreach(source ${_fuzz_sources})
  get_filename_component(name ${source} NAME_WE)
  string(REGEX REPLACE "_fuzz$" "" name ${name})
  if(name STREQUAL "resp_parser" AND NOT EXISTS ${_repo_root}/shared/redis/RespParser.h)
    continue()
  endif()
  list(APPEND _fuzz_targets ${name})
endforeach()

add_test(NAME fuzz.build
         COMMAND ${CMAKE_COMMAND} -E env FUZZ_CXX=${RESOUND_FUZZ_CLANG}
                 ${RESOUND_FUZZ_BASH} ${_fuzz_script} --build-only --build-dir ${_fuzz_build})
set_tests_properties(fuzz.build PROPERTIES FIXTURES_SETUP resound_fuzz_build TIMEOUT 1200 LABELS fuzz)

add_test(NAME fuzz.replay
         COMMAND ${RESOUND_FUZZ_BASH} ${_fuzz_script} --no-build --replay --build-dir ${_fuzz_build})
set_tests_properties(fuzz.replay PROPERTIES FIXTURES_REQUIRED resound_fuzz_build TIMEOUT 120 LABELS fuzz)

math(EXPR _fuzz_timeout "${RESOUND_FUZZ_SECONDS} + 60")
foreach(target ${_fuzz_targets})
  add_test(NAME fuzz.${target}
           COMMAND ${RESOUND_FUZZ_BASH} ${_fuzz_script} --no-build --build-dir ${_fuzz_build}
                   --target ${target} --seconds ${RESOUND_FUZZ_SECONDS})
  set_tests_properties(fuzz.${target} PROPERTIES
                       FIXTURES_REQUIRED resound_fuzz_build
                       TIMEOUT ${_fuzz_timeout}
                       LABELS fuzz)
endforeach()
