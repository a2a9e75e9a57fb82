# tls.cmake — OpenSSL contexts (tls) and the buffered, timed, TLS-upgradable
# connection stream (netio) shared by the SMTP/QMTP servers and qmail-remote.
find_package(OpenSSL REQUIRED)
target_sources(mta-core PRIVATE ${CMAKE_CURRENT_LIST_DIR}/tls.cpp ${CMAKE_CURRENT_LIST_DIR}/netio.cpp)
target_link_libraries(mta-core PUBLIC OpenSSL::SSL)
