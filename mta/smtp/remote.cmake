# remote.cmake — the sending side of SMTP: qmail-remote, qmail-tcpto, qmail-tcpok.
# mta-remote: the reply parser, body encoder, route/TLS tables and MX order
#             (remote_parts), the TCP timeout table (tcpto), the session (remote)
#             and the one-click copies, rendered and signed (oneclick_copies).
if(LETTERSHOP_HAVE_DNS)
  add_library(mta-remote STATIC remote_parts.cpp tcpto.cpp remote.cpp oneclick_copies.cpp)
  target_link_libraries(mta-remote PUBLIC mta-core mta-dkim mta-render mta-send)  # mta-send: VERP expansion
  set_property(GLOBAL APPEND PROPERTY LETTERSHOP_LIBS mta-remote)

  lettershop_program(qmail-remote qmail-remote.cpp LIBS mta-remote)
  lettershop_program(qmail-tcpto qmail-tcpto.cpp LIBS mta-remote)
  lettershop_program(qmail-tcpok qmail-tcpok.cpp LIBS mta-remote)
endif()
