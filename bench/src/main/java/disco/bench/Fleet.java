package disco.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every process a driver starts, each logging to its own file, all ended by stopAll() or at JVM exit. */
final class Fleet implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);

  private final Path logDir;
  private final List<Process> started = new ArrayList<>();

  Fleet(Path logDir) throws IOException {
    this.logDir = Files.createDirectories(logDir);
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll));
  }

  /** Starts cmd in a session of its own with env added to this process's environment; cpus (e.g. "0") pins it with taskset. */
  synchronized Process start(String wanted, Map<String, String> env, String cpus, List<String> cmd) throws IOException {
    String name = wanted;
    for (int n = 2; Files.exists(log(name)); n++) {
      name = wanted + "-" + n; // a later run of the same name keeps the earlier log
    }
    List<String> full = new ArrayList<>();
    if (cpus != null) {
      full.addAll(List.of("taskset", "-c", cpus)); // taskset execs: the pid is the JVM's
    }
    // a session of its own, as ./disco starts each service: the kernel shares the CPU between the
    // processes, as between containers, not between all their threads (docs/BENCHMARKS.md,
    // "A session per service"). setsid execs, so the pid stays the command's.
    full.add("setsid");
    full.addAll(cmd);
    ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true)
        .redirectOutput(logDir.resolve(name + ".log").toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    started.add(p);
    LOG.info("started {} pid {}", name, p.pid());
    return p;
  }

  Path log(String name) {
    return logDir.resolve(name + ".log");
  }

  synchronized void stopAll() {
    started.stream().filter(Process::isAlive).forEach(Process::destroy);
    for (Process p : started) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    started.clear();
  }

  @Override
  public void close() {
    stopAll();
  }

  /** Resident set size in MiB from /proc, or -1 once the process is gone. */
  static double rssMiB(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** CPU time all processes of the machine spent busy, in clock ticks, summed over its cores. */
  static long machineBusyTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        if (i != 4 && i != 5) { // idle, iowait
          busy += Long.parseLong(f[i]);
        }
      }
      return busy;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Waits, at most maxWait, for the machine to be quiet: under maxBusyPct (of one core) busy over 2 s.
   * Returns the last busy share seen. Other work on the machine (a build, a test run) skews every figure.
   */
  static double awaitQuiet(java.time.Duration maxWait, double maxBusyPct) throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    double busy;
    do {
      long b0 = machineBusyTicks();
      long t0 = System.nanoTime();
      Thread.sleep(2000);
      busy = (machineBusyTicks() - b0) / ((System.nanoTime() - t0) / 1e9);
      if (busy < maxBusyPct) {
        return busy;
      }
      LOG.info("machine busy ({} % of a core), waiting for it to calm down", Math.round(busy));
    } while (System.nanoTime() < deadline);
    return busy;
  }

  /** User + system CPU time in clock ticks (1/100 s on Linux), or -1 once the process is gone. */
  static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14 and 15
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
