// ezmlm/lib/manage_command.h — what ezmlm-manage is asked to do, read from
// DEFAULT (ezmlm.md 4).
//
// DEFAULT = [digest-|allow-|deny-]action[-box=domain]
//   the prefix picks the db (and the key shortening of its cookies); the
//   action is matched without regard to case; the text after the action's
//   first '-' is the target, its last '=' standing for '@'. Cookie actions
//   (sc. tc. rc. uc. vc. wc.) keep the whole "Xc.T.H-box=dom" for
//   parse_confirm; "ed.T.file.H" goes to parse_edit. An action that starts
//   like a cookie action but does not parse is still that verb, with
//   `cookie` empty: the caller answers it as a bad confirmation instead of
//   sending help. Anything unknown is Verb::help (ezmlm-idx answers every
//   unknown command with the help text).
// parse_command never throws and reads nothing but its argument.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ezmlm/lib/cookie_addr.h"

namespace ezmlm {

enum class Verb {
  subscribe, unsubscribe,
  sc, tc, rc, uc, vc, wc,   // confirmations
  help, info, faq, query,
  list, listn, log,         // remote administration
  edit, ed,                 // text editing
  get,                      // legacy get.N
};

struct Command {
  CookieDb db = CookieDb::main;
  Verb verb = Verb::help;
  bool literal_help = false;          // the action was "help" itself
  std::string action;                 // as given, without db prefix and target
  std::string param;                  // log.<search>, edit.<file>, get.<N>
  std::optional<std::string> target;  // from "-box=dom" (decoded)
  std::optional<CookieAddr> cookie;   // confirmations and ed.: the parsed cookie
};

Command parse_command(std::string_view deflt);

// The text name of a verb for info lines ("subscribe", "sc", ...).
std::string_view verb_name(Verb verb);

}  // namespace ezmlm
