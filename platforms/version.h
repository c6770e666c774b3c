#pragma once
// Version of smmu-sim and the git commit it was built from (`<hash>-dirty` with uncommitted
// changes, "unknown" outside git): --version and config.json's run.version / run.git_commit.

namespace smmusim {
const char* version();
const char* git_commit();
}  // namespace smmusim
