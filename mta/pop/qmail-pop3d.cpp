// mta/pop/qmail-pop3d.cpp — POP3 server for one Maildir, run after checkpassword (see mta/pop/pop3d.h).
#include "mta/core/exitcodes.h"
#include "mta/pop/pop3d.h"

int main(int argc, char** argv) {
  return mta::run_main({"qmail-pop3d", "qmail-pop3d maildir", "POP3 server for one Maildir, run after checkpassword"}, argc, argv, mta::pop::pop3d_main);
}
