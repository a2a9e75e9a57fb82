// mta/pop/vcheckpassword.cpp — checkpassword for the users of virtual domains (see mta/pop/vcheckpw.h).
#include "mta/core/exitcodes.h"
#include "mta/pop/vcheckpw.h"

int main(int argc, char** argv) {
  return mta::run_main({"vcheckpassword", "vcheckpassword [-p prefix] [-d seconds] program [arg...]", "checkpassword for the users of virtual domains"}, argc, argv, mta::pop::vcheckpassword_main);
}
