# FindCdb — tinycdb (Debian: libcdb-dev). Defines Cdb::Cdb.
find_path(CDB_INCLUDE_DIR cdb.h)
find_library(CDB_LIBRARY NAMES cdb)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Cdb DEFAULT_MSG CDB_LIBRARY CDB_INCLUDE_DIR)
if(Cdb_FOUND AND NOT TARGET Cdb::Cdb)
  add_library(Cdb::Cdb UNKNOWN IMPORTED)
  set_target_properties(Cdb::Cdb PROPERTIES IMPORTED_LOCATION "${CDB_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${CDB_INCLUDE_DIR}")
endif()
