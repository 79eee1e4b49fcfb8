package disco.poule;

import disco.registry.ServiceDirectory;
import disco.registry.records.ServiceInstance;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slips poule balances over, kept from discovery: least in flight first, ties taken in turn.
 * An instance failing {@link #EJECT_AFTER} calls in a row is skipped for {@link #EJECT_MS}.
 * Event-loop confined.
 */
final class SlipPool implements ServiceDirectory.Listener {

  private static final Logger LOG = LoggerFactory.getLogger(SlipPool.class);
  static final int EJECT_AFTER = 3;
  static final long EJECT_MS = 5_000;

  /** One instance and what poule knows of its health. */
  static final class Slot {
    final ServiceInstance instance;
    int inFlight;
    int failuresInARow;
    long ejectedUntil;

    Slot(ServiceInstance instance) {
      this.instance = instance;
    }

    boolean ejected(long now) {
      return ejectedUntil > now;
    }
  }

  private final Map<String, Slot> slots = new LinkedHashMap<>();
  private final Runnable onAvailable;
  private final Consumer<ServiceInstance> onEjected;
  private int turn;

  /**
   * {@code onAvailable}: run whenever an instance appears, so idle callers resume;
   * {@code onEjected}: told of each instance skipped after failures.
   */
  SlipPool(Runnable onAvailable, Consumer<ServiceInstance> onEjected) {
    this.onAvailable = onAvailable;
    this.onEjected = onEjected;
  }

  @Override
  public void added(ServiceInstance instance) {
    boolean wasEmpty = slots.isEmpty();
    slots.put(instance.registration(), new Slot(instance));
    LOG.info("slip {} at {}:{} (version {}) joined the pool: {} instance(s)", instance.hostname(), instance.host(),
      instance.port(), instance.version(), slots.size());
    if (wasEmpty) {
      LOG.info("slip available again: calls resume");
    }
    onAvailable.run();
  }

  @Override
  public void removed(ServiceInstance instance) {
    if (slots.remove(instance.registration()) == null) {
      return;
    }
    LOG.info("slip {} at {}:{} left the pool: {} instance(s)", instance.hostname(), instance.host(), instance.port(),
      slots.size());
    if (slots.isEmpty()) {
      LOG.warn("no slip available: calls wait until one appears");
    }
  }

  boolean isEmpty() {
    return slots.isEmpty();
  }

  int size() {
    return slots.size();
  }

  /** The host names of the instances in the pool now. */
  Set<String> hostnames() {
    Set<String> hosts = new HashSet<>();
    slots.values().forEach(slot -> hosts.add(slot.instance.hostname()));
    return hosts;
  }

  /**
   * The instance to call next, preferring those not in {@code tried}; an ejected instance only when
   * nothing else is left, since a lone slip that hiccuped is still the best bet.
   */
  Optional<Slot> pick(Set<String> tried, long now) {
    List<Slot> all = new ArrayList<>(slots.values());
    if (all.isEmpty()) {
      return Optional.empty();
    }
    List<Slot> fresh = all.stream().filter(slot -> !tried.contains(slot.instance.registration())).toList();
    List<Slot> candidates = fresh.isEmpty() ? all : fresh;
    List<Slot> healthy = candidates.stream().filter(slot -> !slot.ejected(now)).toList();
    return Optional.of(leastInFlight(healthy.isEmpty() ? candidates : healthy));
  }

  private Slot leastInFlight(List<Slot> candidates) {
    int start = Math.floorMod(turn++, candidates.size());
    Slot best = null;
    for (int i = 0; i < candidates.size(); i++) {
      Slot slot = candidates.get((start + i) % candidates.size());
      if (best == null || slot.inFlight < best.inFlight) {
        best = slot;
      }
    }
    return best;
  }

  void succeeded(Slot slot) {
    slot.failuresInARow = 0;
    slot.ejectedUntil = 0;
  }

  /** A call to {@code slot} failed with {@code cause}: the last of the row is logged with the ejection. */
  void failed(Slot slot, long now, Throwable cause) {
    if (++slot.failuresInARow >= EJECT_AFTER && !slot.ejected(now)) {
      slot.ejectedUntil = now + EJECT_MS;
      LOG.warn("slip {} at {}:{} failed {} calls in a row, the last with {}: skipped for {} ms",
        slot.instance.hostname(), slot.instance.host(), slot.instance.port(), slot.failuresInARow, cause, EJECT_MS);
      onEjected.accept(slot.instance);
    }
  }

  JsonArray toJson(long now) {
    JsonArray list = new JsonArray();
    slots.values().forEach(slot -> list.add(slot.instance.toJson()
      .put("inFlight", slot.inFlight)
      .put("ejected", slot.ejected(now))));
    return list;
  }
}
