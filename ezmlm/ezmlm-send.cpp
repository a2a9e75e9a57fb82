// ezmlm-send — send a post to every subscriber of a list, archive and index it.
//
// `ezmlm-send [-cCrRlLqQ] [-H header] [-s lo:hi] DIR`, run from the list's
// editor (or by ezmlm-store/-moderate/-gate) with the post on stdin.
// -r keeps every Received line (default -R: only the first); -H names the
// header that marks a sublist's parent posts; c C l L q Q s are accepted and
// ignored, as in ezmlm-idx 7.2 (SQL logging and ranges come with the SQL
// store). Prints "ezmlm-send: info: qp N" on success. Exit 0, 100
// (refused), 111 (try again). See ezmlm-send(1) and post_send.h.
#include <unistd.h>

#include <string>

#include "ezmlm/lib/options.h"
#include "ezmlm/lib/post_send.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"ezmlm-send", "ezmlm-send [-cCrRlLqQ] [-H header] [-s lo:hi] dir",
       "distribute a message to a mailing list"},
      argc, argv, [](int argc, char** argv) {
        auto cl = ezmlm::parse_command_line(argc, argv, "cCrRlLqQH:s:S:vV");
        if (cl.operands.size() != 1) throw mta::UsageError("");
        ezmlm::post::SendOptions options;
        options.keep_received = cl.last_of("rR", 'R') == 'r';
        options.sublist_header = cl.last('H');
        ezmlm::ListDir dir(cl.operands[0]);
        auto dns = ezmlm::post::system_txt_lookup(dir.message("ERR_DNS_LOOKUP"));
        mta::io::Reader in(0);
        pid_t qp = ezmlm::post::send_post(dir, options, in, *dns);
        mta::put_text(2, {"ezmlm-send: info: qp ", std::to_string(qp), "\n"});
        return mta::exit_ok;
      });
}
