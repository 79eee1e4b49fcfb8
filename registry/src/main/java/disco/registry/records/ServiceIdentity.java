package disco.registry.records;

import disco.registry.config.ConfigException;
import disco.registry.config.Env;
import java.util.regex.Pattern;

/**
 * What a service says about itself in its record: its name, host name, version, start time, and the
 * swarm node it runs on (empty outside a swarm), so a reader can tell which calls cross the network.
 */
public record ServiceIdentity(String name, String hostname, String version, long startedAt, String swarmNode) {

  private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9._-]{1,253}");
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9._+-]{1,64}");

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
    if (!VERSION.matcher(version).matches()) {
      throw new ConfigException("SERVICE_VERSION", version, "1 to 64 letters, digits, '.', '_', '+' or '-'");
    }
    String hostname = env.hostname();
    if (!HOST_NAME.matcher(hostname).matches()) {
      throw new ConfigException("HOSTNAME", hostname, "a host name of 1 to 253 letters, digits, '.', '_' or '-'");
    }
    String swarmNode = env.string("SWARM_NODE", "");
    if (!swarmNode.isEmpty() && !HOST_NAME.matcher(swarmNode).matches()) {
      throw new ConfigException("SWARM_NODE", swarmNode, "a node host name of 1 to 253 letters, digits, '.', '_' or '-'");
    }
    return new ServiceIdentity(name, hostname, version, System.currentTimeMillis(), swarmNode);
  }
}
