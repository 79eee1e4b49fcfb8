package disco.registry.cluster;

/**
 * Whether this member reaches the cluster's data, as the records side reports it: whether reads and
 * writes of the node's own record answer, and whether whole reads of the records succeed. The
 * watchdog reads it: a member whose data has not answered for long, while its members stayed the
 * same, is stuck in partitions that no longer answer and joins anew (StuckMemberTest). Told and read
 * from any thread; a new member starts with nothing failed.
 */
public final class DataHealth {

  private final FaultClock ownRecord = new FaultClock();
  private final FaultClock wholeReads = new FaultClock();

  /** A read or write of this node's own record answered, or failed. */
  public void ownRecordAnswered(boolean answered) {
    ownRecord.answered(answered);
  }

  /** A whole read of the records was tried: whether every partition answered once. */
  public void wholeReadAnswered(boolean whole) {
    wholeReads.answered(whole);
  }

  /** How long every read and write of this node's own record has failed, or -1 while they answer. */
  long ownRecordFailingForMs() {
    return ownRecord.failingForMs();
  }

  /** How long no whole read of the records has succeeded, or -1 while they do. */
  long unreadableForMs() {
    return wholeReads.failingForMs();
  }

  /** For a new member, after a rejoin: its data has not failed yet. */
  void reset() {
    ownRecord.reset();
    wholeReads.reset();
  }
}
