#include "eval/sandbox.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "slm/error.h"

namespace slm::eval {

namespace fs = std::filesystem;

const char* outcome_name(RunOutcome o) {
  switch (o) {
    case RunOutcome::passed: return "passed";
    case RunOutcome::failed: return "failed";
    case RunOutcome::timed_out: return "timed out";
    case RunOutcome::crashed: return "crashed";
  }
  return "?";
}

namespace {

// Sandboxed programs run as uids from this range when we are root, one per run, so the
// per-user process limit holds for each sandbox on its own and no run can signal another.
constexpr uid_t kFirstSandboxUid = 61000;
constexpr uint32_t kSandboxUids = 4000;

std::string find_python() {
  if (const char* env = std::getenv("SLM_PYTHON")) return env;
  // A system interpreter: per-user installs under $HOME may be unreadable to the sandbox uid.
  for (const char* p : {"/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"})
    if (access(p, X_OK) == 0) return p;
  throw Error("sandbox: no python3 found (install python3, or set SLM_PYTHON to an interpreter path)");
}

// Network (no network), PID (nothing outlives the program) and mount (private /tmp) namespaces.
constexpr int kNamespaces = CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS;

// Whether a child can enter the new namespaces here.
bool namespaces_available() {
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    int flags = kNamespaces;
    if (geteuid() != 0) flags |= CLONE_NEWUSER;
    _exit(unshare(flags) == 0 ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void set_limit(int resource, rlim_t value) {
  rlimit r{value, value};
  setrlimit(resource, &r);
}

std::string tail_of_file(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > max_bytes ? s.substr(s.size() - max_bytes) : s;
}

// Appends n >= 0 in decimal to the C string (no allocation: used after fork).
void append_decimal(char* out, int n) {
  char digits[12];
  int count = 0;
  do {
    digits[count++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n > 0);
  char* end = out + strlen(out);
  while (count > 0) *end++ = digits[--count];
  *end = '\0';
}

// Everything the child needs, built before fork: the parent may be multi-threaded, so the
// child must not allocate.
struct ChildPlan {
  const SandboxLimits* limits;
  bool isolate_network;
  uid_t uid;
  const char* dir;
  const char* stderr_path;
  const char* stdout_path;
  char* const* args;
  char* const* env;
  const char* uid_map;  // "U U 1\n": keeps our own identity inside a new user namespace
  const char* gid_map;
};

void write_file(const char* path, const char* text) {
  int fd = open(path, O_WRONLY);
  if (fd < 0) return;
  ssize_t ignored = write(fd, text, strlen(text));
  (void)ignored;
  close(fd);
}

// The child side: confine, then exec python.
[[noreturn]] void exec_confined(const ChildPlan& plan) {
  setpgid(0, 0);
  if (plan.isolate_network) {
    int flags = kNamespaces;
    const bool new_user = geteuid() != 0;
    if (new_user) flags |= CLONE_NEWUSER;
    if (unshare(flags) == 0) {
      if (new_user) {
        // Without a mapping we would be the overflow uid and could not enter our own directory.
        write_file("/proc/self/setgroups", "deny");
        write_file("/proc/self/uid_map", plan.uid_map);
        write_file("/proc/self/gid_map", plan.gid_map);
      }
      // The first process forked after CLONE_NEWPID is the namespace's init: when it exits the
      // kernel kills everything left in the namespace (fork bombs, daemons).
      pid_t init = fork();
      if (init < 0) _exit(125);
      if (init > 0) {
        int status = 0;
        while (waitpid(init, &status, 0) < 0) {
        }
        if (WIFSIGNALED(status)) _exit(128 + WTERMSIG(status));
        _exit(WEXITSTATUS(status));
      }
    }
  }
  int devnull = open("/dev/null", O_RDWR);
  int err = open(plan.stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int out = open(plan.stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (devnull < 0 || err < 0 || out < 0) _exit(126);
  dup2(devnull, 0);
  dup2(out, 1);
  dup2(err, 2);
  for (int fd = 3; fd < 1024; ++fd) close(fd);
  if (plan.isolate_network) {
    // Fresh empty tmpfs over the world-writable places, so nothing is left behind there and no
    // run sees another's files. Our own directory (/tmp/slm-sandbox-…) is bound back in place.
    const int own = open(plan.dir, O_RDONLY | O_DIRECTORY);
    if (own < 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) _exit(126);
    for (const char* place : {"/tmp", "/var/tmp", "/dev/shm"})
      if (access(place, F_OK) == 0 &&
          mount("tmpfs", place, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=1777") != 0)
        _exit(126);
    char own_path[32] = "/proc/self/fd/";
    append_decimal(own_path, own);
    if (mkdir(plan.dir, 0700) != 0 || mount(own_path, plan.dir, nullptr, MS_BIND, nullptr) != 0) _exit(126);
    close(own);
  }
  if (chdir(plan.dir) != 0) _exit(126);
  if (geteuid() == 0) {
    if (setgroups(0, nullptr) != 0 || setresgid(plan.uid, plan.uid, plan.uid) != 0 ||
        setresuid(plan.uid, plan.uid, plan.uid) != 0)
      _exit(126);
  }
  const SandboxLimits& limits = *plan.limits;
  set_limit(RLIMIT_CPU, static_cast<rlim_t>(limits.cpu_seconds));
  set_limit(RLIMIT_AS, static_cast<rlim_t>(limits.address_space_bytes));
  set_limit(RLIMIT_FSIZE, static_cast<rlim_t>(limits.file_size_bytes));
  set_limit(RLIMIT_NPROC, static_cast<rlim_t>(limits.processes));
  set_limit(RLIMIT_CORE, 0);
  execve(plan.args[0], plan.args, plan.env);
  _exit(127);
}

}  // namespace

PythonSandbox::PythonSandbox(SandboxLimits limits) : limits_(limits), python_(find_python()) {
  isolate_network_ = namespaces_available();
  if (!isolate_network_)
    warnings_.push_back("no network/PID/mount namespaces available: sandboxed code can reach the network, "
                        "write to /tmp and leave processes behind");
  if (geteuid() != 0)
    warnings_.push_back("not root: sandboxed code runs as the current user (process limit shared with it)");
}

RunResult PythonSandbox::run(const std::string& program) const {
  // Directly under /tmp when a private /tmp is mounted: the child recreates this one path in it.
  std::string tmpl = ((isolate_network_ ? fs::path("/tmp") : fs::temp_directory_path()) / "slm-sandbox-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw Error("sandbox: cannot create a temporary directory");
  const std::string dir = tmpl;
  const std::string script = dir + "/program.py";
  const std::string stderr_path = dir + "/stderr", stdout_path = dir + "/stdout";
  // Passing means running to the end: an exit(0) half-way (sys.exit in a completion) must not
  // count, so the program's last statement writes a marker that the exit status alone lacks.
  const std::string marker = "slm-sandbox-done-" + std::to_string(std::random_device{}()) + "-" +
                             std::to_string(std::random_device{}());
  {
    std::ofstream f(script, std::ios::binary);
    f << program << "\n\n__import__('os').write(1, b'\\n" << marker << "\\n')\n";
  }
  const uid_t uid = kFirstSandboxUid + next_uid_.fetch_add(1) % kSandboxUids;
  if (geteuid() == 0) {
    // The sandbox uid owns its directory and nothing else.
    if (chown(dir.c_str(), uid, uid) != 0) throw Error("sandbox: cannot hand the directory to the sandbox uid");
    chmod(dir.c_str(), 0700);
    chmod(script.c_str(), 0644);
  }

  const std::string home = "HOME=" + dir;
  char* const env[] = {const_cast<char*>("PATH=/usr/bin:/bin"), const_cast<char*>(home.c_str()),
                       const_cast<char*>("OMP_NUM_THREADS=1"), const_cast<char*>("PYTHONDONTWRITEBYTECODE=1"),
                       const_cast<char*>("LANG=C.UTF-8"), nullptr};
  char* const args[] = {const_cast<char*>(python_.c_str()), const_cast<char*>("-I"),
                        const_cast<char*>(script.c_str()), nullptr};
  const std::string uid_map = std::to_string(geteuid()) + " " + std::to_string(geteuid()) + " 1\n";
  const std::string gid_map = std::to_string(getegid()) + " " + std::to_string(getegid()) + " 1\n";
  const ChildPlan plan{&limits_, isolate_network_, uid,  dir.c_str(),     stderr_path.c_str(),
                       stdout_path.c_str(), args, env, uid_map.c_str(), gid_map.c_str()};

  const auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid < 0) throw Error("sandbox: fork failed");
  if (pid == 0) exec_confined(plan);
  setpgid(pid, pid);  // also set in the child; whichever runs first wins the race harmlessly

  RunResult r;
  int status = 0;
  bool timed_out = false;
  for (;;) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (elapsed > limits_.wall_seconds) {
      timed_out = true;
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(elapsed < 0.2 ? 2 : 10));
  }
  if (!isolate_network_) kill(-pid, SIGKILL);  // stragglers that kept our process group (no PID namespace)
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (timed_out) {
    r.outcome = RunOutcome::timed_out;
  } else if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
    // The PID namespace's init reports a signal death as 128 + signal.
    if (r.exit_code > 128 && r.exit_code < 128 + 65) {
      r.signal = r.exit_code - 128;
      r.outcome = r.signal == SIGXCPU || r.signal == SIGKILL ? RunOutcome::timed_out : RunOutcome::crashed;
    } else {
      const bool finished = tail_of_file(stdout_path, marker.size() + 8).find(marker) != std::string::npos;
      r.outcome = r.exit_code == 0 && finished ? RunOutcome::passed : RunOutcome::failed;
    }
  } else if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
    r.outcome = r.signal == SIGXCPU ? RunOutcome::timed_out : RunOutcome::crashed;
  }
  r.stderr_tail = tail_of_file(stderr_path, 600);
  std::error_code ec;
  fs::remove_all(dir, ec);
  return r;
}

}  // namespace slm::eval
