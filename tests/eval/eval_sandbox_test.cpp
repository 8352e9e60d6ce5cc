// The HumanEval sandbox: every canonical solution passes; wrong, crashing, looping,
// memory-hungry, forking and network-using programs fail within their limits.
#include <gtest/gtest.h>

#include <atomic>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "eval/humaneval.h"
#include "eval/jsonl.h"
#include "eval/sandbox.h"
#include "test_support.h"

namespace slm::eval {

namespace {
nlohmann::ordered_json first_problem() {
  return read_jsonl(test::fixture("evals/humaneval/HumanEval.jsonl")).at(0);
}
}  // namespace

TEST(EvalSandbox, AllCanonicalSolutionsPass) {
  const auto problems = read_jsonl(test::fixture("evals/humaneval/HumanEval.jsonl"));
  ASSERT_EQ(problems.size(), 164u);
  SandboxLimits limits;
  limits.wall_seconds = 20;  // generous: the suite may share the CPU with other work
  limits.cpu_seconds = 20;
  PythonSandbox sandbox(limits);
  std::atomic<size_t> next{0};
  std::vector<RunResult> results(problems.size());
  std::vector<std::thread> workers;
  for (int t = 0; t < 8; ++t)
    workers.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < problems.size();)
        results[i] = sandbox.run(humaneval::program(problems[i], problems[i].at("canonical_solution").get<std::string>()));
    });
  for (auto& w : workers) w.join();
  for (size_t i = 0; i < problems.size(); ++i)
    EXPECT_EQ(results[i].outcome, RunOutcome::passed) << problems[i].at("task_id") << ": " << results[i].stderr_tail;
}

struct BadCompletion {
  const char* name;
  const char* body;
  RunOutcome expected;
};

TEST(EvalSandbox, HostileCompletionsFailWithinLimits) {
  const BadCompletion cases[] = {
      {"wrong", "    return False\n", RunOutcome::failed},
      {"crash", "    raise RuntimeError('boom')\n", RunOutcome::failed},
      {"syntax", "    return (\n", RunOutcome::failed},
      {"infinite loop", "    while True:\n        pass\n", RunOutcome::timed_out},
      {"sleeps", "    import time\n    time.sleep(60)\n", RunOutcome::timed_out},
      {"memory hog", "    x = bytearray(8 * 1024 ** 3)\n    return True\n", RunOutcome::failed},
      {"fork bomb",
       "    import os\n    while True:\n        try:\n            os.fork()\n        except OSError:\n            pass\n",
       RunOutcome::timed_out},
      {"network", "    import socket\n    socket.create_connection(('1.1.1.1', 53), timeout=2)\n    return True\n",
       RunOutcome::failed},
      {"exits early", "    import sys\n    sys.exit(0)\n", RunOutcome::failed},
      {"exits hard", "    import os\n    os._exit(0)\n", RunOutcome::failed},
      {"segfault", "    import ctypes\n    ctypes.string_at(0)\n", RunOutcome::crashed},
      {"writes a huge file", "    open('big', 'wb').write(b'x' * (64 << 20))\n    return True\n", RunOutcome::failed},
  };
  SandboxLimits limits;
  limits.wall_seconds = 2.0;
  limits.cpu_seconds = 3;
  PythonSandbox sandbox(limits);
  for (const auto& w : sandbox.warnings()) std::printf("sandbox warning: %s\n", w.c_str());
  const auto problem = first_problem();
  for (const auto& c : cases) {
    const auto t0 = std::chrono::steady_clock::now();
    const RunResult r = sandbox.run(humaneval::program(problem, c.body));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(r.outcome, c.expected) << c.name << " ended as " << outcome_name(r.outcome) << ": " << r.stderr_tail;
    EXPECT_LT(seconds, 4.0) << c.name;
  }
  // The machine is unharmed: a correct program still passes right after.
  EXPECT_EQ(sandbox.run(humaneval::program(problem, problem.at("canonical_solution").get<std::string>())).outcome,
            RunOutcome::passed);
}

TEST(EvalSandbox, LeavesNothingBehind) {
  PythonSandbox sandbox;
  if (!sandbox.warnings().empty() && sandbox.warnings()[0].find("namespaces") != std::string::npos)
    GTEST_SKIP() << sandbox.warnings()[0];
  const std::string name = "slm-sandbox-escape-" + std::to_string(::getpid());
  const RunResult r = sandbox.run("import os\n"
                                  "for d in ['/tmp', '/var/tmp', '/dev/shm']:\n"
                                  "    if os.path.isdir(d):\n"
                                  "        open(os.path.join(d, '" + name + "'), 'w').write('x')\n"
                                  "seen = sorted(os.listdir('/tmp'))\n"
                                  "assert seen == sorted(['" + name + "', os.path.basename(os.getcwd())]), seen\n"
                                  "open('in-cwd', 'w').write('x')\n");
  EXPECT_EQ(r.outcome, RunOutcome::passed) << r.stderr_tail;
  for (const char* d : {"/tmp/", "/var/tmp/", "/dev/shm/"})
    EXPECT_FALSE(std::filesystem::exists(std::string(d) + name)) << d;
}

TEST(EvalSandbox, NoNetworkWhenNamespacesExist) {
  PythonSandbox sandbox;
  if (!sandbox.warnings().empty()) GTEST_SKIP() << sandbox.warnings()[0];
  // In a fresh network namespace even loopback is down: every connect is "network unreachable".
  const RunResult r = sandbox.run(
      "import errno, socket\n"
      "for address in [('127.0.0.1', 22), ('1.1.1.1', 53)]:\n"
      "    s = socket.socket()\n"
      "    s.settimeout(1)\n"
      "    try:\n"
      "        s.connect(address)\n"
      "        raise AssertionError('connected to %s' % (address,))\n"
      "    except OSError as e:\n"
      "        assert e.errno == errno.ENETUNREACH, e\n");
  EXPECT_EQ(r.outcome, RunOutcome::passed) << r.stderr_tail;
}

}  // namespace slm::eval
