# ezmlm/manage.cmake — the responders' shared mail and cookies, and ezmlm-manage (owner: manage).
#   lib/cookie_addr.*  every cookie address (confirm, edit, moderation, bounce)
#   lib/reply.*        the reply a responder sends; the loop rule
#   lib/manage*.*      ezmlm-manage's commands
add_library(ezmlm-reply STATIC
  ${CMAKE_CURRENT_LIST_DIR}/lib/cookie_addr.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/reply.cpp)
target_link_libraries(ezmlm-reply PUBLIC ezmlm-post ezmlm-core mta-core)
set_property(GLOBAL APPEND PROPERTY LETTERSHOP_LIBS ezmlm-reply)
