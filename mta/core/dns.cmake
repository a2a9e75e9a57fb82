# mta/core/dns — MX/A/AAAA/TXT lookups through c-ares (reference mta.md 9.4).
# Included optionally by mta/core/CMakeLists.txt; without c-ares the module
# is left out and the programs that need it (qmail-remote) are not built.
find_path(CARES_INCLUDE_DIR ares.h)
find_library(CARES_LIBRARY NAMES cares)
if(CARES_INCLUDE_DIR AND CARES_LIBRARY)
  target_sources(mta-core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/dns.cpp)
  target_include_directories(mta-core PUBLIC ${CARES_INCLUDE_DIR})
  target_link_libraries(mta-core PUBLIC ${CARES_LIBRARY})
  set(LETTERSHOP_HAVE_DNS ON CACHE INTERNAL "mta/core/dns is built")
else()
  message(WARNING "c-ares not found: mta/core/dns and qmail-remote are not built")
  set(LETTERSHOP_HAVE_DNS OFF CACHE INTERNAL "mta/core/dns is built")
endif()
