#include "ezmlm/lib/manage_command.h"

#include "mta/core/address.h"

namespace ezmlm {

namespace {

using mta::address::iequals;

bool starts_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

struct Named {
  std::string_view name;
  Verb verb;
};

// Whole-action verbs (compared without regard to case).
constexpr Named plain[] = {
    {"subscribe", Verb::subscribe}, {"unsubscribe", Verb::unsubscribe}, {"help", Verb::help},
    {"info", Verb::info},           {"faq", Verb::faq},                 {"query", Verb::query},
    {"list", Verb::list},           {"listn", Verb::listn},             {"log", Verb::log},
    {"edit", Verb::edit},
};

constexpr Named confirms[] = {{"sc.", Verb::sc}, {"tc.", Verb::tc}, {"rc.", Verb::rc},
                              {"uc.", Verb::uc}, {"vc.", Verb::vc}, {"wc.", Verb::wc}};

}  // namespace

Command parse_command(std::string_view deflt) {
  Command c;
  if (starts_ci(deflt, "digest-")) {
    c.db = CookieDb::digest;
    deflt.remove_prefix(7);
  } else if (starts_ci(deflt, "allow-")) {
    c.db = CookieDb::allow;
    deflt.remove_prefix(6);
  } else if (starts_ci(deflt, "deny-")) {
    c.db = CookieDb::deny;
    deflt.remove_prefix(5);
  }

  for (const auto& n : confirms) {
    if (!starts_ci(deflt, n.name)) continue;
    c.verb = n.verb;
    auto dash = deflt.find('-');
    c.action = std::string(deflt.substr(0, dash));
    if (dash != std::string_view::npos && dash + 1 < deflt.size()) c.target = decode_target(deflt.substr(dash + 1));
    c.cookie = parse_confirm(deflt);
    return c;
  }
  if (starts_ci(deflt, "ed.")) {
    c.verb = Verb::ed;
    c.action = std::string(deflt);
    c.cookie = parse_edit(deflt);
    return c;
  }

  auto dash = deflt.find('-');
  std::string_view action = deflt.substr(0, dash);
  if (dash != std::string_view::npos && dash + 1 < deflt.size()) c.target = decode_target(deflt.substr(dash + 1));
  c.action = std::string(action);
  for (const auto& n : plain) {
    if (iequals(action, n.name)) {
      c.verb = n.verb;
      c.literal_help = n.verb == Verb::help;
      return c;
    }
  }
  // Verbs with a parameter after a dot.
  struct Dotted {
    std::string_view prefix;
    Verb verb;
  };
  constexpr Dotted dotted[] = {{"log.", Verb::log}, {"edit.", Verb::edit}, {"get.", Verb::get}};
  for (const auto& d : dotted) {
    if (starts_ci(action, d.prefix)) {
      c.verb = d.verb;
      c.param = std::string(action.substr(d.prefix.size()));
      return c;
    }
  }
  c.verb = Verb::help;  // unknown: help, From -help (not -return-)
  return c;
}

std::string_view verb_name(Verb verb) {
  switch (verb) {
    case Verb::subscribe: return "subscribe";
    case Verb::unsubscribe: return "unsubscribe";
    case Verb::sc: return "sc";
    case Verb::tc: return "tc";
    case Verb::rc: return "rc";
    case Verb::uc: return "uc";
    case Verb::vc: return "vc";
    case Verb::wc: return "wc";
    case Verb::help: return "help";
    case Verb::info: return "info";
    case Verb::faq: return "faq";
    case Verb::query: return "query";
    case Verb::list: return "list";
    case Verb::listn: return "listn";
    case Verb::log: return "log";
    case Verb::edit: return "edit";
    case Verb::ed: return "ed";
    case Verb::get: return "get";
  }
  return "?";
}

}  // namespace ezmlm
