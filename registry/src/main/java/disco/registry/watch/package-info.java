/**
 * The watcher ({@code registry.jar}): a lite member that prints one line per member joining or
 * leaving and per record published or removed, for a person following the cluster.
 * A program, not an API.
 */
package disco.registry.watch;
