// mta/local/home_owner.h — the owner of a home directory, for qmail-getpw
// and qmail-pw2u: nullopt when it does not exist, TempError when stat(2)
// fails for a reason worth a retry (NFS trouble).
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cerrno>
#include <optional>
#include <string>

#include "mta/core/exitcodes.h"

namespace mta::users {

inline std::optional<uid_t> home_owner(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) return st.st_uid;
  if (errno_is_temporary(errno)) throw_errno(cat("unable to stat ", dir));
  return std::nullopt;
}

}  // namespace mta::users
