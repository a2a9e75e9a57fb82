# ezmlm/moderate.cmake — moderation and post confirmation (owner: moderate).
#   lib/moderate*   the queue (mod/pending, mod/unconfirmed, stubs), the
#                   moderator's comment, the store/moderate/confirm/clean
#                   flows
#   ezmlm-store, ezmlm-moderate, ezmlm-confirm, ezmlm-clean, ezmlm-accept
add_library(ezmlm-moderation STATIC
  ${CMAKE_CURRENT_LIST_DIR}/lib/moderate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/moderate_comment.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/moderate_flow.cpp)
# The moderator's comment is decoded with mta-core's QP/base64 decoders and
# ezmlm-send's Content-Type parser.
target_link_libraries(ezmlm-moderation PUBLIC ezmlm-reply ezmlm-core ezmlm-post mta-core)
set_property(GLOBAL APPEND PROPERTY LETTERSHOP_LIBS ezmlm-moderation)

foreach(prog store moderate confirm clean accept)
  lettershop_program(ezmlm-${prog} ${CMAKE_CURRENT_LIST_DIR}/ezmlm-${prog}.cpp LIBS ezmlm-moderation)
endforeach()
# .qmail command files run the list programs from <#B#> = EZMLM_BIN.
foreach(prog store moderate confirm clean accept)
  install(TARGETS ezmlm-${prog} RUNTIME DESTINATION ${LETTERSHOP_EZMLM_BIN})
endforeach()
