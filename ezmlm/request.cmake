# ezmlm/request.cmake — the -request address and the posting gates (owner: request).
#   lib/request*   ezmlm-request: commands from the Subject/body, forwarding,
#                  the -f global interface ("lists", "which")
#   lib/gate.*     ezmlm-gate: owner queries, subscriber check, send or store
#   lib/limit.*    ezmlm-limit: moderate (or defer) when posts come too fast
add_library(ezmlm-requestlib STATIC
  ${CMAKE_CURRENT_LIST_DIR}/lib/request.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/request_run.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/gate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/limit.cpp)
# ezmlm-moderation: sibling_program, how ezmlm-store finds ezmlm-send.
target_link_libraries(ezmlm-requestlib PUBLIC ezmlm-moderation ezmlm-reply ezmlm-post ezmlm-core mta-core)
set_property(GLOBAL APPEND PROPERTY LETTERSHOP_LIBS ezmlm-requestlib)

foreach(prog request gate limit)
  lettershop_program(ezmlm-${prog} ${CMAKE_CURRENT_LIST_DIR}/ezmlm-${prog}.cpp LIBS ezmlm-requestlib)
endforeach()
foreach(prog request gate limit)
  install(TARGETS ezmlm-${prog} RUNTIME DESTINATION ${LETTERSHOP_EZMLM_BIN})
endforeach()
