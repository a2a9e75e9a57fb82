// qmail-local — deliver one message to one local address by its .qmail file.
//
// Run by qmail-lspawn as the recipient: fd 0 the (seekable) message, fds 1
// and 2 the report. Exit 0 delivered, 100 bounce, 111 try again later; see
// qmail-local(8) and dot-qmail(5). The work is in mta/local/local.cpp.
#include "mta/core/exitcodes.h"
#include "mta/local/local.h"

int main(int argc, char** argv) {
  return mta::run_main({"qmail-local",
                        "qmail-local [-nN] user homedir local dash ext domain sender defaultdelivery",
                        "deliver a message to a local address by its .qmail file"},
                       argc, argv, [](int c, char** v) { return mta::local::run(c, v); });
}
