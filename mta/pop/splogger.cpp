// mta/pop/splogger.cpp — copy log lines from stdin to syslog, as qmail's splogger (see mta/pop/splog.h).
#include "mta/core/exitcodes.h"
#include "mta/pop/splog.h"

int main(int argc, char** argv) {
  return mta::run_main({"splogger", "splogger [tag [facility]]", "copy log lines from stdin to syslog, as qmail's splogger"}, argc, argv, mta::pop::splogger_main);
}
