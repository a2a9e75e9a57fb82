// ezmlm-sub — add addresses to a list's subscriber db.
//
// `ezmlm-sub [-HmMnNvV] [-h hash] [-S subdb] [-t tag] DIR [subdir] [addr [name]] ...`
// Addresses from the command line, or one per line on stdin for bulk
// imports (one rewrite per bucket per batch). Log lines "+manual" (or
// "+tag" with -t). Exit 0; 100 for a bad address or usage; 111 for file
// trouble. See ezmlm-sub(1) and ezmlm/lib/subunsub.h.
#include "ezmlm/lib/subunsub.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main({"ezmlm-sub", "ezmlm-sub [-HmMnNvV] [-h hash] [-S subdb] [-t tag] dir [subdir] [box@domain [name]] ...",
                        "add addresses to a mailing list's subscriber database"},
                       argc, argv, [](int argc, char** argv) { return ezmlm::subunsub_main(true, argc, argv); });
}
