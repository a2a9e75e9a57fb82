# ezmlm/make.cmake — ezmlm-make and the list-directory tools (owner: ezmake).
#   lib/ezmlmrc.*  the ezmlmrc template language (ezmlmrc(5))
#   lib/make.*     ezmlm-make: options, edit-mode recovery, the key, tables
#   ezmlm-make, ezmlm-split, ezmlm-dispatch
#   lang/          the installed texts and template: $EZMLM_ETC/en_US, with
#                  $EZMLM_ETC/default a symlink to it
add_library(ezmlm-make-lib STATIC
  ${CMAKE_CURRENT_LIST_DIR}/lib/ezmlmrc.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/make.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/split.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lib/dispatch.cpp)
target_link_libraries(ezmlm-make-lib PUBLIC mta-core ezmlm-core)
set_property(GLOBAL APPEND PROPERTY LETTERSHOP_LIBS ezmlm-make-lib)

foreach(prog make split dispatch)
  lettershop_program(ezmlm-${prog} ${CMAKE_CURRENT_LIST_DIR}/ezmlm-${prog}.cpp LIBS ezmlm-make-lib ezmlm-core)
endforeach()

# The installed texts: $EZMLM_ETC/en_US and $EZMLM_ETC/default -> en_US.
install(DIRECTORY ${CMAKE_CURRENT_LIST_DIR}/lang/en_US DESTINATION ${LETTERSHOP_EZMLM_ETC})
install(CODE "execute_process(COMMAND \${CMAKE_COMMAND} -E create_symlink en_US \$ENV{DESTDIR}${LETTERSHOP_EZMLM_ETC}/default)")
