# ezmlm/digest.cmake — digests and archive retrieval (owner: digest).
#   lib/get_command  what ezmlm-get is asked (DEFAULT actions, ranges)
#   lib/digest       the digest / reply body in formats m r x v n
#   lib/get          ezmlm-get's run: context, access, injection, dignum
#   lib/tstdig       ezmlm-tstdig's criteria and the editor's claim
#   ezmlm-get, ezmlm-tstdig; service/ has a systemd timer for digests
add_library(ezmlm-digest STATIC
  ${CMAKE_CURRENT_LIST_DIR}/lib/get_command.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/digest.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/get.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/tstdig.cpp)
target_link_libraries(ezmlm-digest PUBLIC ezmlm-reply ezmlm-post ezmlm-core mta-core)
set_property(GLOBAL APPEND PROPERTY LETTERSHOP_LIBS ezmlm-digest)

foreach(prog get tstdig)
  lettershop_program(ezmlm-${prog} ${CMAKE_CURRENT_LIST_DIR}/ezmlm-${prog}.cpp LIBS ezmlm-digest)
endforeach()
