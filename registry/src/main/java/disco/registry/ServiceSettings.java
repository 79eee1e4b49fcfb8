package disco.registry;

import disco.registry.records.ServiceIdentity;
import disco.registry.config.ClusterConfig;
import disco.registry.config.ConfigException;
import disco.registry.config.Env;
import disco.registry.security.ClusterSecret;
import java.util.function.Function;

/**
 * Everything a service reads from its environment, read once at start: its own settings, what it
 * says about itself, how it joins the cluster, and the cluster's secret. The first bad value stops
 * the reading with a {@link ConfigException} naming it.
 */
public record ServiceSettings<C>(C config, ServiceIdentity identity, ClusterConfig cluster, ClusterSecret secret) {

  public static <C> ServiceSettings<C> fromEnv(String service, Env env, Function<Env, C> readConfig) {
    C config = readConfig.apply(env);
    ServiceIdentity identity = ServiceIdentity.fromEnv(service, env);
    ClusterConfig cluster = ClusterConfig.fromEnv(env);
    return new ServiceSettings<>(config, identity, cluster, ClusterSecret.fromEnv(env));
  }
}
