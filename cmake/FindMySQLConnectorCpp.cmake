# FindMySQLConnectorCpp — MySQL Connector/C++ (Debian: libmysqlcppconn-dev,
# the classic JDBC-style API in <cppconn/...>). Defines MySQL::ConnectorCpp.
find_path(MYSQLCPPCONN_INCLUDE_DIR mysql_driver.h PATH_SUFFIXES cppconn)
find_library(MYSQLCPPCONN_LIBRARY NAMES mysqlcppconn)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(MySQLConnectorCpp DEFAULT_MSG MYSQLCPPCONN_LIBRARY MYSQLCPPCONN_INCLUDE_DIR)
if(MySQLConnectorCpp_FOUND AND NOT TARGET MySQL::ConnectorCpp)
  add_library(MySQL::ConnectorCpp UNKNOWN IMPORTED)
  set_target_properties(MySQL::ConnectorCpp PROPERTIES IMPORTED_LOCATION "${MYSQLCPPCONN_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${MYSQLCPPCONN_INCLUDE_DIR}")
endif()
