# resound_module(): one static library per shared/<module> that can include only the modules it declares.
#
#   resound_module(<name> [DIR <folder>] [FILES <stem>...] [SOCKET_FREE]
#                  [PUBLIC <module>...] [PRIVATE <module>...] [LIBS <target>...])
#
# Makes the target resound_<name> from shared/<DIR>/*.cpp (DIR defaults to <name>). FILES takes only
# those file stems (Foo for Foo.h and Foo.cpp): a small, lower piece of a folder that other modules may
# use without the rest of it (dashboard_tap is dashboard/DebugTap and its two helpers). A later
# resound_module() of the whole folder leaves out the stems its pieces took. PUBLIC names the modules
# that this module's headers include (its users see them too), PRIVATE those only its .cpp files
# include; LIBS are third-party targets. A module must be declared after the modules it uses, which
# keeps the graph free of cycles.
#
# How an undeclared include fails: the sources never see shared/ itself. Each module has an include
# root of its own in the build tree holding symlinks to its headers only (<root>/pusher/Peer.h ->
# shared/pusher/Peer.h), which CMake hands to the modules that link it. `#include "edge/IoThread.h"`
# in pusher/ then ends with "No such file or directory", because edge is not among pusher's modules.
#
# SOCKET_FREE modules also get an include directory of poisoned system headers (sys/socket.h,
# sys/epoll.h, netinet/*, Poco/Net/*, ...), searched before the system's: including one, even through
# another header, stops the build with an #error that names the rule (docs/architecture.md).
#
# RESOUND_MODULES, when set, limits the modules made to that list (fuzz/ builds only the socket-free
# ones it feeds, with its own instrumentation).

set(RESOUND_MODULE_SOURCE_ROOT ${CMAKE_CURRENT_LIST_DIR})

# The poisoned headers for SOCKET_FREE modules: the socket, epoll and eventfd headers of the C library
# and every header of Poco::Net and Poco::Redis (both are socket clients).
function(resound_make_socket_poison out_dir)
  file(REMOVE_RECURSE ${out_dir})
  set(message "a socket-free module (docs/architecture.md, \\\"Module layers\\\") may not include socket, epoll or Poco::Net headers")
  set(headers sys/socket.h sys/epoll.h sys/eventfd.h sys/un.h netinet/in.h netinet/tcp.h arpa/inet.h netdb.h)
  get_target_property(poco_include_dirs Poco::Foundation INTERFACE_INCLUDE_DIRECTORIES)
  foreach(dir ${poco_include_dirs})
    file(GLOB poco_socket_headers RELATIVE ${dir} ${dir}/Poco/Net/*.h ${dir}/Poco/Redis/*.h)
    list(APPEND headers ${poco_socket_headers})
  endforeach()
  if(NOT headers MATCHES "Poco/Net/")
    message(FATAL_ERROR "Poco::Net's headers not found under '${poco_include_dirs}': the socket-free check would miss them")
  endif()
  foreach(header ${headers})
    file(WRITE ${out_dir}/${header} "#error \"<${header}>: ${message}\"\n")
  endforeach()
endfunction()

function(resound_module name)
  cmake_parse_arguments(ARG "SOCKET_FREE" "DIR" "FILES;PUBLIC;PRIVATE;LIBS" ${ARGN})
  if(DEFINED RESOUND_MODULES AND NOT name IN_LIST RESOUND_MODULES)
    return()
  endif()
  if(NOT ARG_DIR)
    set(ARG_DIR ${name})
  endif()
  set(folder ${RESOUND_MODULE_SOURCE_ROOT}/${ARG_DIR})

  get_property(taken GLOBAL PROPERTY RESOUND_TAKEN_${ARG_DIR})
  if(ARG_FILES)
    set(headers "")
    set(sources "")
    foreach(stem ${ARG_FILES})
      if(NOT EXISTS ${folder}/${stem}.h)
        message(FATAL_ERROR "resound_module(${name}): ${ARG_DIR}/${stem}.h does not exist")
      endif()
      list(APPEND headers ${folder}/${stem}.h)
      if(EXISTS ${folder}/${stem}.cpp)
        list(APPEND sources ${folder}/${stem}.cpp)
      endif()
    endforeach()
    set_property(GLOBAL APPEND PROPERTY RESOUND_TAKEN_${ARG_DIR} ${ARG_FILES})
  else()
    file(GLOB headers CONFIGURE_DEPENDS ${folder}/*.h)
    file(GLOB sources CONFIGURE_DEPENDS ${folder}/*.cpp)
    foreach(stem ${taken})
      list(REMOVE_ITEM headers ${folder}/${stem}.h)
      list(REMOVE_ITEM sources ${folder}/${stem}.cpp)
    endforeach()
  endif()

  # The module's include root: symlinks to its own headers only.
  set(include_root ${CMAKE_BINARY_DIR}/module-include/${name})
  file(REMOVE_RECURSE ${include_root})
  file(MAKE_DIRECTORY ${include_root}/${ARG_DIR})
  foreach(header ${headers})
    get_filename_component(file_name ${header} NAME)
    file(CREATE_LINK ${header} ${include_root}/${ARG_DIR}/${file_name} SYMBOLIC)
  endforeach()

  set(target resound_${name})
  if(sources)
    add_library(${target} STATIC ${sources})
    set(public PUBLIC)
    set(private PRIVATE)
  else()
    add_library(${target} INTERFACE)  # headers only
    set(public INTERFACE)
    set(private INTERFACE)
  endif()
  target_include_directories(${target} ${public} ${include_root})

  foreach(scope PUBLIC PRIVATE)
    foreach(used ${ARG_${scope}})
      if(NOT TARGET resound_${used})
        message(FATAL_ERROR "resound_module(${name}) uses '${used}', which is not a module declared before it"
                            " (modules are declared lowest layer first; a cycle cannot be declared)")
      endif()
      string(TOLOWER ${scope} keyword)
      target_link_libraries(${target} ${${keyword}} resound_${used})
    endforeach()
  endforeach()
  target_link_libraries(${target} ${public} ${ARG_LIBS} Threads::Threads)

  if(ARG_SOCKET_FREE)
    set(poison ${CMAKE_BINARY_DIR}/module-include/socket-poison)
    get_property(poison_made GLOBAL PROPERTY RESOUND_SOCKET_POISON_MADE)
    if(NOT poison_made)
      resound_make_socket_poison(${poison})
      set_property(GLOBAL PROPERTY RESOUND_SOCKET_POISON_MADE TRUE)
    endif()
    if(sources)
      target_include_directories(${target} BEFORE PRIVATE ${poison})
    endif()
    set_property(GLOBAL APPEND PROPERTY RESOUND_SOCKET_FREE_MODULES ${name})
  endif()
  set_property(GLOBAL APPEND PROPERTY RESOUND_MODULE_TARGETS ${target})
endfunction()
