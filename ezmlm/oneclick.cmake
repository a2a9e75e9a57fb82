# ezmlm/oneclick.cmake — RFC 8058 one-click unsubscription (issue 12, owner: oneclick).
#   ezmlm-oneclick-lib: ezmlm-send's marker (lib/post_oneclick) and the CGI
#                       endpoint's logic (lib/oneclick_cgi); tokens and the
#                       per-recipient rendering are mta/render's.
#   ezmlm-oneclick: the CGI program.
add_library(ezmlm-oneclick-lib STATIC
  ${CMAKE_CURRENT_LIST_DIR}/lib/post_oneclick.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/oneclick_cgi.cpp)
target_link_libraries(ezmlm-oneclick-lib PUBLIC ezmlm-core mta-render mta-core)
set_property(GLOBAL APPEND PROPERTY LETTERSHOP_LIBS ezmlm-oneclick-lib)
target_link_libraries(ezmlm-post PUBLIC ezmlm-oneclick-lib)

lettershop_program(ezmlm-oneclick ${CMAKE_CURRENT_LIST_DIR}/ezmlm-oneclick.cpp LIBS ezmlm-oneclick-lib)
