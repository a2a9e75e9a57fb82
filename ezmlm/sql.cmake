# The MySQL/MariaDB subscriber store (issue 9, ezmlm.md 7).
#
# sub-mysql is a plugin that ezmlm-core's subdb_sql.cpp loads with dlopen
# only when a list's subdb/sql file asks for SQL: linking Connector/C++
# (shared libmariadb, libssl and a shared libstdc++) into every program
# would slow each start of ezmlm-issubn and ezmlm-send on the std lists.
# The plugin is the one target that links the shared libstdc++ on purpose:
# its C interface (subdb_sql_plugin.h) keeps the two runtimes apart.
set(LETTERSHOP_EZMLM_LIB "/usr/local/lib/ezmlm" CACHE STRING "Where the SQL plugin sub-mysql.so is installed (EZMLM_LIB)")

add_library(sub-mysql MODULE ${CMAKE_CURRENT_SOURCE_DIR}/lib/subdb_sql_mysql.cpp)
target_include_directories(sub-mysql PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(sub-mysql PRIVATE MySQL::ConnectorCpp)
set_target_properties(sub-mysql PROPERTIES PREFIX "" CXX_VISIBILITY_PRESET hidden
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib/ezmlm)
get_target_property(sub_mysql_link sub-mysql LINK_OPTIONS)
if(sub_mysql_link)
  list(REMOVE_ITEM sub_mysql_link -static-libstdc++ -static-libgcc)
  set_target_properties(sub-mysql PROPERTIES LINK_OPTIONS "${sub_mysql_link}")
endif()
install(TARGETS sub-mysql LIBRARY DESTINATION ${LETTERSHOP_EZMLM_LIB})

lettershop_program(ezmlm-sql-migrate ${CMAKE_CURRENT_SOURCE_DIR}/ezmlm-sql-migrate.cpp LIBS ezmlm-core)
add_dependencies(ezmlm-sql-migrate sub-mysql)
# The subscriber tools find the plugin beside them in the build tree.
foreach(prog sub unsub list issubn checksub rmtab send make)
  if(TARGET ezmlm-${prog})
    add_dependencies(ezmlm-${prog} sub-mysql)
  endif()
endforeach()
install(TARGETS ezmlm-sql-migrate RUNTIME DESTINATION ${LETTERSHOP_EZMLM_BIN})
