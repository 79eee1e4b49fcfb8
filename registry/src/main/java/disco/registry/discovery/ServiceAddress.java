package disco.registry.discovery;

import io.vertx.core.net.Address;
import java.util.Objects;

/**
 * A service by the name its records carry, as an address an HTTP client resolves through
 * {@link ServiceResolver}: {@code ServiceAddress.of("slip")}. The same shape as
 * vertx-service-resolver's, which Kubernetes and DNS SRV users know.
 */
public record ServiceAddress(String name) implements Address {

  public ServiceAddress {
    Objects.requireNonNull(name, "a service address needs a name");
  }

  public static ServiceAddress of(String name) {
    return new ServiceAddress(name);
  }
}
