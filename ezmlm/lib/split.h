// ezmlm/lib/split.h — ezmlm-split's rules: which sublist serves an address.
//
// DIR/split has lines "domain:lo:hi:list@host" ('#' lines are comments,
// lines without ':' are skipped). An address matches the first line whose
// domain is empty or a case-insensitive prefix of the address's domain key
// (its last two labels reversed: "a.b.example.com" -> "com.example") and
// whose range lo..hi (hi empty: 52) holds the address's hash (djb of the
// lowercased address, 7.x rule, mod 53). A line with no list names this
// list; a list without '@' gets the list's own host.
//
// Errors: SplitSyntax (TempError, 111) for a matching line without its
// hash fields (ezmlm-idx: "syntax error line N"); PermError (100) for an
// address without '@'.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mta/core/exitcodes.h"

namespace ezmlm::split {

// "com.example" for "user@a.example.com"; the domain itself without a dot.
std::string domain_key(std::string_view address);

// The sublist address for address, or nullopt when this list serves it.
std::optional<std::string> find_sublist(std::string_view rules, std::string_view address,
                                        std::string_view outhost, std::string_view rules_name = "split");

// DEFAULT "subscribe-box=dom" -> {action, target}; the target defaults to
// sender; the last '=' of the target becomes '@'.
struct Request {
  std::string action;
  std::string target;
};
Request parse_default(std::string_view deflt, std::string_view sender);

// True for the actions ezmlm-split forwards (subscribe, unsubscribe).
bool is_split_action(std::string_view action);

// "sub-subscribe-box=dom@subhost" for sublist "sub@subhost".
std::string forward_address(std::string_view sublist, std::string_view action, std::string_view target);

}  // namespace ezmlm::split
