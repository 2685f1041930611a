#!/usr/bin/env python3
"""bench.py BUILD_DIR - measures the benchmarks built in BUILD_DIR (make bench) and prints one table.

For every case function of kcom_bench (kcom, hand-written C++, plain C baselines, kcom classes
over a caching allocator for the create + final Release cases, and, where kcom's async layer is
built, the async cases):
  0. public-API check: the kcom side of every case reaches kcom the way a driver's code does
     (bench/checks/public_api.cmake over every source of the benchmarks; no object file refers to
     a kcom_rt_* function that no macro of kcom's public headers generates a call to, and no loop
     calls one);
  1. dead-code check: the function's loop, disassembled with objdump, must still contain the calls
     it is there to measure (so the compiler cannot have optimized the work away);
  2. instructions per iteration: callgrind --toggle-collect=<case function> on runs of N1 and N2
     iterations, (Ir(N2) - Ir(N1)) / (N2 - N1), so process start, loop setup and first-call costs
     (lazy binding, heap growth) cancel out; a case that runs threads (scope "process") is counted
     over the whole process, every thread, with the same difference;
  3. wall-clock ns per iteration: median of several interleaved runs (kcom_bench time);
  4. allocations per iteration and bytes per object (kcom_bench_allocs).
Writes BUILD_DIR/results.md (the table, with the machine it came from), BUILD_DIR/breakdown.md
(callgrind_annotate of create + final Release, QueryInterface and the async cases on every side)
and BUILD_DIR/disasm.txt (the loops).
Exit status 1 when a check fails.
"""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

# Calls each case's loop body must contain at least (see bench/bench.h).
MIN_CALLS = {
    "create_release_1": 2,  # the factory, Release through the vtable
    "create_release_4": 2,
    "create_by_iid": 2,  # kcom_object_create (C++: the factory), Release through the vtable
    "create_by_iid_other": 2,
    "create_free": 2,  # bench_plain_new, bench_plain_free
    "addref_release": 2,  # AddRef, Release
    "call": 1,  # the method (or the plain function pointer)
    "call_4th": 1,
    "qi_first": 2,  # QueryInterface, Release of the result
    "qi_last": 2,
    "qi_miss": 1,  # QueryInterface
    "async_call": 3,  # the async method, get_result, the final Release
    "async_call_in": 3,
    "spawn_in": 3,  # the task built by hand (begin_in, run: a helper; C++: the method), get_result, Release
    "spawn_in_other": 3,
    "spawn_in_other_desc": 3,
    "run_in": 3,  # the same task in one call (kcom_async_run_in: a helper; C++: the method), get_result, Release
    "run_in_other": 3,
    "run_in_other_desc": 3,
    "run_in_tracked": 3,
    "spawn_in_tracked": 3,
    "async_status": 1,  # get_status
    # create the source, spawn the task, complete the source, block, get_result, Release both
    "async_wake": 7,
    "async_dpc_wake": 7,
}


def run(args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs).stdout


def build_compilers(build):
    """The build's C and C++ compilers (CMakeCache.txt), as "<c>/<c++>", and the C compiler's
    first --version line."""
    compilers = {}
    try:
        with open(os.path.join(build, "CMakeCache.txt")) as cache:
            for line in cache:
                m = re.match(r"CMAKE_(C|CXX)_COMPILER:\w+=(.*)", line.strip())
                if m:
                    compilers[m.group(1)] = m.group(2)
    except OSError:
        pass
    c, cxx = compilers.get("C", "cc"), compilers.get("CXX", "c++")
    try:
        version = run([c, "--version"]).splitlines()[0]
    except (OSError, subprocess.CalledProcessError):
        version = c
    return f"{os.path.basename(c)}/{os.path.basename(cxx)}", version


def machine_description(compiler_version):
    model, family, number = "unknown CPU", None, None
    try:
        for line in run(["lscpu"]).splitlines():
            key, _, value = line.partition(":")
            if key == "Model name":
                model = value.strip()
            elif key == "CPU family":
                family = value.strip()
            elif key == "Model":
                number = value.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    if family and number:
        model += f" (family {family}, model {number})"
    cpus = str(os.cpu_count())
    try:
        cpus = run(["nproc"]).strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    valgrind = run(["valgrind", "--version"]).strip()
    try:
        libc = run(["getconf", "GNU_LIBC_VERSION"]).strip()  # malloc/free dominate creation
    except (OSError, subprocess.CalledProcessError):
        libc = "unknown libc"
    return f"{model}, {cpus} CPUs (nproc); {compiler_version}; {libc}; {valgrind}"


def list_rows(bench):
    rows = []
    for line in run([bench, "list"]).splitlines():
        _, row_id, kind, kcom, cpp, cached, cpp_cached, size_key, scope, title = line.split("\t")
        rows.append({"id": row_id, "baseline": kind == "baseline", "kcom": kcom,
                     "cpp": None if cpp == "-" else cpp, "cached": None if cached == "-" else cached,
                     "cpp_cached": None if cpp_cached == "-" else cpp_cached,
                     "bytes": None if size_key == "-" else size_key, "process": scope == "process",
                     "title": title})
    return rows


# ---- 1. the dead-code check ---------------------------------------------------------------------

INSN = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$")
TARGET = re.compile(r"^([0-9a-f]+)\s")


def disassemble(binary, symbol):
    """[(address, mnemonic, operands)] of symbol, in address order."""
    text = run(["objdump", "-d", "--no-show-raw-insn", "-C", f"--disassemble={symbol}", binary])
    insns = []
    for line in text.splitlines():
        m = INSN.match(line)
        if m:
            insns.append((int(m.group(1), 16), m.group(2), m.group(3)))
    return insns


def natural_loops(insns):
    """The loops of a function: {header address: set of instruction indexes}, from its control flow
    graph (a back edge is a jump to an instruction that dominates it; its loop is the header plus
    everything that reaches the jump without passing through the header)."""
    index = {address: i for i, (address, _, _) in enumerate(insns)}

    def successors(i):
        _, mnemonic, operands = insns[i]
        if mnemonic.startswith("ret") or mnemonic in ("ud2", "hlt"):
            return []
        if mnemonic.startswith("j"):
            m = TARGET.match(operands + " ")
            target = index.get(int(m.group(1), 16)) if m else None
            inside = [target] if target is not None else []  # jumps out of the function end its path
            if mnemonic.startswith("jmp"):
                return inside
            return inside + ([i + 1] if i + 1 < len(insns) else [])
        return [i + 1] if i + 1 < len(insns) else []

    succ = [successors(i) for i in range(len(insns))]
    reachable, work = {0}, [0]
    while work:
        for t in succ[work.pop()]:
            if t not in reachable:
                reachable.add(t)
                work.append(t)
    pred = [[] for _ in insns]
    for i, targets in enumerate(succ):
        if i in reachable:  # padding after a jump or a return reaches nothing
            for t in targets:
                pred[t].append(i)
    # dominators over instructions (functions here are small), iterated to a fixed point
    everything = set(range(len(insns)))
    dom = [set(everything) for _ in insns]
    dom[0] = {0}
    changed = True
    while changed:
        changed = False
        for i in sorted(reachable - {0}):
            incoming = [dom[p] for p in pred[i]]
            new = (set.intersection(*incoming) if incoming else set()) | {i}
            if new != dom[i]:
                dom[i], changed = new, True
    loops = {}
    for i in sorted(reachable):
        for header in succ[i]:
            if header in dom[i]:  # a back edge i -> header
                body, work = {header, i}, [i]
                while work:
                    for p in pred[work.pop()]:
                        if p not in body:
                            body.add(p)
                            work.append(p)
                loops.setdefault(insns[header][0], set()).update(body)
    return loops


SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CALL_TARGET = re.compile(r"<([A-Za-z_][A-Za-z0-9_.]*)(?:@plt)?>")


def generated_runtime():
    """The kcom_rt_* names that code generated by kcom's macros or inline functions calls: those in
    the #define bodies of the public headers and in the bodies of their inline kcom_* functions (a
    driver calls those), and those that the inline kcom_rt_* functions among them call in turn."""
    texts = []
    for root, _, files in os.walk(os.path.join(SOURCE_DIR, "include", "kcom")):
        texts += [open(os.path.join(root, n)).read() for n in files if n.endswith(".h")]
    names, bodies = set(), {}
    for text in texts:
        in_define = False
        for line in text.splitlines():
            in_define = in_define or line.lstrip().startswith("#define")
            if in_define:
                names.update(re.findall(r"\bkcom_rt_\w+", line))
            in_define = in_define and line.rstrip().endswith("\\")
        for m in re.finditer(r"^(?:KCOM_UNUSED )?static [^;{}=]*?\b(kcom_\w+)\s*\([^;{}]*\)\s*\{", text, re.M):
            depth, i = 1, m.end()
            while depth and i < len(text):
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
            called = set(re.findall(r"\bkcom_rt_\w+", text[m.end():i]))
            if m.group(1).startswith("kcom_rt_"):
                bodies[m.group(1)] = called
            else:
                names.update(called)
    work = list(names)
    while work:
        for callee in bodies.get(work.pop(), ()):
            if callee not in names:
                names.add(callee)
                work.append(callee)
    return names


# Every source of the benchmarks but the check's own fixtures (bench/checks): a helper in the C++
# or plain C side, or in the harness, that a kcom case calls is held to the same rule.
BENCH_SOURCES = ("kcom", "executors", "cpp", "plain", "bench.h", "main.c")


def runtime_allowed(symbol, allowed_runtime):
    """Whether symbol (a local copy's suffix after a dot ignored) is one of allowed_runtime, or
    completes one of its names that end in _ (pasted on by KCOM_PP_CAT: kcom_rt_addref_slow_1)."""
    name = symbol.split(".")[0]
    return name in allowed_runtime or any(
        n.endswith("_") and name.startswith(n) and re.fullmatch(r"\w+", name[len(n):]) for n in allowed_runtime)


def check_public_api():
    """bench/checks/public_api.cmake over every source of the benchmarks."""
    dirs = ";".join(os.path.join(SOURCE_DIR, "bench", d) for d in BENCH_SOURCES)
    result = subprocess.run(["cmake", f"-DSOURCES={dirs}", "-P",
                             os.path.join(SOURCE_DIR, "bench", "checks", "public_api.cmake")],
                            capture_output=True, text=True)
    return result.returncode == 0, (result.stdout + result.stderr).strip()


# The object of bench/checks/bad/pointer_evasion.c, which the object check must refuse.
EVASION_FIXTURE = "kcom_bench_evasion_fixture.dir"


def unallowed_runtime_references(build, allowed_runtime, fixture=False):
    """The kcom_rt_* symbols outside allowed_runtime that an object file of the benchmarks refers
    to (nm -u: a call, a jump, or an address taken for a call through a pointer), each with its
    object; the loops' check below sees direct calls only. fixture: the check's own fixture's
    object alone, instead of every other."""
    found = []
    for root, _, files in os.walk(os.path.join(build, "bench")):
        if (EVASION_FIXTURE in root.split(os.sep)) != fixture:
            continue
        for name in sorted(files):
            if name.endswith(".o"):
                path = os.path.join(root, name)
                for line in run(["nm", "-u", path]).splitlines():
                    symbol = line.split()[-1] if line.split() else ""
                    if symbol.startswith("kcom_rt_") and not runtime_allowed(symbol, allowed_runtime):
                        found.append(f"{os.path.relpath(path, build)} refers to {symbol}")
    return found


def kcom_side_functions(binary):
    """The functions the kcom side of the cases defines (bench/kcom, bench/executors): the symbols
    their object files define, which the linked binary keeps."""
    objects = os.path.join(os.path.dirname(binary), "CMakeFiles", "kcom_bench_cases.dir")
    names = set()
    for sub in ("kcom", "executors"):
        directory = os.path.join(objects, sub)
        if not os.path.isdir(directory):
            continue
        for name in sorted(os.listdir(directory)):
            if name.endswith(".o"):
                text = run(["nm", "--defined-only", os.path.join(directory, name)])
                names.update(line.split()[-1] for line in text.splitlines()
                             if len(line.split()) == 3 and line.split()[1] in "Tt")
    return names


def unallowed_runtime_call(binary, symbol, allowed_runtime, helpers, seen):
    """The first kcom_rt_* function outside allowed_runtime that symbol, or a function of the kcom
    side it calls (helpers, followed down), calls or jumps to; None if there is none."""
    for _, mnemonic, operands in disassemble(binary, symbol):
        m = CALL_TARGET.search(operands) if mnemonic.startswith(("call", "jmp")) else None
        if not m:
            continue
        target = m.group(1)
        if target.startswith("kcom_rt_") and not runtime_allowed(target, allowed_runtime):
            return f"{symbol} calls {target}"
        if target in helpers and target not in seen:
            seen.add(target)
            found = unallowed_runtime_call(binary, target, allowed_runtime, helpers, seen)
            if found:
                return found
    return None


def check_loop(binary, symbol, min_calls, log, allowed_runtime=None, helpers=frozenset()):
    """The loop of symbol holding the most calls must hold at least min_calls of them; with
    allowed_runtime, each kcom_rt_* function a loop calls must be in it, and so must each one
    that a function of the kcom side (helpers) called from a loop calls, followed down."""
    insns = disassemble(binary, symbol)
    if not insns:
        return False, f"{symbol}: not found in {binary}"
    loops = natural_loops(insns)
    if not loops:
        return False, f"{symbol}: no loop left (the compiler removed it)"
    best = max(loops.values(), key=lambda body: sum(insns[i][1].startswith("call") for i in body))
    body = [insns[i] for i in sorted(best)]
    calls = [insn for insn in body if insn[1].startswith("call")]
    log.write(f"== {symbol}: loop of {len(body)} instructions, {len(calls)} call(s)\n")
    for address, mnemonic, operands in body:
        log.write(f"  {address:x}:\t{mnemonic} {operands}\n")
    log.write("\n")
    summary = "; ".join(f"{m} {o}".strip() for _, m, o in calls)
    if allowed_runtime is not None:
        for body in loops.values():
            for i in body:
                m = CALL_TARGET.search(insns[i][2]) if insns[i][1].startswith(("call", "jmp")) else None
                if not m:
                    continue
                target = m.group(1)
                if target.startswith("kcom_rt_") and not runtime_allowed(target, allowed_runtime):
                    return False, f"{symbol}: its loop calls {target}, which no generated code calls"
                if target in helpers:
                    found = unallowed_runtime_call(binary, target, allowed_runtime, helpers, {target})
                    if found:
                        return False, f"{symbol}: its loop calls {target}, and {found}, which no generated code calls"
    if len(calls) < min_calls:
        return False, f"{symbol}: loop has {len(calls)} call(s), needs {min_calls}: {summary}"
    return True, f"{symbol}: {len(body)} instructions, {summary}"


# ---- 2. instructions per iteration --------------------------------------------------------------

def collect_options(symbol, process):
    """callgrind's collection: the case function on its thread, or (process) everything."""
    return [] if process else [f"--toggle-collect={symbol}"]


def one_cpu():
    """Pins a child to one CPU (for the cases that run threads). On two CPUs, how the threads
    interleave under valgrind (which runs one at a time) depends on how fast the other CPU wakes
    the thread a futex call woke, so whether the caller finds the work done or goes to sleep, and
    the instruction count, change with the machine's load (by a third); on one CPU valgrind switches
    threads in the same order run after run, and the count repeats within about 2%."""
    cpu = max(os.sched_getaffinity(0))
    return lambda: os.sched_setaffinity(0, {cpu})


def callgrind_total(command, options, out, pinned):
    """The instructions callgrind counted in a run of command (with its collection options)."""
    subprocess.run(["valgrind", "--tool=callgrind", *options, f"--callgrind-out-file={out}", *command], check=True,
                   capture_output=True, text=True, preexec_fn=one_cpu() if pinned else None)
    with open(out) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    raise RuntimeError(f"no totals in {out}")


def callgrind_ir(bench, symbol, n, workdir, process=False):
    return callgrind_total([bench, "run", symbol, str(n)], collect_options(symbol, process),
                           os.path.join(workdir, f"callgrind.{symbol}.{n}"), process)


# The executors' throughput run (bench/executors/executors.c): 64 tasks that yield, polls each.
EXECUTOR_TASKS = 64


def executor_ir_per_poll(executors, mode, workdir, n1=200, n2=2200):
    """Instructions per task poll of a kernel executor on the host simulation (mode "polls": the DPC
    executor, "work-item-polls": the work-item executor; 1 simulated processor, every thread
    counted, on one CPU): the poll, the wake that queues the task again, the executor's loop and its
    share of the runs that end on their budget."""
    ir = [callgrind_total([executors, mode, str(n)], [], os.path.join(workdir, f"callgrind.{mode}.{n}"), True)
          for n in (n1, n2)]
    return (ir[1] - ir[0]) / (EXECUTOR_TASKS * (n2 - n1))


def ir_per_iteration(bench, symbol, n1, n2, workdir, process=False):
    return (callgrind_ir(bench, symbol, n2, workdir, process) - callgrind_ir(bench, symbol, n1, workdir, process)) / (
        n2 - n1)


# ---- 5. where the instructions go ----------------------------------------------------------------

BREAKDOWN_SYMBOLS = ("bench_kcom_create_release_1", "bench_kcom_cached_create_release_1",
                     "bench_cpp_create_release_1", "bench_cpp_cached_create_release_1", "bench_plain_create_free",
                     "bench_kcom_create_release_4", "bench_kcom_cached_create_release_4",
                     "bench_cpp_create_release_4", "bench_kcom_create_by_iid", "bench_cpp_create_by_iid",
                     "bench_kcom_create_by_iid_other",
                     "bench_kcom_qi_last", "bench_cpp_qi_last",
                     "bench_kcom_async_call", "bench_kcom_cached_async_call", "bench_cpp_async_call",
                     "bench_cpp_cached_async_call",
                     "bench_kcom_async_call_in", "bench_cpp_async_call_in", "bench_kcom_spawn_in", "bench_kcom_spawn_in_other",
                     "bench_kcom_spawn_in_other_desc", "bench_kcom_run_in", "bench_kcom_run_in_other",
                     "bench_kcom_run_in_other_desc", "bench_kcom_run_in_tracked",
                     "bench_kcom_spawn_in_tracked",
                     "bench_kcom_async_wake", "bench_cpp_async_wake", "bench_kcom_async_dpc_wake")

ANNOTATE_LINE = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)$")


CALLEE = re.compile(r"^cfn=\((\d+)\)(?: (.*))?$")
NAMED = re.compile(r"^c?fn=\((\d+)\) (.*)$")


def malloc_calls(out):
    """Calls to glibc's malloc, calloc and realloc recorded in a callgrind output file."""
    names, callee, calls = {}, None, 0
    with open(out) as f:
        for line in f:
            line = line.rstrip("\n")
            named = NAMED.match(line)
            if named:
                names[named.group(1)] = named.group(2)
            m = CALLEE.match(line)
            if m:
                callee = names.get(m.group(1))
            elif line.startswith("calls="):
                if callee in ("malloc", "calloc", "realloc"):
                    calls += int(line[len("calls="):].split()[0])
                callee = None
    return calls


def annotate(bench, symbol, n, workdir, process):
    """{source file:function: self instructions} of a run of n iterations (callgrind_annotate), and
    the number of glibc allocations (malloc, calloc, realloc calls) in it."""
    out = os.path.join(workdir, f"callgrind.breakdown.{symbol}.{n}")
    subprocess.run(["valgrind", "--tool=callgrind", *collect_options(symbol, process), f"--callgrind-out-file={out}",
                    bench, "run", symbol, str(n)], check=True, capture_output=True, text=True,
                   preexec_fn=one_cpu() if process else None)
    text = run(["callgrind_annotate", "--threshold=100", "--auto=no", out])
    functions = {}
    in_functions = False
    for line in text.splitlines():
        if "file:function" in line:
            in_functions = True
            continue
        m = ANNOTATE_LINE.match(line)
        if in_functions and m:
            where = re.sub(r"\s*\[[^\]]*\]\s*$", "", m.group(2))
            functions[where] = functions.get(where, 0) + int(m.group(1).replace(",", ""))
    return functions, malloc_calls(out)


def breakdown(bench, symbol, n, workdir, process=False):
    """Self instructions per iteration of each function run under symbol, and glibc allocations per
    iteration: from one run of n iterations, or (process: the whole process is counted) the
    difference of runs of n and n / 10, so process start and thread creation drop out."""
    if process:
        low = n // 10
        (high_run, high_mallocs), (low_run, low_mallocs) = (annotate(bench, symbol, n, workdir, True),
                                                            annotate(bench, symbol, low, workdir, True))
        functions = {w: (high_run.get(w, 0) - low_run.get(w, 0)) / (n - low) for w in set(high_run) | set(low_run)}
        mallocs = (high_mallocs - low_mallocs) / (n - low)
    else:
        run_functions, run_mallocs = annotate(bench, symbol, n, workdir, False)
        functions = {w: ir / n for w, ir in run_functions.items()}
        mallocs = run_mallocs / n
    lines = sorted(((ir, where) for where, ir in functions.items() if ir >= 0.05), key=lambda item: -item[0])
    return lines, mallocs


# ---- the table ----------------------------------------------------------------------------------

def fmt_ir(value):
    return "—" if value is None else (f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}")


def fmt_ns(value):
    return "—" if value is None else f"{value:.1f}"


def fmt_allocs(value):
    if value is None or value == "-":
        return "—"
    value = float(value)
    return f"{value:.0f}" if abs(value - round(value)) < 0.0005 else f"{value:.3f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build", help="the bench build directory (build/bench)")
    parser.add_argument("--n1", type=int, default=1000, help="callgrind: the shorter run's iterations")
    parser.add_argument("--n2", type=int, default=11000, help="callgrind: the longer run's iterations")
    parser.add_argument("--time-n", type=int, default=2000000, help="iterations per timed run")
    parser.add_argument("--time-reps", type=int, default=9, help="timed runs per case (the median is shown)")
    parser.add_argument("--alloc-n", type=int, default=1000, help="iterations for the allocation count")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel callgrind runs")
    args = parser.parse_args()

    bench = os.path.join(args.build, "bench", "kcom_bench")
    bench_allocs = os.path.join(args.build, "bench", "kcom_bench_allocs")
    for binary in (bench, bench_allocs):
        if not os.access(binary, os.X_OK):
            sys.exit(f"bench.py: {binary} is missing; build with -DKCOM_BUILD_BENCH=ON first")

    rows = list_rows(bench)
    def sides(row):
        return (row["kcom"], row["cpp"], row["cached"], row["cpp_cached"])

    symbols = [s for row in rows for s in sides(row) if s]
    # the cases that run threads: counted over the whole process
    process_symbols = {s for row in rows if row["process"] for s in sides(row) if s}
    ok = True

    # 0. the kcom side uses the public API only
    good, message = check_public_api()
    if not good:
        print(f"bench.py: public-API check FAILED: {message}", file=sys.stderr)
        ok = False
    runtime = generated_runtime()
    for message in unallowed_runtime_references(args.build, runtime):
        print(f"bench.py: public-API check FAILED: {message}, which no generated code calls", file=sys.stderr)
        ok = False
    if not any("kcom_rt_find_interface" in m for m in unallowed_runtime_references(args.build, runtime, True)):
        print(f"bench.py: public-API check FAILED: the object check lets its fixture ({EVASION_FIXTURE}) pass",
              file=sys.stderr)
        ok = False
    helpers = kcom_side_functions(bench)

    # 1. every loop still makes its calls (and, on the kcom side, no internal ones)
    with open(os.path.join(args.build, "disasm.txt"), "w") as log:
        log.write("The loop of each case function, as objdump shows it (scripts/bench.py).\n\n")
        for row in rows:
            for symbol in sides(row):
                if symbol:
                    kcom = symbol not in (row["cpp"], row["cpp_cached"])
                    good, message = check_loop(bench, symbol, MIN_CALLS[row["id"]], log,
                                               runtime if kcom else None, helpers if kcom else frozenset())
                    if not good:
                        print(f"bench.py: dead-code check FAILED: {message}", file=sys.stderr)
                        ok = False

    # 2. instructions per iteration (parallel: callgrind counts are deterministic), then the cases
    # that run threads, one at a time on one CPU (see one_cpu)
    with tempfile.TemporaryDirectory(prefix="kcom-bench-") as workdir:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = {s: pool.submit(ir_per_iteration, bench, s, args.n1, args.n2, workdir)
                       for s in symbols if s not in process_symbols}
            ir = {s: f.result() for s, f in futures.items()}
        for s in symbols:
            if s in process_symbols:
                ir[s] = ir_per_iteration(bench, s, args.n1, args.n2, workdir, True)
        split = {}
        for symbol in BREAKDOWN_SYMBOLS:
            if symbol in symbols:  # the async cases exist only where kcom's async layer is built
                split[symbol] = breakdown(bench, symbol, args.n2 if symbol in process_symbols else 100000, workdir,
                                          symbol in process_symbols)

    # 3. wall clock, alone on the machine (after the callgrind runs)
    ns = {}
    for line in run([bench, "time", str(args.time_n), str(args.time_reps)]).splitlines():
        fields = line.split("\t")
        if fields[0] == "time":
            ns[fields[1]] = float(fields[2])

    # 4. allocations and object sizes
    allocs, bytes_of = {}, {}
    for line in run([bench_allocs, "allocs", str(args.alloc_n)]).splitlines():
        fields = line.split("\t")
        if fields[0] == "allocs":
            allocs[fields[1]] = fields[2]
        elif fields[0] == "bytes":
            bytes_of[fields[1]] = (fields[2], fields[3])

    # "caching": the kcom class over a caching allocator (KCOM_CLASS_EX), where the case has one,
    # against the same C++ class with a free list of its own
    header = ["case", "kcom Ir", "C++ Ir", "ratio", "kcom Ir, caching", "C++ Ir, free list", "ratio, caching",
              "kcom ns", "C++ ns", "kcom ns, caching", "C++ ns, free list",
              "allocs/op (kcom, C++; caching, free list)", "bytes/object (kcom, C++)"]
    table = []
    for row in rows:
        k, c, q, f = row["kcom"], row["cpp"], row["cached"], row["cpp_cached"]
        if row["baseline"]:
            size = bytes_of.get("0", ("?", "-"))[0]
            table.append([row["title"], fmt_ir(ir[k])] + ["—"] * 5 + [fmt_ns(ns.get(k))] + ["—"] * 4 +
                         [f"{size} (plain C)"])
            continue
        ratio = f"{ir[k] / ir[c]:.2f}" if ir[c] else "—"
        cached_ratio = f"{ir[q] / ir[f]:.2f}" if q and f and ir[f] else "—"
        kb, cb = bytes_of.get(row["bytes"], ("?", "?")) if row["bytes"] else ("—", "—")
        cached_allocs = f"; {fmt_allocs(allocs.get(q))}, {fmt_allocs(allocs.get(f))}" if q and f else ""
        table.append([row["title"], fmt_ir(ir[k]), fmt_ir(ir[c]), ratio, fmt_ir(ir[q]) if q else "—",
                      fmt_ir(ir[f]) if f else "—", cached_ratio, fmt_ns(ns.get(k)), fmt_ns(ns.get(c)),
                      fmt_ns(ns.get(q)) if q else "—", fmt_ns(ns.get(f)) if f else "—",
                      f"{fmt_allocs(allocs.get(k))}, {fmt_allocs(allocs.get(c))}{cached_allocs}", f"{kb}, {cb}"])

    widths = [max(len(header[i]), *(len(r[i]) for r in table)) for i in range(len(header))]

    def line(cells):
        return "| " + " | ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                                 for i, cell in enumerate(cells)) + " |"

    markdown = [line(header), "|" + "|".join(("-" * (w + 1)) + (":" if i else "-") for i, w in enumerate(widths)) + "|"]
    markdown += [line(r) for r in table]
    notes = [
        "Ir: callgrind instructions per iteration, loop included ((Ir(N2) - Ir(N1)) / (N2 - N1)); "
        "ns: wall clock per iteration, median of runs; ratio: kcom Ir / C++ Ir.",
        "caching: the same kcom class declared with KCOM_CLASS_EX over a kcom_caching_allocator "
        "(depth 16; for the async call, its operations from one: KCOM_CLASS_SET_OPERATION_ALLOCATOR); "
        "its allocs/op counts what reaches the cache's backing allocator. Without one, async calls "
        "take their operations from kcom's operation cache (the kcom column). free list: the same C++ "
        "class with its own operator new/delete over a one-block atomic free list (bench/cpp/com.h, "
        "FreeListNew), the counterpart the caching ratio compares with.",
        "Baseline rows are plain C without COM; their figures are in the kcom columns.",
    ]
    if any(row["id"].startswith("async_") for row in rows):
        notes += [
            "Async rows: bytes are the operation's (async_call, async_status: the block one call allocates; "
            "in caller storage: the bytes of the storage it writes). The thread row's Ir counts every thread of the "
            "process, pinned to one CPU (where valgrind switches threads in the same order run after run); "
            "its ns are on all CPUs, with 1/100 of the iterations; its kcom allocs/op counts kcom's "
            "allocator, which every kcom allocation goes through (block_on's event is in its frame).",
        ]
    compilers, compiler_version = build_compilers(args.build)
    machine = machine_description(compiler_version)

    print(f"kcom benchmarks, {compilers} -O2, on {machine}")
    # what an operation holds, both sides (kcom_bench_allocs' bytes lines)
    memory = [["memory (bytes of allocator request)", "kcom", "C++"]]
    for key, title in (("async_op", "a completed operation with a ULONG result, from an async call"),
                       ("async_storage", "the same in caller storage (bytes of the storage it uses)"),
                       ("async_pending", "a pending completion source with a ULONG result + a task awaiting it")):
        if key in bytes_of:
            memory.append([title, *bytes_of[key]])
    memory_md = []
    if len(memory) > 1:
        mw = [max(len(r[i]) for r in memory) for i in range(3)]
        memory_md = ["| " + " | ".join(c.ljust(mw[i]) if i == 0 else c.rjust(mw[i]) for i, c in enumerate(r)) + " |"
                     for r in memory]
        memory_md.insert(1, "|" + "|".join(("-" * (w + 1)) + (":" if i else "-") for i, w in enumerate(mw)) + "|")

    print()
    print("\n".join(markdown))
    print()
    print("\n".join(notes))
    if memory_md:
        print()
        print("\n".join(memory_md))

    with open(os.path.join(args.build, "results.md"), "w") as f:
        f.write(f"Machine: {machine}. Build: {compilers} -O2, CMAKE_BUILD_TYPE=Release.\n\n")
        f.write("\n".join(markdown) + "\n\n")
        f.write("\n".join(notes) + "\n")
        if memory_md:
            f.write("\n" + "\n".join(memory_md) + "\n")

    # The kernel executors on the host simulation: instructions per poll from callgrind, the rest wall
    # clock (threads meeting, which callgrind's serialized threads would not show).
    executors = os.path.join(args.build, "bench", "executors", "kcom_bench_executors")
    executor_rows = []
    if os.path.exists(executors):
        out = run([executors, "100"])
        executor_rows = [line.split("\t") for line in out.splitlines() if line.count("\t") == 2]
        with tempfile.TemporaryDirectory() as workdir:
            executor_rows[0:0] = [
                ["DPC executor, instructions per task poll (callgrind, 1 simulated processor)",
                 f"{executor_ir_per_poll(executors, 'polls', workdir):.1f}", "Ir"],
                ["work-item executor, instructions per task poll (callgrind, 1 simulated processor)",
                 f"{executor_ir_per_poll(executors, 'work-item-polls', workdir):.1f}", "Ir"]]
        print()
        print("Kernel executors on the host simulation (callgrind for the instructions; the rest wall clock,")
        print("the best of 5 rounds for throughput, of 3 for the machine's ratio):")
        for name, value, unit in executor_rows:
            print(f"  {name}: {value} {unit}")
        with open(os.path.join(args.build, "results.md"), "a") as f:
            f.write("\n| executor figure (host simulation; instructions from callgrind, the rest wall clock) "
                    "| value |\n|---|---:|\n")
            for name, value, unit in executor_rows:
                f.write(f"| {name} | {value} {unit} |\n")

    with open(os.path.join(args.build, "breakdown.md"), "w") as f:
        f.write("Where the instructions of a case go: self instructions per iteration of each function\n"
                "(code inlined into a function counts as the function's), then by source file:function\n"
                "as callgrind_annotate reports it (100000 iterations; one-time costs are below 0.05; the\n"
                "cases that run threads: every thread, the difference of runs of N2 and N2 / 10 iterations),\n"
                "and glibc allocations (malloc, calloc and realloc calls) per iteration.\n")
        for symbol, (functions, mallocs) in split.items():
            by_function = {}
            for value, where in functions:
                name = where.split(":", 1)[1] if ":" in where else where
                by_function[name] = by_function.get(name, 0.0) + value
            allocator = sum(v for n, v in by_function.items() if n in ("malloc", "free", "_int_free", "_int_malloc"))
            f.write(f"\n## {symbol}: {sum(ir for ir, _ in functions):.1f} Ir per iteration "
                    f"(glibc malloc/free {allocator:.1f}, the rest {sum(by_function.values()) - allocator:.1f}; "
                    f"{mallocs:.2f} glibc allocations)\n\n")
            f.write("```\n")
            for name, value in sorted(by_function.items(), key=lambda item: -item[1]):
                f.write(f"  {value:7.1f}  {name}\n")
            f.write("\nby source file:\n")
            for value, where in functions:
                f.write(f"  {value:7.1f}  {where}\n")
            f.write("```\n")

    print(f"written: {os.path.join(args.build, 'results.md')}, breakdown.md, disasm.txt")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
