# ezmlm-core: the list directory, texts, subscriber stores, cookies and
# SENDER decoding every ezmlm program uses, and the subscriber tools.
set(LETTERSHOP_EZMLM_BIN "/usr/local/bin/ezmlm" CACHE STRING "Compiled default of EZMLM_BIN (ezmlm's programs)")
set(LETTERSHOP_EZMLM_ETC "/etc/ezmlm" CACHE STRING "Compiled default of EZMLM_ETC (ezmlmrc and texts)")

add_library(ezmlm-core STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/lib/env.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/lib/options.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/lib/getconf.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/lib/texts.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/lib/listdir.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/lib/hash.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/lib/subdb.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/lib/subdb_sql.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/lib/cookie.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/lib/sender.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/lib/weed.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/lib/tools.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/lib/subunsub.cpp)
# subdb_sql.cpp loads the SQL store plugin (sql.cmake) with dlopen.
target_link_libraries(ezmlm-core PUBLIC mta-core ${CMAKE_DL_LIBS})
target_compile_definitions(ezmlm-core PUBLIC
  LETTERSHOP_EZMLM_BIN="${LETTERSHOP_EZMLM_BIN}"
  LETTERSHOP_EZMLM_ETC="${LETTERSHOP_EZMLM_ETC}")
set_property(GLOBAL APPEND PROPERTY LETTERSHOP_LIBS ezmlm-core)

foreach(prog sub unsub list issubn checksub rmtab weed)
  lettershop_program(ezmlm-${prog} ${CMAKE_CURRENT_SOURCE_DIR}/ezmlm-${prog}.cpp LIBS ezmlm-core)
endforeach()
# .qmail command files run the list programs from <#B#> = EZMLM_BIN.
foreach(prog sub unsub list issubn checksub rmtab weed)
  install(TARGETS ezmlm-${prog} RUNTIME DESTINATION ${LETTERSHOP_EZMLM_BIN})
endforeach()
