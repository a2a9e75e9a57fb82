// mta/core/process.h — starting programs with an argv vector, never a shell.
//
// spawn() forks and execs argv[0] (a path; no PATH search unless use_path)
// with the descriptor plan given: each {child_fd, parent_fd} pair is dup2'ed
// in the child, everything else marked close-on-exec stays closed. The child
// may chdir first. An exec failure is reported by the child's exit status
// 120 (qmail's "unable to exec" convention), never by the parent's fate.
// Plans without environment changes or errno-based exec statuses start the
// child with posix_spawn (no copy of the parent's page tables); the result
// is the same.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "mta/core/io.h"

namespace mta::process {

struct SpawnOptions {
  std::vector<std::pair<int, int>> fds;  // {child fd, parent fd}
  std::filesystem::path chdir;           // empty: stay
  int chdir_failed_status = 120;         // the child's exit status if chdir fails
  bool use_path = false;                 // execvp instead of execv
  std::vector<std::string> setenv;       // "NAME=value" added in the child
  std::vector<std::string> unsetenv;     // names removed in the child
  // The .qmail helpers' convention (bouncesaying, except, preline, ...): a
  // failed exec ends the child with 111 for a temporary errno and 100 for any
  // other, instead of exec_failed_status; exec_error_text, when set, is
  // written on the child's fd 2 followed by strerror(errno) and a newline.
  bool exec_status_from_errno = false;
  std::string exec_error_text;
};

inline constexpr int exec_failed_status = 120;

// Returns the child's pid; throws TempError if fork fails.
pid_t spawn(const std::vector<std::string>& argv, const SpawnOptions& options = {});

// Replaces this process with argv (execvp with use_path, else execv).
// Returns only if the exec failed, with errno set: the caller decides the
// exit status (qmail's helpers use errno_is_temporary: 111 or 100).
void exec(const std::vector<std::string>& argv, bool use_path);

// Waits for pid (retrying after EINTR); returns the wait status.
int wait_for(pid_t pid);

// A pipe whose both ends are close-on-exec. first = read end, second = write end.
std::pair<io::Fd, io::Fd> make_pipe();

// Runs argv to completion with stdin from `input`, returns {wait status, stdout}.
std::pair<int, std::string> run_capture(const std::vector<std::string>& argv, std::string_view input,
                                        const SpawnOptions& options = {});

}  // namespace mta::process
