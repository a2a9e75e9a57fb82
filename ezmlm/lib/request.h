// ezmlm/lib/request.h — ezmlm-request's parsing: which command a mail to
// list-request@host asks for, and where it is forwarded (ezmlm.md 3.2, 8).
//
// People write commands in the Subject ("subscribe", "remove",
// "subscribe list@host user@host", "list-unsubscribe@host") or, when the
// Subject has none, on the first body line that starts with a letter.
// The words become one command address understood by ezmlm-manage and
// ezmlm-get:
//   local-<command>[.<arg>...]-<target with last '@' as '='>@host
//
// Rules (all ours, written from ezmlm-request's documented behaviour):
//   - the first word is the command; a leading "digest-", "allow-" or
//     "deny-" is kept and the rest goes through the aliases:
//       sub -> subscribe; unsub, remove, signoff -> unsubscribe;
//       ind -> index; rev, review, recipients, who, showdist -> list;
//       system, put, set -> help
//     (case-insensitive; the result is lower-cased);
//   - a first word holding '@' is a whole command address
//     "list-cmd[-box=dom]@host": when it names a known list, the command
//     and target are taken from its local part;
//   - a later word holding '@' names the list when it is a known list
//     address (the first such word), else the target (the first other one);
//     "<...>" and "mailto:" around an address are dropped;
//   - other later words are arguments, appended as ".arg" ('-' inside an
//     argument becomes '_', so "get 12-20" is "get.12_20");
//   - the command, its arguments and the target's local part and domain
//     may only hold [A-Za-z0-9._+-] (as ezmlm-idx's checkarg): anything
//     else makes the request unclean (ezmlm-request refuses it, 100,
//     ERR_NOT_CLEAN), so no address is ever built from other bytes;
//   - a first word holding '@' that is not a command address of a list
//     we serve is unclean too (ezmlm-idx: ERR_REQ_LOCAL).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ezmlm::request {

// The canonical command for one word of a request (aliases above, prefix
// kept, lower-cased). The word itself is not validated here.
std::string canonical_command(std::string_view word);

// True if every byte is in [A-Za-z0-9._+-] and the word is not empty.
bool is_command_word(std::string_view word);

// True for an address usable as target: local@domain, both parts
// non-empty and clean, at most 400 bytes.
bool is_target_address(std::string_view address);

struct Command {
  std::string name;    // canonical, with ".arg" parts: "subscribe", "get.12"
  std::string list;    // the list address named ("" = none), lower-cased
  std::string target;  // the address named ("" = the SENDER)
  // The "box=dom" target part of a whole command address, as written.
  std::string target_part;
  // The first word that broke the rules ("" = clean).
  std::string unclean;
};

// Answers "is this (lower-cased) address one of the lists I serve?"; with
// a value, gives that list's local part (the full command address form
// needs it to find where the command starts).
using ListLookup = std::function<std::optional<std::string>(std::string_view address)>;

// Parses one line of request text (a decoded Subject or a body line).
// nullopt when the line holds no word at all.
std::optional<Command> parse_line(std::string_view line, const ListLookup& lists);

// The part of DEFAULT after "request" ("request-subscribe-box=dom" ->
// "subscribe-box=dom"), or nullopt when DEFAULT does not start with
// "request" (case-insensitive) followed by nothing or '-'.
std::optional<std::string_view> default_rest(std::string_view deflt);

// A command given as DEFAULT's rest "cmd[-box=dom]" (or a whole command
// address's local part after "list-"): prefix kept, aliases applied.
Command parse_address_part(std::string_view part);

// local-<name>-<target with last '@' as '='>@host; target_part (already in
// box=dom form) wins over target.
std::string forward_address(std::string_view local, std::string_view host, const Command& cmd,
                            std::string_view target);

// The lines of an ezmlm-request -f file: "list@host:listdir:description".
// '#' and blank lines are skipped, as are lines without a list address
// holding '@' or without a directory.
struct ListEntry {
  std::string address;  // lower-cased
  std::string dir;
  std::string description;
};
std::vector<ListEntry> parse_config(std::string_view contents);

}  // namespace ezmlm::request
