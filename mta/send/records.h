// mta/send/records.h — the NUL-terminated records of todo, info, local, remote.
//
// todo:   "u<uid>\0p<pid>\0F<sender>\0" then "T<recipient>\0"...
// info:   "F<sender>\0"
// local, remote: "T<address>\0" (to do) or "D<address>\0" (done)
// (reference mta.md 2.2). parse_records cuts a file's bytes into records and
// remembers each record's offset, because marking a recipient done is a
// one-byte overwrite of its type byte. Bytes after the last NUL are not a
// record: a file cut short by a crash says so through `partial`.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace mta::send {

struct Record {
  char type = '\0';       // first byte; '\0' for an empty record
  std::string_view text;  // the rest, without the terminating NUL
  std::size_t offset = 0; // offset of the type byte in the file
};

struct Records {
  std::vector<Record> records;
  bool partial = false;  // bytes after the last NUL
};

// parse_records - cut data into records; views point into data.
Records parse_records(std::string_view data);

}  // namespace mta::send
