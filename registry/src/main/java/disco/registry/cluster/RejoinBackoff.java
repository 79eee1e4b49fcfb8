package disco.registry.cluster;

/**
 * When a fault that a new member may cure calls for joining anew: once it has lasted the first wait,
 * then twice as long after each rejoin that did not cure it, up to a bound (a fault a rejoin cannot
 * cure then costs a rejoin every few minutes, not every few seconds); the first wait again once the
 * fault is over.
 */
final class RejoinBackoff {

  private final long firstMs;
  private final long maxMs;
  private long waitMs;

  RejoinBackoff(long firstMs, long maxMs) {
    this.firstMs = firstMs;
    this.maxMs = maxMs;
    this.waitMs = firstMs;
  }

  /** Whether a fault that has lasted {@code faultForMs} (negative: none now) calls for a rejoin now. */
  boolean due(long faultForMs) {
    if (faultForMs < 0) {
      waitMs = firstMs;
      return false;
    }
    if (faultForMs < waitMs) {
      return false;
    }
    waitMs = Math.min(maxMs, waitMs * 2);
    return true;
  }

  /** The time the fault must last before the next rejoin. */
  long waitMs() {
    return waitMs;
  }
}
