// ezmlm/lib/texts.h — run-time tag expansion and the texts responders send.
//
// Texts and header templates carry tags <#x#> (ezmlm.md 3.1): <#l#> list
// local part (or local-digest ...), <#h#> host, <#L#>/<#H#> the main list,
// <#A#> target, <#a#> its local part, <#t#> target with the last '@' as '=',
// <#R#>/<#r#> confirm address and local part, <#c#> cookie part, <#X#>
// action, <#T#> time, <#C#> hash, <#n#> message number, <#d#> DIR,
// <#0#>..<#9#> parameters. expand() replaces them from a TagValues:
//   - a tag with a value gets it;
//   - a known tag without a value prints "?????" (ezmlm-idx does that);
//   - an unknown tag is deleted.
// In header mode (headeradd, From lines ...) blank lines are dropped and a
// <#A#> or <#t#> tag is refused with TempError (111), because an address
// chosen by the requester must not reach a header.
//
// render_text() is ezmlm's "copy": a text/<name> file with '#' comment
// lines dropped, <=FLAGS=> lines starting a section that is printed only
// when every listed flag is on (letters of either case mean "on", digits
// are numeric flags; an empty <==> ends the condition), and the legacy
// lines "!A"/"!R" printed as three spaces and the target/confirm address.
//
// format_message() fills <#1#>..<#9#> of a text/messages entry.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ezmlm {

struct TagValues {
  std::map<char, std::string> values;
  TagValues& set(char tag, std::string value) {
    values[tag] = std::move(value);
    return *this;
  }
  const std::string* find(char tag) const {
    auto it = values.find(tag);
    return it == values.end() ? nullptr : &it->second;
  }
};

enum class ExpandMode { text, header };

// Tags that print "?????" when they have no value.
bool is_known_tag(char tag);

std::string expand(std::string_view text, const TagValues& tags,
                   ExpandMode mode = ExpandMode::text);

// ezmlm's copy(): `is_on` answers a flag letter or digit.
std::string render_text(std::string_view text, const TagValues& tags,
                        const std::function<bool(char)>& is_on);

// Replaces <#1#>..<#9#> by args[0..8] (missing ones: empty).
std::string format_message(std::string_view text, const std::vector<std::string>& args);

// Splits a trailing " (#5.1.3)" off a message, so that run_main can print
// the code after the details: {"the address has no '@'", "5.1.3"}. A text
// without one comes back whole with an empty code.
std::pair<std::string, std::string> split_dsn(std::string_view text);

// The compiled-in text/messages table (our own English), used when no
// text/messages file in the three places has the entry. nullptr if unknown.
const char* fallback_message(std::string_view name);

}  // namespace ezmlm
