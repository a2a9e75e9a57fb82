# ezmlm/post.cmake — the posting path (owner: ezsend).
#   lib/post_*   header rules, MIME part removal and the trailer, From
#                rewriting for DMARC, num/archive/index, subject and author
#                normalisation; ezmlm-send's whole flow (post_send);
#                ezmlm-archive's thread/subject/author files (post_threads)
#   ezmlm-send, ezmlm-reject, ezmlm-idx, ezmlm-archive
add_library(ezmlm-post STATIC
  ${CMAKE_CURRENT_LIST_DIR}/lib/post_mime.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/post_subject.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/post_header.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/post_archive.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/post_dmarc.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/post_send.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/post_reject.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/post_threads.cpp)
target_link_libraries(ezmlm-post PUBLIC ezmlm-core mta-core)
set_property(GLOBAL APPEND PROPERTY LETTERSHOP_LIBS ezmlm-post)

foreach(prog send reject idx archive)
  lettershop_program(ezmlm-${prog} ${CMAKE_CURRENT_LIST_DIR}/ezmlm-${prog}.cpp LIBS ezmlm-post)
endforeach()
