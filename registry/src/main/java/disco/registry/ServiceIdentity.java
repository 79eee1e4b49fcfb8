package disco.registry;

/** What a service says about itself in its record: its name, host name, version and start time. */
public record ServiceIdentity(String name, String hostname, String version, long startedAt) {

  /** SERVICE_VERSION, else the version in the jar's manifest, else "dev" (running from classes). */
  public static ServiceIdentity fromEnv(String name, Env env) {
    String packaged = ServiceIdentity.class.getPackage().getImplementationVersion();
    String version = env.string("SERVICE_VERSION", packaged == null ? "dev" : packaged);
    return new ServiceIdentity(name, env.hostname(), version, System.currentTimeMillis());
  }
}
