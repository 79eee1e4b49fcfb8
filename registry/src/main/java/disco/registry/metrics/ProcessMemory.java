package disco.registry.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code process_resident_memory_bytes}, the figure a container's memory limit is checked against:
 * Micrometer's JVM meters count heap and pools, not what the kernel charges. Linux only; elsewhere
 * the gauge is not registered.
 */
final class ProcessMemory {

  private static final Path STATUS = Path.of("/proc/self/status");

  private ProcessMemory() {
  }

  static void bindTo(MeterRegistry registry) {
    if (residentBytes() < 0) {
      return;
    }
    Gauge.builder("process.resident.memory", ProcessMemory::residentBytes).baseUnit("bytes")
      .description("Resident set size of this process, as the kernel counts it").register(registry);
  }

  /** VmRSS of /proc/self/status, in bytes; -1 when it cannot be read. */
  static double residentBytes() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("VmRSS:")) {
          // "VmRSS:     123456 kB"
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
      return -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
