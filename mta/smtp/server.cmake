# server.cmake — the receiving side: qmail-smtpd, qmail-qmtpd, qmail-newmrh.
# mta-smtpd: the parsers of SMTP input (smtpd_parse), the session
#            (smtpd_session), recipient checking (smtpd_rcptcheck) and QMTP (qmtp).
add_library(mta-smtpd STATIC smtpd_parse.cpp smtpd_session.cpp smtpd_rcptcheck.cpp smtpd_server.cpp
  tcprules.cpp qmtp.cpp)
target_link_libraries(mta-smtpd PUBLIC mta-send mta-users mta-core)
set_property(GLOBAL APPEND PROPERTY LETTERSHOP_LIBS mta-smtpd)

lettershop_program(qmail-smtpd qmail-smtpd.cpp LIBS mta-smtpd)
lettershop_program(qmail-qmtpd qmail-qmtpd.cpp LIBS mta-smtpd)
lettershop_program(qmail-newmrh qmail-newmrh.cpp LIBS mta-smtpd)
