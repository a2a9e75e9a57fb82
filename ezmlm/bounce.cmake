# ezmlm/bounce.cmake — bounces (owner: bounce).
#   lib/dsn.*     RFC 3464 delivery status and qmail QSBMF bounce parsing,
#                 DMARC/policy and transient failures told from dead mailboxes
#   lib/bounce.*  bounce/d, bounce/h bookkeeping; warnings and probes
#   ezmlm-return, ezmlm-warn
add_library(ezmlm-bounce STATIC
  ${CMAKE_CURRENT_LIST_DIR}/lib/dsn.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/bounce.cpp)
target_link_libraries(ezmlm-bounce PUBLIC ezmlm-reply ezmlm-post ezmlm-core mta-core)
set_property(GLOBAL APPEND PROPERTY LETTERSHOP_LIBS ezmlm-bounce)

foreach(prog return warn)
  lettershop_program(ezmlm-${prog} ${CMAKE_CURRENT_LIST_DIR}/ezmlm-${prog}.cpp LIBS ezmlm-bounce)
  install(TARGETS ezmlm-${prog} RUNTIME DESTINATION ${LETTERSHOP_EZMLM_BIN})
endforeach()
