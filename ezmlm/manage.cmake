# ezmlm/manage.cmake — the responders' shared mail and cookies, and ezmlm-manage (owner: manage).
#   lib/cookie_addr.*  every cookie address (confirm, edit, moderation, bounce)
#   lib/reply.*        the reply a responder sends; the loop rule
#   lib/manage*.*      ezmlm-manage's commands
add_library(ezmlm-reply STATIC
  ${CMAKE_CURRENT_LIST_DIR}/lib/cookie_addr.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/reply.cpp)
target_link_libraries(ezmlm-reply PUBLIC ezmlm-post ezmlm-core mta-core)
set_property(GLOBAL APPEND PROPERTY LETTERSHOP_LIBS ezmlm-reply)

# ezmlm-manage's commands, the confirmation limit; ed. replies are decoded
# with mta-core's QP/base64 decoders (mta/core/transfer_encoding.h).
add_library(ezmlm-manage-lib STATIC
  ${CMAKE_CURRENT_LIST_DIR}/lib/manage_command.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/manage_limit.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/manage_from.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/manage.cpp)
target_link_libraries(ezmlm-manage-lib PUBLIC ezmlm-reply ezmlm-post ezmlm-core mta-core)
set_property(GLOBAL APPEND PROPERTY LETTERSHOP_LIBS ezmlm-manage-lib)

lettershop_program(ezmlm-manage ${CMAKE_CURRENT_LIST_DIR}/ezmlm-manage.cpp LIBS ezmlm-manage-lib)
install(TARGETS ezmlm-manage RUNTIME DESTINATION ${LETTERSHOP_EZMLM_BIN})
