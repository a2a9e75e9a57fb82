// ezmlm/lib/subunsub.h — ezmlm-sub and ezmlm-unsub share one main.
//
// `prog [-HmMnNvV] [-h hash] [-S subdb] [-t tag] DIR [subdir] [addr [name]] ...`
// A second operand without '@' is the subdir. Addresses come from the
// command line (with -n as address/name pairs) or, when there are none,
// from stdin, one per line (parse_import_line). stdin is read in batches of
// batch_size addresses; each batch is one add_batch/remove_batch, so a
// 100 000-line import rewrites each bucket once per batch. A bad address
// refuses its whole batch (exit 100) and leaves the db as it was before
// that batch. When stderr is a terminal, a progress line is kept updated.
#pragma once

namespace ezmlm {

inline constexpr unsigned long import_batch_size = 100000;

// subscribe: true for ezmlm-sub. Returns the exit code.
int subunsub_main(bool subscribe, int argc, char** argv);

}  // namespace ezmlm
