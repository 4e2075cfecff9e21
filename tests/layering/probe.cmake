# One layering probe: compiles a one-line file with the exact command line of a module's sources (from
# compile_commands.json) and checks the outcome. Run by CTest (tests/layering/CMakeLists.txt):
#
#   cmake -DBUILD_DIR=<build> -DMODULE=<name> -DINCLUDE=<"a/B.h" or <sys/x.h>> -DEXPECT=<regex|COMPILES> -P probe.cmake
#
# INCLUDE=OWN_HEADERS includes every header of the module: with EXPECT=COMPILES it checks the headers
# no .cpp of the module includes too (a socket-free module's headers then see the poisoned ones).
# EXPECT=COMPILES: the include must compile. Otherwise the compile must fail with output matching the
# regex, so the probe cannot pass for an unrelated reason (a flag the compiler rejects, a missing file).
foreach(var BUILD_DIR MODULE INCLUDE EXPECT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "probe.cmake: -D${var}=... missing")
  endif()
endforeach()

# The compile command of the module's first source. With the Ninja and Makefile generators each entry
# keeps its "command" on one line.
file(STRINGS ${BUILD_DIR}/compile_commands.json lines REGEX "\"command\": .*CMakeFiles/resound_${MODULE}\\.dir/")
list(LENGTH lines count)
if(count EQUAL 0)
  message(FATAL_ERROR "probe.cmake: no compile command of resound_${MODULE} in ${BUILD_DIR}/compile_commands.json")
endif()
list(GET lines 0 line)
string(REGEX REPLACE ",[ \t]*$" "" line "${line}")
string(JSON command GET "{${line}}" command)
separate_arguments(words UNIX_COMMAND "${command}")

# Drop the launcher (ccache), the output, the input and the dependency file; check syntax only.
list(GET words 0 first)
if(first MATCHES "ccache$")
  list(REMOVE_AT words 0)
endif()
set(args "")
set(skip_next FALSE)
foreach(word ${words})
  if(skip_next)
    set(skip_next FALSE)
  elseif(word MATCHES "^-(o|c|MT|MF)$")
    set(skip_next TRUE)
  elseif(NOT word STREQUAL "-MD")
    list(APPEND args "${word}")
  endif()
endforeach()

# A refused project header must exist in some module: renamed or moved, it would fail to compile with
# the same "No such file" and the probe would pass while enforcing nothing.
if(NOT EXPECT STREQUAL "COMPILES" AND INCLUDE MATCHES "^\"(.+)\"$")
  set(refused "${CMAKE_MATCH_1}")
  file(GLOB owners ${BUILD_DIR}/module-include/*/${refused})
  if(NOT owners)
    message(FATAL_ERROR "probe.cmake: ${refused} is no module's header (renamed?): this probe would prove nothing")
  endif()
endif()

set(probe_dir ${BUILD_DIR}/layering-probes)
string(MAKE_C_IDENTIFIER "${MODULE}_${INCLUDE}" probe_name)
set(probe ${probe_dir}/${probe_name}.cpp)
if(INCLUDE STREQUAL "OWN_HEADERS")
  set(root ${BUILD_DIR}/module-include/${MODULE})
  file(GLOB_RECURSE headers RELATIVE ${root} ${root}/*.h)
  if(NOT headers)
    message(FATAL_ERROR "probe.cmake: no headers under ${root}")
  endif()
  set(text "// every header of resound_${MODULE}\n")
  foreach(header ${headers})
    string(APPEND text "#include \"${header}\"\n")
  endforeach()
  file(WRITE ${probe} "${text}")
else()
  file(WRITE ${probe} "// resound_${MODULE} includes ${INCLUDE}\n#include ${INCLUDE}\n")
endif()
execute_process(COMMAND ${args} -fsyntax-only ${probe}
                WORKING_DIRECTORY ${BUILD_DIR}
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)

if(EXPECT STREQUAL "COMPILES")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "resound_${MODULE} should be allowed to include ${INCLUDE}, but:\n${output}")
  endif()
  message(STATUS "resound_${MODULE} may include ${INCLUDE}: compiles")
else()
  if(result EQUAL 0)
    message(FATAL_ERROR "resound_${MODULE} includes ${INCLUDE} and still compiles: the layering rule is not enforced")
  endif()
  if(NOT output MATCHES "${EXPECT}")
    message(FATAL_ERROR "resound_${MODULE} including ${INCLUDE} failed, but not with /${EXPECT}/:\n${output}")
  endif()
  message(STATUS "resound_${MODULE} may not include ${INCLUDE}: refused as expected")
endif()
