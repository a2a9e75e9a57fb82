# FindSodium — libsodium (Debian: libsodium-dev), for Ed25519 in mta/dkim.
# Defines Sodium::Sodium. With LETTERSHOP_LINK_STATIC the top-level list
# puts .a first in CMAKE_FIND_LIBRARY_SUFFIXES, so libsodium.a is linked in
# like OpenSSL (no loader work per exec); libsodium.a itself needs pthreads.
find_path(SODIUM_INCLUDE_DIR sodium.h)
find_library(SODIUM_LIBRARY NAMES sodium)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Sodium DEFAULT_MSG SODIUM_LIBRARY SODIUM_INCLUDE_DIR)
if(Sodium_FOUND AND NOT TARGET Sodium::Sodium)
  find_package(Threads REQUIRED)
  add_library(Sodium::Sodium UNKNOWN IMPORTED)
  set_target_properties(Sodium::Sodium PROPERTIES IMPORTED_LOCATION "${SODIUM_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${SODIUM_INCLUDE_DIR}" INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()
