package disco.registry;

import java.util.regex.Pattern;

/**
 * What a service says about itself in its record: its name, host name, version, start time, and the
 * swarm node it runs on (empty outside a swarm), so a reader can tell which calls cross the network.
 */
public record ServiceIdentity(String name, String hostname, String version, long startedAt, String swarmNode) {

  private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,253}");

  public ServiceIdentity(String name, String hostname, String version, long startedAt) {
    this(name, hostname, version, startedAt, "");
  }

  /**
   * SERVICE_VERSION, else the version in the jar's manifest, else "dev" (running from classes);
   * SWARM_NODE, which the stack file sets to the node's host name.
   */
  public static ServiceIdentity fromEnv(String name, Env env) {
    String packaged = ServiceIdentity.class.getPackage().getImplementationVersion();
    String version = env.string("SERVICE_VERSION", packaged == null ? "dev" : packaged);
    String swarmNode = env.string("SWARM_NODE", "");
    if (!swarmNode.isEmpty() && !NODE_NAME.matcher(swarmNode).matches()) {
      throw new ConfigException("SWARM_NODE", swarmNode, "a node host name: letters, digits, '.', '_' or '-'");
    }
    return new ServiceIdentity(name, env.hostname(), version, System.currentTimeMillis(), swarmNode);
  }
}
