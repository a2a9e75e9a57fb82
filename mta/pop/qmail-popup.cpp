// mta/pop/qmail-popup.cpp — POP3 front end: USER/PASS, APOP, STLS, then a checkpassword program (see mta/pop/popup.h).
#include "mta/core/exitcodes.h"
#include "mta/pop/popup.h"

int main(int argc, char** argv) {
  return mta::run_main({"qmail-popup", "qmail-popup hostname subprogram [arg...]", "POP3 front end: USER/PASS, APOP, STLS, then a checkpassword program"}, argc, argv, mta::pop::popup_main);
}
