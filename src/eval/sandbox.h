#pragma once
// Runs untrusted Python in a separate, confined process: fresh network, PID and mount
// namespaces (no network; every process it starts dies with it; empty private /tmp, /var/tmp
// and /dev/shm), its own unprivileged uid when started as
// root, CPU / address-space / file-size / process-count limits, an empty private temporary
// directory as cwd (removed afterwards), stdin from /dev/null, and a wall-clock timeout that
// kills the whole process group.
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace slm::eval {

struct SandboxLimits {
  double wall_seconds = 3.0;
  int cpu_seconds = 4;
  uint64_t address_space_bytes = 1ull << 30;
  uint64_t file_size_bytes = 16ull << 20;
  int processes = 16;  // per sandbox uid
};

enum class RunOutcome { passed, failed, timed_out, crashed };
const char* outcome_name(RunOutcome outcome);

struct RunResult {
  RunOutcome outcome = RunOutcome::failed;
  int exit_code = -1;   // when it exited
  int signal = 0;       // when a signal ended it
  double seconds = 0;
  std::string stderr_tail;  // the last lines it wrote to stderr (the exception)
};

class PythonSandbox {
 public:
  explicit PythonSandbox(SandboxLimits limits = {});

  // Runs `program` (the full source) with python3 -I; passed means it ran to its end and exited 0.
  RunResult run(const std::string& program) const;

  const std::string& python() const { return python_; }
  // Isolation that could not be set up here (e.g. no namespaces): said once in the report.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  SandboxLimits limits_;
  std::string python_;
  bool isolate_network_ = true;
  std::vector<std::string> warnings_;
  mutable std::atomic<uint32_t> next_uid_{0};
};

}  // namespace slm::eval
