// mta/core/exitcodes.h — the error vocabulary of every Lettershop program.
//
// A temporary problem throws TempError (the caller retries: exit 111, SMTP 4xx),
// a permanent one PermError (exit 100, SMTP 5xx, a bounce). Both carry an
// RFC 3463 enhanced status code ("4.3.0") that run_main prints qmail-style as
// "prog: fatal: text (#4.3.0)" when it is set. errno is classified in one place
// (throw_errno), with the same list of "temporary" errors as qmail's error_temp.
//
// run_main is the one wrapper around every program's main: it answers --help
// and --version, catches MailError, std::bad_alloc (111) and anything else (111).
#pragma once

#include <functional>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mta {

inline constexpr int exit_ok = 0;
inline constexpr int exit_stop = 99;   // .qmail programs: success, skip the remaining lines
inline constexpr int exit_perm = 100;  // permanent failure or usage error
inline constexpr int exit_temp = 111;  // temporary failure, retry later

class MailError : public std::runtime_error {
 public:
  MailError(std::string what, std::string dsn, int exit_code)
      : std::runtime_error(std::move(what)), dsn_(std::move(dsn)), exit_code_(exit_code) {}
  const std::string& dsn() const { return dsn_; }   // "4.3.0", or empty
  int exit_code() const { return exit_code_; }       // what run_main returns
  bool permanent() const { return exit_code_ == exit_perm; }

 private:
  std::string dsn_;
  int exit_code_;
};

class TempError : public MailError {
 public:
  explicit TempError(std::string what, std::string dsn = "4.3.0")
      : MailError(std::move(what), std::move(dsn), exit_temp) {}
};

class PermError : public MailError {
 public:
  explicit PermError(std::string what, std::string dsn = "5.3.0")
      : MailError(std::move(what), std::move(dsn), exit_perm) {}
};

// A usage error: exit 100, no status code in the text.
class UsageError : public MailError {
 public:
  explicit UsageError(std::string what) : MailError(std::move(what), "", exit_perm) {}
};

// An error that must end the program with a specific exit code (qmail-queue's table).
class ExitError : public MailError {
 public:
  ExitError(int code, std::string what = {}) : MailError(std::move(what), "", code) {}
};

// True for the errno values qmail treats as temporary (error_temp.c).
bool errno_is_temporary(int err);

// Throws TempError "what: strerror(errno)" (4.3.0): every file-system
// problem of a mail system is worth a retry. Always throws.
[[noreturn]] void throw_errno(std::string_view what, int err);
[[noreturn]] void throw_errno(std::string_view what);

// A broken invariant of our own: print and abort (core dump). Never for bad input.
[[noreturn]] void panic(std::string_view what);

// What a child's wait status means for a delivery (qmail-local's contract).
enum class ChildResult { ok, stop, permanent, temporary };
ChildResult classify_child_exit(int wait_status);

// Concatenate string-like pieces (GCC 12 has no std::format).
template <typename... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  (out.append(std::string_view(parts)), ...);
  return out;
}

struct ProgramInfo {
  std::string_view name;      // "qmail-inject"
  std::string_view synopsis;  // "qmail-inject [-nNaAhH] [-fsender] [recip ...]"
  std::string_view summary;   // one line
};

// Runs body(argc, argv) and turns every outcome into an exit code.
// "--help" and "--version" as the only argument are answered here.
int run_main(const ProgramInfo& info, int argc, char** argv,
             const std::function<int(int, char**)>& body);

// Prints "prog: warning: text" on stderr.
void warn(std::string_view prog, std::string_view text);

// Writes the parts (at most 8) to fd with one writev, without allocating and
// without <iostream> (whose static initialiser every program would pay at
// start-up); a failed write is dropped. For diagnostics and --version texts.
void put_text(int fd, std::initializer_list<std::string_view> parts);

}  // namespace mta
