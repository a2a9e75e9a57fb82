// ezmlm-reject — refuse posts a list should not distribute.
//
// `ezmlm-reject [-bBcCfFhHqQsStTxX] [DIR]`, first line of a list's editor.
// Exit 0 = pass on; 99 = drop silently (Precedence: junk/bulk, or -q and
// the list not addressed); 100 = bounce, the reason on stderr (qmail puts
// it in the bounce). -f/-F and -x/-X are accepted; -f (forwarding command
// subjects to -request) is not done: such posts are refused as with -c.
// See ezmlm-reject(1) and post_reject.h.
#include "ezmlm/lib/options.h"
#include "ezmlm/lib/post_reject.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"ezmlm-reject", "ezmlm-reject [-bBcCfFhHqQsStTxX] [dir]", "reject unsuitable posts to a mailing list"},
      argc, argv, [](int argc, char** argv) {
        auto cl = ezmlm::parse_command_line(argc, argv, "bBcCfFhHqQsStTxXvV");
        if (cl.operands.size() > 1) throw mta::UsageError("");
        ezmlm::post::RejectOptions o;
        o.body_command = cl.last_of("bB", 'B') == 'b';
        o.subject_command = cl.last_of("cC", 'c') == 'c';
        o.header_reject = cl.last_of("hH", 'h') == 'h';
        o.quiet_address = cl.last_of("qQ", 'Q') == 'q';
        o.need_subject = cl.last_of("sS", 's') == 's';
        o.need_address = cl.last_of("tT", 't') == 't';
        ezmlm::Env env = ezmlm::Env::from_environ();
        mta::io::Reader in(0);
        if (cl.operands.empty()) {
          ezmlm::post::check_post(nullptr, env.sender, o, in);
        } else {
          ezmlm::ListDir dir(cl.operands[0], env);
          ezmlm::post::check_post(&dir, env.sender, o, in);
        }
        return mta::exit_ok;
      });
}
