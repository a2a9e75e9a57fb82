# ezmlm/make.cmake — ezmlm-make and the list-directory tools (owner: ezmake).
#   lib/ezmlmrc.*  the ezmlmrc template language (ezmlmrc(5))
#   lib/make.*     ezmlm-make: options, edit-mode recovery, the key, tables
#   ezmlm-make, ezmlm-split, ezmlm-dispatch, ezmlm-store (simple form)
#   lang/          the installed texts and template: $EZMLM_ETC/en_US, with
#                  $EZMLM_ETC/default a symlink to it
add_library(ezmlm-make-lib STATIC
  ${CMAKE_CURRENT_LIST_DIR}/lib/ezmlmrc.cpp)
target_link_libraries(ezmlm-make-lib PUBLIC mta-core)
set_property(GLOBAL APPEND PROPERTY LETTERSHOP_LIBS ezmlm-make-lib)
