package disco.registry.cluster;

/** Since when something this member keeps trying has failed every time; read and told from any thread. */
final class FaultClock {

  private volatile long failingSince = -1;

  void answered(boolean answered) {
    if (answered) {
      failingSince = -1;
    } else if (failingSince < 0) {
      failingSince = System.currentTimeMillis();
    }
  }

  /** How long every try has failed, or -1 while they answer. */
  long failingForMs() {
    long since = failingSince;
    return since < 0 ? -1 : System.currentTimeMillis() - since;
  }

  /** A new member starts with nothing failed. */
  void reset() {
    failingSince = -1;
  }
}
