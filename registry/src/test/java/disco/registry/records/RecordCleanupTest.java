package disco.registry.records;

import static disco.registry.TestCluster.await;
import static disco.registry.TestCluster.instances;
import static disco.registry.TestCluster.owners;
import static disco.registry.TestCluster.throughout;
import static disco.registry.TestCluster.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.types.HttpEndpoint;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import disco.registry.ClusterNode;
import disco.registry.TestCluster;
import disco.registry.cluster.ClusterMember.MemberChange;
import disco.registry.cluster.TestMembers;

/** Records stay true to the cluster's membership: what stock Vert.x discovery does not do. Nodes share one JVM here. */
@Timeout(90)
class RecordCleanupTest {

  private final TestCluster cluster = new TestCluster();

  @AfterEach
  void close() {
    cluster.close();
  }

  private static Record publish(ClusterNode node, String hostname, int port) {
    return TestCluster.publish(node, hostname, port);
  }

  private record Three(ClusterNode a, ClusterNode b, ClusterNode c) {
  }

  /** How many records these nodes' sweepers removed, together. */
  private static int removedBy(ClusterNode... nodes) {
    return Arrays.stream(nodes).mapToInt(node -> node.clusterRecords().sweeper().removed()).sum();
  }

  /** Three nodes, each with its record published and seen by the first, partitions backed up. */
  private Three threeNodesWithRecords() {
    ClusterNode a = cluster.join();
    ClusterNode b = cluster.join();
    ClusterNode c = cluster.join();
    publish(a, "a", 1001);
    publish(b, "b", 1002);
    publish(c, "c", 1003);
    within(Duration.ofSeconds(5), "every record in a's copy", () -> owners(a).size() == 3);
    within(Duration.ofSeconds(10), "cluster safe", () -> a.member().hazelcast().getPartitionService().isClusterSafe());
    return new Three(a, b, c);
  }

  /** A crashed member's record goes, removed by exactly one survivor; the live members' records stay. */
  @Test
  void crashed_node_record_is_removed_once_and_others_are_kept() {
    Three nodes = threeNodesWithRecords();
    ClusterNode a = nodes.a();
    ClusterNode b = nodes.b();
    ClusterNode c = nodes.c();
    assertThat(owners(a)).containsExactlyInAnyOrder(a.nodeId(), b.nodeId(), c.nodeId());

    TestCluster.crash(c);

    Duration gone = within(Duration.ofSeconds(5), "record of the crashed node removed",
      () -> !owners(a).contains(c.nodeId()));
    within(Duration.ofSeconds(2), "removal seen by b", () -> !owners(b).contains(c.nodeId()));
    assertThat(owners(b)).containsExactlyInAnyOrder(a.nodeId(), b.nodeId());
    // the map's event can reach a copy before the remover's own call returns and counts the removal
    within(Duration.ofSeconds(2), "the removal counted", () -> removedBy(a, b) > 0);
    assertThat(removedBy(a, b)).isEqualTo(1);
    assertThat(gone).isLessThan(Duration.ofSeconds(5));
    // and so say the metrics: one sweep in all, two records left in each copy
    assertThat(List.of(a.metrics().scrape(), b.metrics().scrape()))
      .filteredOn(text -> text.contains("disco_records_swept_total 1.0")).hasSize(1);
    within(Duration.ofSeconds(2), "record counts updated", () -> b.metrics().scrape().contains("disco_records{service=\"slip\"} 2.0"));
  }

  /**
   * A member left alone by the sudden loss of more members than it kept may be the small side of a
   * split: it keeps their records a while instead of emptying its own view, then sweeps them.
   */
  @Test
  void member_left_alone_keeps_the_lost_records_for_a_while_then_sweeps_them() {
    Three nodes = threeNodesWithRecords();
    ClusterNode a = nodes.a();

    TestCluster.crashTogether(nodes.b(), nodes.c());
    within(Duration.ofSeconds(5), "a alone", () -> a.liveMemberIds().size() == 1);

    assertThat(owners(a)).contains(nodes.b().nodeId(), nodes.c().nodeId());
    Duration swept = within(Duration.ofSeconds(20), "lost records swept", () -> owners(a).equals(Set.of(a.nodeId())));
    assertThat(swept).isGreaterThan(Duration.ofSeconds(5));
  }

  /** An owner whose record vanished (a sweep, a merge) publishes it again. */
  @Test
  void owner_publishes_its_record_again_when_it_goes_missing() {
    ClusterNode a = cluster.join();
    ClusterNode b = cluster.join();
    String registration = publish(a, "a", 1001).getRegistration();
    within(Duration.ofSeconds(5), "record in b's copy", () -> owners(b).contains(a.nodeId()));

    b.clusterRecords().store().map().remove(registration);
    within(Duration.ofSeconds(5), "removal seen by b", () -> b.records().isEmpty());

    within(Duration.ofSeconds(6), "record published again", () -> owners(b).contains(a.nodeId()));
    assertThat(b.records()).extracting(Record::getRegistration).containsExactly(registration);
  }

  /** After a split-brain merge Hazelcast gives a node a new member id: a record naming the old one is replaced. */
  @Test
  void record_naming_a_former_node_id_is_published_again_under_the_current_one() {
    ClusterNode a = cluster.join();
    String registration = publish(a, "a", 1001).getRegistration();
    Record current = TestCluster.until(Duration.ofSeconds(5), "record in the copy",
      () -> a.records().isEmpty() ? null : a.records().get(0));
    // the record as this node signed it under a former id (a copy: the cached record is not touched);
    // set() returns once the map holds it, and the owner may replace it at once, so it is not awaited
    a.clusterRecords().store().map().set(registration, signedCopy(a, current, registration, "a-former-member-id"));

    within(Duration.ofSeconds(6), "record under the current id", () -> {
      List<Record> records = a.records();
      return records.size() == 1 && a.nodeId().equals(ServiceInstance.ownerOf(records.get(0)));
    });
    assertThat(a.records()).extracting(Record::getRegistration).containsExactly(registration);
  }

  /**
   * A node the master expelled sees the others leave; it comes back under a new id, they keep theirs,
   * and it may be told of no join for them. Its directory must list their instances again.
   */
  @Test
  void directory_lists_the_others_again_after_its_node_was_expelled_and_came_back() {
    Three nodes = threeNodesWithRecords();
    ClusterNode c = nodes.c();
    within(Duration.ofSeconds(5), "three instances listed on c", () -> instances(c).size() == 3);
    String idBefore = c.nodeId();

    // the master (a, the oldest) expels c; a and b stay together under their ids
    var master = TestCluster.hazelcastNode(nodes.a());
    com.hazelcast.cluster.Member member = nodes.a().member().hazelcast().getCluster().getMembers().stream()
      .filter(m -> m.getUuid().toString().equals(idBefore)).findFirst().orElseThrow();
    master.getClusterService().suspectMember(member, "test: expelled", true);
    within(Duration.ofSeconds(10), "c apart from the others", () -> instances(c).size() <= 1);
    within(Duration.ofSeconds(40), "c back under a new id", () -> !c.nodeId().equals(idBefore) && c.liveMemberIds().size() == 3);
    within(Duration.ofSeconds(10), "a's and b's instances listed on c again", () -> instances(c).stream()
      .map(ServiceInstance::nodeId).collect(Collectors.toSet()).containsAll(Set.of(nodes.a().nodeId(), nodes.b().nodeId())));
  }

  /**
   * Hazelcast sends membership events from several threads, after it changed the member list: a
   * node that merged back can be told that a member left after that member is listed again under
   * the same id. Neither its directory nor the oldest member's sweeper may take that for the truth.
   */
  @Test
  void departure_told_after_the_member_is_back_neither_hides_its_instance_nor_sweeps_its_record() {
    Three nodes = threeNodesWithRecords();
    ClusterNode a = nodes.a();
    ClusterNode b = nodes.b();
    ClusterNode c = nodes.c();
    within(Duration.ofSeconds(5), "three instances listed on c", () -> instances(c).size() == 3);

    MemberChange lateDeparture = new MemberChange(b.nodeId(), "late:5701", false, false);
    TestMembers.announce(c.member(), lateDeparture);
    TestMembers.announce(a.member(), lateDeparture);
    // several sweeps run meanwhile
    throughout(Duration.ofMillis(3 * RecordSweeper.PERIOD_MS), "b's instance listed on c and its record kept",
      () -> instances(c).size() == 3 && owners(a).contains(b.nodeId()));
    assertThat(a.clusterRecords().sweeper().removed()).isZero();
  }

  /**
   * A sweep's removal of a departed node's record can land after the same registration has been
   * published again under a live node's id, and would take a live slip out of every pool. Here the
   * new publication holds the record's partition while the sweep's removal queues behind it.
   */
  @Test
  void removal_that_lands_after_the_record_was_published_again_keeps_it() throws Exception {
    Three nodes = threeNodesWithRecords();
    ClusterNode a = nodes.a();
    ClusterNode c = nodes.c();
    // a key of a partition that a owns, so that c's crash neither moves it nor loses the publication
    String key = IntStream.range(0, 10_000).mapToObj(i -> "raced-" + i)
      .filter(k -> a.member().hazelcast().getPartitionService().getPartition(k).getOwner().localMember())
      .findFirst().orElseThrow();
    Record cs = a.records().stream().filter(r -> c.nodeId().equals(ServiceInstance.ownerOf(r))).findFirst().orElseThrow();
    TestCluster.putRaw(a, key, signedCopy(a, cs, key, c.nodeId()));
    within(Duration.ofSeconds(5), "the raced record in a's copy", () -> a.records().size() == 4);

    String republished = signedCopy(a, cs, key, nodes.b().nodeId());
    HoldPartition.started = new CountDownLatch(1);
    CompletionStage<Object> publication = a.clusterRecords().store().map()
      .submitToKey(key, new HoldPartition(3_000, republished));
    assertThat(HoldPartition.started.await(5, TimeUnit.SECONDS)).as("the publication holds the partition").isTrue();
    TestCluster.crash(c);

    within(Duration.ofSeconds(10), "c's own record swept", () -> a.records().stream()
      .filter(r -> c.nodeId().equals(ServiceInstance.ownerOf(r))).allMatch(r -> key.equals(r.getRegistration()))
      && a.records().size() == 3);
    publication.toCompletableFuture().get(10, TimeUnit.SECONDS);
    // the publication's event reaches a's copy after the processor returns, at a moment of its own
    BooleanSupplier publishedAgain = () -> a.records().stream()
      .anyMatch(r -> key.equals(r.getRegistration()) && nodes.b().nodeId().equals(ServiceInstance.ownerOf(r)));
    within(Duration.ofSeconds(5), "the record published again in a's copy", publishedAgain);
    // the sweep's removal of the raced record ran right after the publication, and must have kept it
    throughout(Duration.ofMillis(2 * RecordSweeper.PERIOD_MS), "the record published again kept", publishedAgain);
    assertThat(removedBy(a, nodes.b())).as("records removed: c's own only").isEqualTo(1);
  }

  /** {@code record} under {@code registration}, naming {@code owner}, signed as a member of the cluster signs. */
  private static String signedCopy(ClusterNode signer, Record record, String registration, String owner) {
    Record copy = new Record(record.toJson()).setRegistration(registration);
    copy.getMetadata().put(ServiceInstance.NODE_ID, owner);
    return signer.member().secret().sign(copy).toJson().encode();
  }

  /** A member that left a stuck cluster of one and joined again is a new member: its record follows it. */
  @Test
  void member_that_joins_again_keeps_its_record_under_its_new_id() {
    ClusterNode a = cluster.join();
    ClusterNode b = cluster.join();
    String registration = publish(a, "a", 1001).getRegistration();
    within(Duration.ofSeconds(5), "record in b's copy", () -> owners(b).contains(a.nodeId()));
    String formerId = a.nodeId();

    TestMembers.rejoin(a.member());

    assertThat(a.nodeId()).isNotEqualTo(formerId);
    within(Duration.ofSeconds(10), "record under the new id in b's copy", () -> owners(b).equals(Set.of(a.nodeId())));
    assertThat(b.records()).extracting(Record::getRegistration).containsExactly(registration);
    assertThat(b.liveMemberIds()).containsExactlyInAnyOrder(a.nodeId(), b.nodeId());
  }

  /** Garbage and foreign records in the map neither break reads nor enter a directory. */
  @Test
  void malformed_and_foreign_entries_are_skipped() {
    ClusterNode a = cluster.join();
    publish(a, "a", 1001);
    // signed, so trusted, but not in this project's form: no node id
    Record foreign = TestCluster.SECRET.sign(HttpEndpoint.createRecord("slip", "10.9.9.9", 80, "/").setRegistration("foreign"));
    a.clusterRecords().store().map().set("garbage", "{not json");
    a.clusterRecords().store().map().set("foreign", foreign.toJson().encode());

    // Hazelcast orders events per key only (one event thread per partition stripe): the garbage may
    // come after the foreign record
    within(Duration.ofSeconds(5), "own and foreign records in the copy, the garbage rejected",
      () -> a.records().size() == 2 && a.rejectedRecords().size() == 1);
    assertThat(a.rejectedRecords().getJsonObject(0).getString("key")).isEqualTo("garbage");
    List<Record> records = a.records();
    assertThat(records).extracting(Record::getRegistration).containsExactlyInAnyOrder("foreign", records.stream()
      .filter(r -> a.nodeId().equals(ServiceInstance.ownerOf(r))).findFirst().orElseThrow().getRegistration());

    // the foreign record has no publisher's member id: no caller is sent to it
    assertThat(instances(a)).extracting(ServiceInstance::hostname).containsExactly("a");
    // the foreign record is still there: it is skipped, not deleted
    assertThat(a.clusterRecords().store().map().containsKey("foreign")).isTrue();
  }

  /**
   * Another node learns of a published and an unpublished instance from the map's events: within 2 s,
   * where the periodic re-read takes {@link RecordCache#RECONCILE_MS} (usually well under a second;
   * the bound is generous for a busy machine).
   */
  @Test
  void other_nodes_follow_publish_and_unpublish() {
    ClusterNode a = cluster.join();
    ClusterNode b = cluster.join();
    within(Duration.ofSeconds(5), "first read done", () -> instances(b).isEmpty());

    Record published = publish(a, "a", 1001);
    within(Duration.ofSeconds(2), "instance listed on b", () -> instances(b).size() == 1);
    assertThat(instances(b).get(0).nodeId()).isEqualTo(a.nodeId());
    await(a.clusterRecords().unpublish(published.getRegistration()));
    within(Duration.ofSeconds(2), "instance gone from b", () -> instances(b).isEmpty());
  }
}
