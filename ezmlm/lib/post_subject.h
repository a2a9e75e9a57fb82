// ezmlm/lib/post_subject.h — subjects and authors as the archive index keeps
// them (reference ezmlm.md 1.5).
//
// decode_2047() turns a header value into one line of bytes: encoded words
// (RFC 2047, B and Q) decoded, the white space between two adjacent encoded
// words dropped, folding and control characters turned into single spaces.
// Charsets are not converted (the index, like ezmlm's, stores the bytes).
// A malformed encoded word is kept as written.
//
// normalise_subject() strips what threads differ by: leading reply
// indicators ("Re:", "AW:", "Re[2]:", "Re^3:" — a token of two or more
// characters ending in ':' then a space; past four characters the one
// before ':' must be a digit, ')' or ']'), a trailing "-Reply", and the
// list prefix wherever it leads (its '#' matches any run of digits);
// iso-2022 escape sequences are dropped first. The index shows
// "Re: " + stripped when a reply indicator was seen; subjhash is
// makehash(stripped).
//
// author_of() gives the index author (display name, comment, or address)
// and the authhash key: '<' when the address was in angle brackets, the
// local part cut at its first '-', '@' and the domain.
#pragma once

#include <string>
#include <string_view>

namespace ezmlm::post {

std::string decode_2047(std::string_view value);

struct Subject {
  std::string stripped;  // without indicators and prefix
  bool reply = false;
  std::string index() const { return reply ? "Re: " + stripped : stripped; }
};

Subject normalise_subject(std::string_view raw_value, std::string_view prefix);

// True if the decoded subject already contains prefix (with '#' = digits).
bool has_prefix(std::string_view decoded_subject, std::string_view prefix);

struct Author {
  std::string name;
  std::string hash_key;
};
Author author_of(std::string_view from_value);

// "N: subjhash subject\n\tdate;authhash author\n".
std::string index_entry(unsigned long number, std::string_view subjhash,
                        std::string_view subject, std::string_view date,
                        std::string_view authhash, std::string_view author);

// The index date: the text after ';' of the first Received field, else the
// Date field, else empty (callers supply now).
std::string index_date(std::string_view first_received, std::string_view date_field);

}  // namespace ezmlm::post
